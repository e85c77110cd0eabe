// Per collection: documents, chunks, entities (imported or extracted) and the relationships
// between entities of that collection.
CALL () {
  MATCH (d:Document) RETURN DISTINCT d.collection AS collection
  UNION
  MATCH (e:Entity) RETURN DISTINCT e.collection AS collection
}
RETURN collection,
       COUNT { (:Document {collection: collection}) } AS documents,
       COUNT { (:Chunk {collection: collection}) } AS chunks,
       COUNT { (:Entity {collection: collection}) } AS entities,
       COUNT { (:Entity {collection: collection})-[]->(:Entity) } AS relationships
ORDER BY collection
