MATCH (d:Document {id: $id})
WHERE d.collection IN $collections
OPTIONAL MATCH (c:Chunk {documentId: d.id})
WITH d, c ORDER BY c.index
RETURN d { .id, .collection, .key, .title, .source, .mimeType, .sha256, .metadata, .embeddingModel,
           .charCount, createdAt: toString(d.createdAt), updatedAt: toString(d.updatedAt) } AS document,
       collect(c { .id, .index, .page, .start, .end, .headingPath, .tokenCount, .ocrConfidence, .ocrLowConfidence, .text }) AS chunks
