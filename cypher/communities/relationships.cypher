// Relationships between the entities of one collection (extracted or imported), weighted by the
// passages that state them.
MATCH (a:KgragEntity {collection: $collection})-[r]->(b:KgragEntity {collection: $collection})
WHERE a <> b
RETURN a.id AS source, b.id AS target, size(coalesce(r.sources, [])) AS support
ORDER BY source, target
