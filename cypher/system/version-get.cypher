OPTIONAL MATCH (l:_KgragLock {name: $name})
RETURN coalesce(l.version, 0) AS version
