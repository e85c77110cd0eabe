MATCH (:Chunk {documentId: $documentId})-[:MENTIONS]->(e:KgragEntity)
RETURN collect(DISTINCT e.id) AS ids
