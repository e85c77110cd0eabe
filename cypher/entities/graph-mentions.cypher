// MENTIONS from kgrag's chunks to nodes of a graph kgrag did not build: the only thing kgrag ever
// writes there (the node's own properties and labels are never touched).
UNWIND $mentions AS m
MATCH (c:Chunk {id: m.chunkId})
MATCH (e) WHERE elementId(e) = m.entityId AND e.collection IS NULL
MERGE (c)-[r:MENTIONS]->(e)
SET r.surfaces = m.surfaces, r.count = m.count, r.method = m.method, r.score = m.score
