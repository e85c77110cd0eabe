// Claims are serialised on one lock node: after it, this transaction reads what the previous
// claim committed, so two workers never take the same job.
MERGE (l:_KgragLock {name: 'jobs'})
  ON CREATE SET l.collection = '@system'
SET l.claimedAt = $now
