CALL () {
  MATCH (e:KgragEntity {id: $id}) RETURN e
  UNION
  MATCH (e) WHERE elementId(e) = $id AND e.collection IS NULL AND NOT e:Chunk AND NOT e:Document AND NOT e:KgragMeta RETURN e
}
WITH e WHERE coalesce(e.collection, '@graph') IN $collections
MATCH (e)-[r]-(other)
WHERE coalesce(other.collection, '@graph') IN $collections AND NOT other:Chunk AND NOT other:Document AND NOT other:KgragMeta
RETURN type(r) AS type, startNode(r) = e AS outgoing, CASE WHEN other:KgragEntity THEN other.id ELSE elementId(other) END AS otherId, CASE WHEN other:KgragEntity THEN other.name ELSE coalesce(other.name, other.title, head([k IN keys(other) WHERE k =~ '.*(?:[a-z0-9_]Name|[a-z0-9_]Title|_name|_title|NAME|TITLE)' AND other[k] IS :: STRING | other[k]]), elementId(other)) END AS otherName,
       CASE WHEN other:KgragEntity THEN other.type ELSE head(labels(other)) END AS otherType, properties(r) AS properties
ORDER BY type, otherName
LIMIT $limit
