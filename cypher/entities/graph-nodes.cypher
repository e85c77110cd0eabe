// Nodes of a graph kgrag did not build whose display name (__NAME__) is one of $names exactly:
// an equality lookup, so the graph's own index or constraint on that property serves it.
MATCH (n:__LABEL__)
WHERE n.__NAME__ IN $names AND n.collection IS NULL
RETURN elementId(n) AS id, n.__NAME__ AS name
LIMIT $limit
