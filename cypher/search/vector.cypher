// The index has no filter in Community 5.x: over-fetch $candidates, then keep the caller's collections.
CALL db.index.vector.queryNodes('chunk_embedding', $candidates, $embedding) YIELD node, score
WHERE node.collection IN $collections
WITH node, score ORDER BY score DESC LIMIT $k
MATCH (node)-[:PART_OF]->(d:Document)
RETURN node.id AS chunkId, d.id AS documentId, d.title AS title, d.source AS source,
       node.page AS page, node.text AS text, score, node.collection AS collection
