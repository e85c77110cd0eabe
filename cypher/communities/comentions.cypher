// Entities mentioned together in one passage of the collection (passages naming more than
// $maxEntities are lists, not topics, and are left out).
MATCH (c:Chunk {collection: $collection})-[:MENTIONS]->(e:KgragEntity)
WITH c, collect(DISTINCT e.id) AS ids
WHERE size(ids) >= 2 AND size(ids) <= $maxEntities
RETURN c.id AS chunkId, ids
ORDER BY chunkId
