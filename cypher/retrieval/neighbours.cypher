// The passages just before and after each given passage in its document.
UNWIND $chunkIds AS chunkId
MATCH (c:Chunk {id: chunkId})
WHERE c.collection IN $collections
MATCH (c)-[:NEXT]-(n:Chunk)
WHERE n.collection IN $collections
RETURN c.id AS fromId, n.id AS chunkId
