// Entities mentioned by the top passages, at most $perChunk per passage (the most often named):
// kgrag's entities, and nodes of a graph kgrag did not build that documents mention (id: elementId).
UNWIND $chunkIds AS chunkId
MATCH (c:Chunk {id: chunkId})
WHERE c.collection IN $collections
CALL (c) {
  MATCH (c)-[m:MENTIONS]->(e)
  WHERE coalesce(e.collection, '@graph') IN $collections
  RETURN e, m ORDER BY m.count DESC, CASE WHEN e:KgragEntity THEN e.id ELSE elementId(e) END LIMIT $perChunk
}
RETURN c.id AS chunkId, CASE WHEN e:KgragEntity THEN e.id ELSE elementId(e) END AS id, CASE WHEN e:KgragEntity THEN e.name ELSE coalesce(e.name, e.title, head([k IN keys(e) WHERE k =~ '.*(?:[a-z0-9_]Name|[a-z0-9_]Title|_name|_title|NAME|TITLE)' AND e[k] IS :: STRING | e[k]]), elementId(e)) END AS name, CASE WHEN e:KgragEntity THEN e.type ELSE head(labels(e)) END AS type,
       m.surfaces AS surfaces, COUNT { (:Chunk)-[:MENTIONS]->(e) } AS df
