MATCH (k:_KgragKey {id: $id})
RETURN k {.id, .name, .role, .collections, .hash, .createdAt, .revokedAt} AS key
