OPTIONAL MATCH (k:_KgragKey)
WHERE k.revokedAt IS NULL
RETURN count(k) > 0 AS any
