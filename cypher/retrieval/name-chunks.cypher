// Passages that name an entity the knowledge graph links to nothing else (its name written
// differently elsewhere: "Alex Cox" / "Alexander B. H. Cox"), by BM25 over chunk text, at most
// $perName each.
UNWIND $names AS item
CALL (item) {
  CALL db.index.fulltext.queryNodes('chunk_fulltext', item.query) YIELD node, score
  WHERE node.collection IN $collections AND NOT node.id IN $exclude
  RETURN node, score LIMIT $perName
}
RETURN item.entityId AS entityId, node.id AS chunkId, score
