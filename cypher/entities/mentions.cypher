UNWIND $mentions AS m
MATCH (c:Chunk {id: m.chunkId})
MATCH (e:KgragEntity {id: m.entityId})
MERGE (c)-[r:MENTIONS]->(e)
SET r.surfaces = m.surfaces, r.count = m.count, r.method = m.method, r.score = m.score
