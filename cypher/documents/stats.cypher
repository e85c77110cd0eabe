// Per collection: documents, chunks, entities (imported or extracted) and the relationships
// between entities of that collection; created collections that hold nothing yet count zeros.
CALL () {
  MATCH (d:Document) RETURN DISTINCT d.collection AS collection
  UNION
  MATCH (e:KgragEntity) RETURN DISTINCT e.collection AS collection
  UNION
  MATCH (c:_KgragCollection) RETURN c.name AS collection
}
RETURN collection,
       COUNT { (:Document {collection: collection}) } AS documents,
       COUNT { (:Chunk {collection: collection}) } AS chunks,
       COUNT { (:KgragEntity {collection: collection}) } AS entities,
       COUNT { (:KgragEntity {collection: collection})-[]->(:KgragEntity) } AS relationships
ORDER BY collection
