CYPHER 25
// Nearest chunks of the caller's collections, filtered inside the shared index (Neo4j 2026.01+:
// `chunk_embedding` declares `collection` as a filter property, schema/vector-index-filtered).
MATCH (node:Chunk)
  SEARCH node IN (VECTOR INDEX chunk_embedding FOR $embedding WHERE node.collection = $collection LIMIT $k) SCORE AS score
MATCH (node)-[:PART_OF]->(d:Document)
RETURN node.id AS chunkId, d.id AS documentId, d.title AS title, d.source AS source,
       node.page AS page, node.text AS text, score, node.collection AS collection
