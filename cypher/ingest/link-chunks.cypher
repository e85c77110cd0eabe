// NEXT between consecutive chunks, the pairs computed by the caller (ids are unique: index lookups).
UNWIND $pairs AS pair
MATCH (a:Chunk {id: pair.from})
MATCH (b:Chunk {id: pair.to})
CREATE (a)-[:NEXT]->(b)
RETURN count(*) AS linked
