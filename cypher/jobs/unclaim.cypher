// A job claimed just as its worker began to shut down: queued again, the start not counted.
MATCH (j:_KgragJob {id: $id})
WHERE j.status = 'running' AND j.leaseOwner = $worker
SET j.status = 'queued', j.attempts = j.attempts - 1, j.leaseOwner = null, j.leaseUntil = null
