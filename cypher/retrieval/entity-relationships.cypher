// Relationships between entities, at most $fanout per entity, best supported first. Both ends
// are in the caller's collections (a graph kgrag did not build: its own relationships, in @graph);
// kgrag's lexical graph (MENTIONS, PART_OF) never qualifies.
UNWIND $entityIds AS entityId
CALL (entityId) {
  MATCH (e:KgragEntity {id: entityId}) RETURN e
  UNION
  MATCH (e) WHERE elementId(e) = entityId AND e.collection IS NULL RETURN e
}
WITH entityId, e WHERE coalesce(e.collection, '@graph') IN $collections
CALL (e) {
  MATCH (e)-[r]-(o)
  WHERE NOT o:Chunk AND NOT o:Document AND coalesce(o.collection, '@graph') IN $collections
  RETURN r, o ORDER BY size(coalesce(r.sources, [])) + size(coalesce(r.importSources, [])) DESC,
                       coalesce(r.confidence, 1.0) DESC, CASE WHEN o:KgragEntity THEN o.id ELSE elementId(o) END
  LIMIT $fanout
}
RETURN entityId, CASE WHEN e:KgragEntity THEN e.name ELSE coalesce(e.name, e.title, head([k IN keys(e) WHERE k =~ '.*(?:[a-z0-9_]Name|[a-z0-9_]Title|_name|_title|NAME|TITLE)' AND e[k] IS :: STRING | e[k]]), elementId(e)) END AS entityName, CASE WHEN e:KgragEntity THEN e.type ELSE head(labels(e)) END AS entityType, elementId(r) AS relId, type(r) AS type,
       startNode(r) = e AS outgoing, CASE WHEN o:KgragEntity THEN o.id ELSE elementId(o) END AS otherId, CASE WHEN o:KgragEntity THEN o.name ELSE coalesce(o.name, o.title, head([k IN keys(o) WHERE k =~ '.*(?:[a-z0-9_]Name|[a-z0-9_]Title|_name|_title|NAME|TITLE)' AND o[k] IS :: STRING | o[k]]), elementId(o)) END AS otherName, CASE WHEN o:KgragEntity THEN o.type ELSE head(labels(o)) END AS otherType,
       properties(r) AS properties, COUNT { (:Chunk)-[:MENTIONS]->(o) } AS otherDf
