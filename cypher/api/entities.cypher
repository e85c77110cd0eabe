// Entities of the caller's collections with optional type and name filters; $sort picks the order.
// Entities of a graph kgrag did not build (@graph) are its nodes: id elementId, type its first label.
CALL () {
  MATCH (e:KgragEntity) WHERE e.collection IN $collections AND ($type IS NULL OR e.type = $type)
  RETURN e
  UNION
  // A graph kgrag did not build: its nodes, to callers who hold its scope; the type is a label.
  MATCH (e) WHERE '@graph' IN $collections AND e.collection IS NULL
    AND NOT e:Chunk AND NOT e:Document AND NOT e:KgragMeta AND ($type IS NULL OR $type IN labels(e))
  RETURN e
}
WITH e, CASE WHEN e:KgragEntity THEN e.name ELSE coalesce(e.name, e.title, head([k IN keys(e) WHERE k =~ '.*(?:[a-z0-9_]Name|[a-z0-9_]Title|_name|_title|NAME|TITLE)' AND e[k] IS :: STRING | e[k]]), elementId(e)) END AS name, COUNT { (:Chunk)-[:MENTIONS]->(e) } AS mentions
WHERE $q IS NULL OR toLower(name) CONTAINS toLower($q)
ORDER BY
  CASE $sort WHEN 'mentions' THEN mentions END DESC,
  CASE $sort WHEN 'name' THEN toLower(name) END ASC,
  CASE $sort WHEN 'name_desc' THEN toLower(name) END DESC,
  name, CASE WHEN e:KgragEntity THEN e.id ELSE elementId(e) END
SKIP $skip LIMIT $limit
RETURN CASE WHEN e:KgragEntity THEN e.id ELSE elementId(e) END AS id, coalesce(e.collection, '@graph') AS collection, CASE WHEN e:KgragEntity THEN e.type ELSE head(labels(e)) END AS type, name,
       size(coalesce(e.aliases, [])) AS aliases, mentions, e.importKey IS NOT NULL AS imported
