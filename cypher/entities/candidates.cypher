// Fuzzy candidates by name and aliases (fulltext), inside one collection and type.
CALL db.index.fulltext.queryNodes('kgrag_entity_names', $query) YIELD node, score
WHERE node.collection = $collection AND node.type = $type
RETURN node.id AS id, node.type AS type, node.name AS name, node.normalizedName AS normalizedName,
       coalesce(node.aliases, []) AS aliases, node.importKey IS NOT NULL AS imported
LIMIT $limit
