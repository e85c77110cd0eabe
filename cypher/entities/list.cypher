MATCH (e:Entity)
WHERE e.collection IN $collections AND ($type IS NULL OR e.type = $type)
RETURN e.id AS id, e.collection AS collection, e.type AS type, e.name AS name,
       size(coalesce(e.aliases, [])) AS aliases, COUNT { (:Chunk)-[:MENTIONS]->(e) } AS mentions,
       e.importKey IS NOT NULL AS imported
ORDER BY mentions DESC, name
SKIP $skip LIMIT $limit
