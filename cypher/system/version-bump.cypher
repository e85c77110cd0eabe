// A shared version number (the schema catalog's): bumped by whoever writes, read by every server.
MERGE (l:_KgragLock {name: $name})
  ON CREATE SET l.collection = '@system', l.version = 0
SET l.version = l.version + 1
RETURN l.version AS version
