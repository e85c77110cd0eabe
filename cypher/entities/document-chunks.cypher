// Chunks of the documents of a collection, for re-running extraction.
MATCH (d:Document {collection: $collection})
WHERE $documentId IS NULL OR d.id = $documentId
MATCH (c:Chunk {documentId: d.id})
WITH d, c ORDER BY c.index
RETURN d.id AS documentId, d.title AS title, collect({ chunkId: c.id, text: c.text }) AS chunks
ORDER BY d.id
