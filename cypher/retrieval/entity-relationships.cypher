// Relationships between entities, at most $fanout per entity, best supported first. Both ends
// are in the caller's collections; MENTIONS never qualifies (its start node is a Chunk).
UNWIND $entityIds AS entityId
MATCH (e:Entity {id: entityId})
WHERE e.collection IN $collections
CALL (e) {
  MATCH (e)-[r]-(o:Entity)
  WHERE o.collection IN $collections
  RETURN r, o ORDER BY size(coalesce(r.sources, [])) + size(coalesce(r.importSources, [])) DESC,
                       coalesce(r.confidence, 1.0) DESC, o.id
  LIMIT $fanout
}
RETURN e.id AS entityId, e.name AS entityName, e.type AS entityType, elementId(r) AS relId, type(r) AS type,
       startNode(r) = e AS outgoing, o.id AS otherId, o.name AS otherName, o.type AS otherType,
       properties(r) AS properties, COUNT { (:Chunk)-[:MENTIONS]->(o) } AS otherDf
