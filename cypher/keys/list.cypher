MATCH (k:_KgragKey)
RETURN k {.id, .name, .role, .collections, .hash, .createdAt, .revokedAt} AS key
ORDER BY k.createdAt, k.id
