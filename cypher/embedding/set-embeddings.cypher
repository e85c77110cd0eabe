// New vectors of a batch of documents' chunks, and the model that made them, in one transaction:
// a document is either still on its old model or wholly on the new one.
UNWIND $chunks AS row
MATCH (c:Chunk {id: row.id})
CALL db.create.setNodeVectorProperty(c, 'embedding', row.embedding)
WITH count(*) AS chunks
UNWIND $documentIds AS id
MATCH (d:Document {id: id})
SET d.embeddingModel = $model, d.updatedAt = datetime()
RETURN chunks, count(d) AS documents
