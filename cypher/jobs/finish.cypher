// Records the outcome, unless the lease was lost (another worker took the job over).
MATCH (j:_KgragJob {id: $id})
WHERE j.status = 'running' AND ($worker IS NULL OR j.leaseOwner = $worker)
SET j += $fields, j.leaseOwner = null, j.leaseUntil = null
RETURN j {.*} AS job
