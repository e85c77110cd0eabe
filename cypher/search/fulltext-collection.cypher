// BM25 in ONE collection's own full-text index (see src/graph/collection-index.ts): its own term statistics, no filter.
CALL db.index.fulltext.queryNodes($index, $query) YIELD node, score
WITH node, score LIMIT $k
MATCH (node)-[:PART_OF]->(d:Document)
RETURN node.id AS chunkId, d.id AS documentId, d.title AS title, d.source AS source,
       node.page AS page, node.text AS text, score, node.collection AS collection
