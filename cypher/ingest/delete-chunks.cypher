MATCH (c:Chunk {documentId: $documentId})
DETACH DELETE c
