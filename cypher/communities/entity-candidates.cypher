// Entities of the caller's collections whose name or aliases share words with $query, for "tell
// me everything about X"; the caller keeps those whose whole name the question gives.
CALL db.index.fulltext.queryNodes('kgrag_entity_names', $query) YIELD node, score
WHERE node.collection IN $collections
WITH node, score ORDER BY score DESC, node.id LIMIT $limit
RETURN node.id AS id, node.name AS name, node.type AS type, coalesce(node.aliases, []) AS aliases, node.collection AS collection,
       COUNT { (:Chunk)-[:MENTIONS]->(node) } AS mentions
