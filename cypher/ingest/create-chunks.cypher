// Chunks of one or more documents (each row names its document), also labelled with their
// collection's chunk label (its own vector index). Vectors are stored through the procedure so
// that they are kept as float32, as the index reads them.
UNWIND $chunks AS row
MATCH (d:Document {id: row.documentId})
CREATE (c:Chunk {
  id: row.id, collection: d.collection, documentId: d.id, index: row.index, text: row.text,
  page: row.page, start: row.start, end: row.end, headingPath: row.headingPath,
  context: row.context, tokenCount: row.tokenCount,
  ocrConfidence: row.ocrConfidence, ocrLowConfidence: row.ocrLowConfidence
})
SET c:$(row.label)
CREATE (c)-[:PART_OF]->(d)
WITH c, row
CALL db.create.setNodeVectorProperty(c, 'embedding', row.embedding)
RETURN count(*) AS created
