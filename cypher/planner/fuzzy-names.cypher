// Entities whose name or alias is close to a phrase of the question (typos), inside the caller's
// collections; the planner checks every candidate word by word before using it.
CALL db.index.fulltext.queryNodes('kgrag_entity_names', $query) YIELD node, score
WHERE node.collection IN $collections
WITH node, score LIMIT $limit
RETURN elementId(node) AS id, node.name AS name, [l IN labels(node) WHERE l STARTS WITH 'Kgrag_' | substring(l, 6)] AS labels,
       COUNT { (node)--(m) WHERE NOT m:Chunk } AS degree
