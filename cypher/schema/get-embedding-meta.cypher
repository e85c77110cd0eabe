// The model the vector index was built for, and the chunks of documents embedded by another one.
OPTIONAL MATCH (m:KgragMeta {key: 'embedding'})
CALL (m) {
  MATCH (d:Document) WHERE coalesce(d.embeddingModel, '') <> $model
  MATCH (c:Chunk {documentId: d.id})
  RETURN count(c) AS chunks, collect(DISTINCT d.embeddingModel)[0] AS otherModel
}
RETURN m.model AS model, m.dimension AS dimension, chunks, otherModel
