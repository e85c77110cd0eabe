// Extends the lease (and saves progress) while this worker still holds the job.
MATCH (j:_KgragJob {id: $id})
WHERE j.status = 'running' AND j.leaseOwner = $worker
SET j.leaseUntil = $leaseUntil, j.progress = coalesce($progress, j.progress)
RETURN j.id AS id
