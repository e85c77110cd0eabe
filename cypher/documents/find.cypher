MATCH (d:Document {id: $id})
WHERE d.collection IN $collections
RETURN d.id AS id, COUNT { (:Chunk {documentId: d.id}) } AS chunks
