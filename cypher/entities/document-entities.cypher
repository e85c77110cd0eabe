MATCH (:Chunk {documentId: $documentId})-[:MENTIONS]->(e:Entity)
RETURN collect(DISTINCT e.id) AS ids
