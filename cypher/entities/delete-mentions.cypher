MATCH (:Chunk {documentId: $documentId})-[m:MENTIONS]->(:Entity)
DELETE m
