MATCH (d:Document {id: $id})
WHERE d.collection IN $collections
OPTIONAL MATCH (c:Chunk {documentId: d.id})
WITH d, collect(c) AS chunks
FOREACH (c IN chunks | DETACH DELETE c)
DETACH DELETE d
RETURN size(chunks) AS chunks
