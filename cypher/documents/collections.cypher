MATCH (d:Document) RETURN DISTINCT d.collection AS collection ORDER BY collection
