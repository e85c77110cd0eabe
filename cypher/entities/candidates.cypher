// Fuzzy candidates by name and aliases (fulltext), inside one collection and type: for every item at once.
UNWIND $items AS item
CALL (item) {
  CALL db.index.fulltext.queryNodes('kgrag_entity_names', item.query) YIELD node, score
  WHERE node.collection = $collection AND node.type = item.type
  RETURN node
  LIMIT $limit
}
RETURN item.i AS i, collect({id: node.id, type: node.type, name: node.name, normalizedName: node.normalizedName,
       aliases: coalesce(node.aliases, []), imported: node.importKey IS NOT NULL}) AS candidates
