MATCH (:Chunk {documentId: $documentId})-[m:MENTIONS]->()
DELETE m
