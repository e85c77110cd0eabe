// Whether a claim is worth a write transaction: a queued job, or a running one whose lease ran out.
MATCH (j:_KgragJob)
WHERE j.status = 'queued' OR (j.status = 'running' AND j.leaseUntil < $now)
RETURN j.id AS id
LIMIT 1
