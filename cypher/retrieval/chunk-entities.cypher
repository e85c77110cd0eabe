// Entities mentioned by the top passages, at most $perChunk per passage (the most often named).
UNWIND $chunkIds AS chunkId
MATCH (c:Chunk {id: chunkId})
WHERE c.collection IN $collections
CALL (c) {
  MATCH (c)-[m:MENTIONS]->(e:Entity)
  WHERE e.collection IN $collections
  RETURN e, m ORDER BY m.count DESC, e.id LIMIT $perChunk
}
RETURN c.id AS chunkId, e.id AS id, e.name AS name, e.type AS type, m.surfaces AS surfaces,
       COUNT { (:Chunk)-[:MENTIONS]->(e) } AS df
