// Documents whose chunks were embedded by another model (optionally only in $collections), with
// what is embedded for each chunk. A bounded batch: the job loops until none are left.
MATCH (d:Document)
WHERE coalesce(d.embeddingModel, '') <> $model AND ($collections IS NULL OR d.collection IN $collections)
WITH d ORDER BY d.id LIMIT $limit
OPTIONAL MATCH (c:Chunk {documentId: d.id})
WITH d, c ORDER BY c.index
RETURN d.id AS documentId, d.title AS title,
       [x IN collect(c) | {id: x.id, text: x.text, headingPath: x.headingPath}] AS chunks
