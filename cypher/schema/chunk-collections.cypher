// Collections that hold chunks (each gets a vector index of its own).
MATCH (c:Chunk) RETURN DISTINCT c.collection AS collection ORDER BY collection
