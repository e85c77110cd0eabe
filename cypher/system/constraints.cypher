// kgrag's bookkeeping nodes (labels `_Kgrag…`, collection '@system'): applied idempotently by
// every process that uses them, so `kgrag keys` works on a database no server has prepared yet.
CREATE CONSTRAINT kgrag_key_id IF NOT EXISTS FOR (k:_KgragKey) REQUIRE k.id IS UNIQUE;
CREATE CONSTRAINT kgrag_job_id IF NOT EXISTS FOR (j:_KgragJob) REQUIRE j.id IS UNIQUE;
CREATE INDEX kgrag_job_status IF NOT EXISTS FOR (j:_KgragJob) ON (j.status);
// Unique ids make concurrent MERGEs of one counter or lock create a single node.
CREATE CONSTRAINT kgrag_counter_id IF NOT EXISTS FOR (c:_KgragCounter) REQUIRE c.id IS UNIQUE;
CREATE CONSTRAINT kgrag_lock_name IF NOT EXISTS FOR (l:_KgragLock) REQUIRE l.name IS UNIQUE
