// What a collection's communities are computed from (entities, their relationships and mentions,
// the documents): when any of it changes, the stored communities are stale.
CALL () { MATCH (e:KgragEntity {collection: $collection}) RETURN count(e) AS entities }
CALL () { MATCH (d:Document {collection: $collection}) RETURN count(d) AS documents, toString(max(d.updatedAt)) AS updated }
CALL () { MATCH (:KgragEntity {collection: $collection})-[r]->(:KgragEntity {collection: $collection}) RETURN count(r) AS relationships }
CALL () { MATCH (c:Chunk {collection: $collection})-[m:MENTIONS]->(:KgragEntity) RETURN count(m) AS mentions }
RETURN entities, documents, updated, relationships, mentions
