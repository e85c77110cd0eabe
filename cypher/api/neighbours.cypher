// One hop of a neighbourhood: relationships between entities of the frontier and other entities,
// both ends inside the caller's collections.
MATCH (a:Entity)-[r]-(b:Entity)
WHERE a.id IN $frontier AND a.collection IN $collections AND b.collection IN $collections
WITH DISTINCT r, b
RETURN type(r) AS type, startNode(r).id AS source, endNode(r).id AS target, r.confidence AS confidence,
       b { .id, .name, .type, .collection } AS node
ORDER BY coalesce(r.confidence, 1.0) DESC, type, node.name
LIMIT $limit
