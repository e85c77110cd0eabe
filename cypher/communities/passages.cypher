// Passages of the collection that mention any of $entityIds, with every entity each mentions (and
// how it is written there), for the extractive summary of a community.
UNWIND $entityIds AS entityId
MATCH (c:Chunk {collection: $collection})-[:MENTIONS]->(:KgragEntity {id: entityId})
WITH DISTINCT c
MATCH (c)-[:PART_OF]->(d:Document {collection: $collection})
RETURN c.id AS chunkId, d.id AS documentId, d.title AS title, d.source AS source, c.page AS page, c.text AS text,
       [(c)-[m:MENTIONS]->(e:KgragEntity) | {id: e.id, name: e.name, surfaces: coalesce(m.surfaces, [])}] AS mentions
ORDER BY chunkId
LIMIT $limit
