CALL () {
  MATCH (e:KgragEntity {id: $id}) RETURN e
  UNION
  MATCH (e) WHERE elementId(e) = $id AND e.collection IS NULL AND NOT e:Chunk AND NOT e:Document AND NOT e:KgragMeta RETURN e
}
WITH e WHERE coalesce(e.collection, '@graph') IN $collections
MATCH (c:Chunk)-[m:MENTIONS]->(e)
WHERE c.collection IN $collections
MATCH (c)-[:PART_OF]->(d:Document)
RETURN c.id AS chunkId, d.id AS documentId, d.title AS title, d.source AS source, c.page AS page,
       m.surfaces AS surfaces, m.count AS count, m.method AS method, m.score AS score, c.text AS text
ORDER BY d.title, c.index
LIMIT $limit
