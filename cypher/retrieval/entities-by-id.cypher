// Entities the caller already identified in the question, if they are in the caller's collections
// (kgrag's by id; a graph kgrag did not build by elementId).
UNWIND $entityIds AS entityId
CALL (entityId) {
  MATCH (e:KgragEntity {id: entityId}) RETURN e
  UNION
  MATCH (e) WHERE elementId(e) = entityId AND e.collection IS NULL RETURN e
}
WITH e WHERE coalesce(e.collection, '@graph') IN $collections
RETURN CASE WHEN e:KgragEntity THEN e.id ELSE elementId(e) END AS id, CASE WHEN e:KgragEntity THEN e.name ELSE coalesce(e.name, e.title, head([k IN keys(e) WHERE k =~ '.*(?:[a-z0-9_]Name|[a-z0-9_]Title|_name|_title|NAME|TITLE)' AND e[k] IS :: STRING | e[k]]), elementId(e)) END AS name, CASE WHEN e:KgragEntity THEN e.type ELSE head(labels(e)) END AS type, coalesce(e.aliases, []) AS aliases,
       COUNT { (:Chunk)-[:MENTIONS]->(e) } AS df
