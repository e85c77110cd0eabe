// The entities of one collection: the nodes of its entity graph.
MATCH (e:KgragEntity {collection: $collection})
RETURN e.id AS id, e.name AS name, e.type AS type, COUNT { (:Chunk)-[:MENTIONS]->(e) } AS mentions
ORDER BY e.id
