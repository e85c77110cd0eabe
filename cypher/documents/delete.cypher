// Chunks and the document's graph contributions are removed first (removeDocumentGraph).
MATCH (d:Document {id: $id})
DETACH DELETE d
