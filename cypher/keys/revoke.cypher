MATCH (k:_KgragKey {id: $id})
WHERE k.revokedAt IS NULL
SET k.revokedAt = $at
RETURN k {.id, .name, .role, .collections, .hash, .createdAt, .revokedAt} AS key
