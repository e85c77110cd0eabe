// How many chunks the vector index holds, and how many of them are in the caller's collections.
MATCH (n:Chunk)
WITH count(n) AS total
OPTIONAL MATCH (c:Chunk) WHERE c.collection IN $collections
RETURN total, count(c) AS inCollections
