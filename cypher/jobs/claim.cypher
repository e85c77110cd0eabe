// The oldest queued job, or a running one whose lease ran out (its worker died): resumed.
MATCH (j:_KgragJob)
WHERE j.status = 'queued' OR (j.status = 'running' AND j.leaseUntil < $now)
WITH j ORDER BY j.createdAt, j.id LIMIT 1
SET j.status = 'running', j.attempts = j.attempts + 1, j.startedAt = $at,
    j.leaseOwner = $worker, j.leaseUntil = $now + $leaseMs
RETURN j {.*} AS job
