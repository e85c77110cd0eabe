// Entities of the caller's collections (and of a graph kgrag did not build, in @graph), most mentioned first.
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
RETURN CASE WHEN e:KgragEntity THEN e.id ELSE elementId(e) END AS id, coalesce(e.collection, '@graph') AS collection, CASE WHEN e:KgragEntity THEN e.type ELSE head(labels(e)) END AS type, name,
       size(coalesce(e.aliases, [])) AS aliases, mentions, e.importKey IS NOT NULL AS imported
ORDER BY mentions DESC, name
SKIP $skip LIMIT $limit
