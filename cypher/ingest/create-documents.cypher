// Documents the pipeline found absent: CREATE, not MERGE, so that one created meanwhile fails the
// uniqueness constraint (and the batch falls back to replacing documents one at a time).
UNWIND $docs AS doc
CREATE (d:Document {
  id: doc.id, collection: doc.collection, key: doc.key, source: doc.source, title: doc.title,
  mimeType: doc.mimeType, sha256: doc.sha256, metadata: doc.metadata, embeddingModel: doc.embeddingModel,
  chunkCount: doc.chunkCount, charCount: doc.charCount, createdAt: datetime(), updatedAt: datetime()
})
RETURN count(d) AS created
