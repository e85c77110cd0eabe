// Passages that mention each entity, at most $fanout per entity: of the $pool that name it most
// often, the closest to the question when its embedding is given (the pool bounds the vector
// arithmetic for entities named everywhere).
UNWIND $entityIds AS entityId
CALL (entityId) {
  MATCH (e:KgragEntity {id: entityId}) RETURN e
  UNION
  MATCH (e) WHERE elementId(e) = entityId AND e.collection IS NULL RETURN e
}
WITH entityId, e WHERE coalesce(e.collection, '@graph') IN $collections
CALL (e) {
  MATCH (c:Chunk)-[m:MENTIONS]->(e)
  WHERE c.collection IN $collections AND NOT c.id IN $exclude
  WITH c, m ORDER BY m.count DESC, c.id LIMIT $pool
  WITH c, m, CASE WHEN $embedding IS NULL THEN 0.0 ELSE vector.similarity.cosine(c.embedding, $embedding) END AS similarity
  RETURN c, m ORDER BY similarity DESC, m.count DESC, c.id
  LIMIT $fanout
}
RETURN entityId, c.id AS chunkId, m.surfaces AS surfaces
