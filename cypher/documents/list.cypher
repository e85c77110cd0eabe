MATCH (d:Document)
WHERE d.collection IN $collections
RETURN d.id AS id, d.collection AS collection, d.title AS title, d.source AS source,
       d.mimeType AS mimeType, d.chunkCount AS chunks, d.createdAt AS createdAt, d.updatedAt AS updatedAt
ORDER BY d.updatedAt DESC, d.id
SKIP $skip LIMIT $limit
