MERGE (d:Document {id: $doc.id})
ON CREATE SET d.createdAt = datetime()
SET d.collection = $doc.collection,
    d.key = $doc.key,
    d.source = $doc.source,
    d.title = $doc.title,
    d.mimeType = $doc.mimeType,
    d.sha256 = $doc.sha256,
    d.metadata = $doc.metadata,
    d.embeddingModel = $doc.embeddingModel,
    d.chunkCount = $doc.chunkCount,
    d.charCount = $doc.charCount,
    d.updatedAt = datetime()
RETURN d.id AS id
