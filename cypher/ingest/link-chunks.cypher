MATCH (c:Chunk {documentId: $documentId})
WITH c ORDER BY c.index
WITH collect(c) AS chunks
UNWIND range(0, size(chunks) - 2) AS i
WITH chunks[i] AS a, chunks[i + 1] AS b
CREATE (a)-[:NEXT]->(b)
RETURN count(*) AS linked
