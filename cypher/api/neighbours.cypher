// One hop of a neighbourhood: relationships between entities of the frontier and other entities,
// both ends inside the caller's collections (a graph kgrag did not build: @graph). kgrag's lexical
// graph is never part of it.
UNWIND $frontier AS id
CALL (id) {
  MATCH (a:KgragEntity {id: id}) RETURN a
  UNION
  MATCH (a) WHERE elementId(a) = id AND a.collection IS NULL AND NOT a:Chunk AND NOT a:Document RETURN a
}
MATCH (a)-[r]-(b)
WHERE coalesce(a.collection, '@graph') IN $collections AND coalesce(b.collection, '@graph') IN $collections
  AND NOT b:Chunk AND NOT b:Document AND NOT b:KgragMeta
WITH DISTINCT r, b
RETURN type(r) AS type,
       CASE WHEN startNode(r):KgragEntity THEN startNode(r).id ELSE elementId(startNode(r)) END AS source,
       CASE WHEN endNode(r):KgragEntity THEN endNode(r).id ELSE elementId(endNode(r)) END AS target,
       r.confidence AS confidence,
       { id: CASE WHEN b:KgragEntity THEN b.id ELSE elementId(b) END, name: CASE WHEN b:KgragEntity THEN b.name ELSE coalesce(b.name, b.title, head([k IN keys(b) WHERE k =~ '.*(?:[a-z0-9_]Name|[a-z0-9_]Title|_name|_title|NAME|TITLE)' AND b[k] IS :: STRING | b[k]]), elementId(b)) END, type: CASE WHEN b:KgragEntity THEN b.type ELSE head(labels(b)) END, collection: coalesce(b.collection, '@graph') } AS node
ORDER BY coalesce(r.confidence, 1.0) DESC, type, node.name
LIMIT $limit
