// Nearest chunks in ONE collection's own vector index (see src/graph/collection-index.ts): no over-fetch, no filter.
CALL db.index.vector.queryNodes($index, $k, $embedding) YIELD node, score
MATCH (node)-[:PART_OF]->(d:Document)
RETURN node.id AS chunkId, d.id AS documentId, d.title AS title, d.source AS source,
       node.page AS page, node.text AS text, score, node.collection AS collection
