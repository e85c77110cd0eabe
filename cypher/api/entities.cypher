// Entities of the caller's collections with optional type and name filters; $sort picks the order.
MATCH (e:Entity)
WHERE e.collection IN $collections
  AND ($type IS NULL OR e.type = $type)
  AND ($q IS NULL OR toLower(e.name) CONTAINS toLower($q))
WITH e, COUNT { (:Chunk)-[:MENTIONS]->(e) } AS mentions
ORDER BY
  CASE $sort WHEN 'mentions' THEN mentions END DESC,
  CASE $sort WHEN 'name' THEN toLower(e.name) END ASC,
  CASE $sort WHEN 'name_desc' THEN toLower(e.name) END DESC,
  e.name, e.id
SKIP $skip LIMIT $limit
RETURN e.id AS id, e.collection AS collection, e.type AS type, e.name AS name,
       size(coalesce(e.aliases, [])) AS aliases, mentions, e.importKey IS NOT NULL AS imported
