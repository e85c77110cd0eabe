// $index: chunk_fulltext (English analyzer) or chunk_fulltext_cjk (bigrams), chosen by the query's script.
CALL db.index.fulltext.queryNodes($index, $query) YIELD node, score
WHERE node.collection IN $collections
WITH node, score LIMIT $k
MATCH (node)-[:PART_OF]->(d:Document)
RETURN node.id AS chunkId, d.id AS documentId, d.title AS title, d.source AS source,
       node.page AS page, node.text AS text, score, node.collection AS collection
