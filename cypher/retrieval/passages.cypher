// Text and provenance of candidate passages, with their similarity to the question when its
// embedding is given.
UNWIND $chunkIds AS chunkId
MATCH (c:Chunk {id: chunkId})-[:PART_OF]->(d:Document)
WHERE c.collection IN $collections AND d.collection IN $collections
RETURN c.id AS chunkId, d.id AS documentId, d.title AS title, d.source AS source, c.page AS page,
       c.text AS text, c.index AS index,
       CASE WHEN $embedding IS NULL THEN null ELSE vector.similarity.cosine(c.embedding, $embedding) END AS similarity
