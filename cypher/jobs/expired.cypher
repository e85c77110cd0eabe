// Running jobs whose worker stopped renewing the lease (it died or shut down before finishing),
// started as often as allowed: quarantined, never retried blindly.
MATCH (j:_KgragJob)
WHERE j.status = 'running' AND j.leaseUntil < $now AND j.attempts >= $maxAttempts
RETURN j {.*} AS job
