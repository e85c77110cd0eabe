// Entities whose name or aliases share words with the question, in the caller's collections. The
// caller keeps those whose whole name occurs in the question. `df`: passages that mention the
// entity (the degree of MENTIONS, which never crosses a collection), to damp hubs.
CALL db.index.fulltext.queryNodes('kgrag_entity_names', $query) YIELD node, score
WHERE node.collection IN $collections
WITH node, score LIMIT $limit
RETURN node.id AS id, node.name AS name, node.type AS type, coalesce(node.aliases, []) AS aliases,
       score, COUNT { (:Chunk)-[:MENTIONS]->(node) } AS df
