// Entities the caller already identified in the question, if they are in the caller's collections.
UNWIND $entityIds AS entityId
MATCH (e:Entity {id: entityId})
WHERE e.collection IN $collections
RETURN e.id AS id, e.name AS name, e.type AS type, coalesce(e.aliases, []) AS aliases,
       COUNT { (:Chunk)-[:MENTIONS]->(e) } AS df
