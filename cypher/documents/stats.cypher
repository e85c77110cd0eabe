// Per collection: documents and chunks, entities (any node labelled Entity) and the
// relationships between entities of that collection.
MATCH (d:Document)
WITH d.collection AS collection, count(d) AS documents
OPTIONAL MATCH (c:Chunk {collection: collection})
WITH collection, documents, count(c) AS chunks
OPTIONAL MATCH (e:Entity {collection: collection})
WITH collection, documents, chunks, count(e) AS entities
OPTIONAL MATCH (a:Entity {collection: collection})-[r]->(:Entity)
RETURN collection, documents, chunks, entities, count(r) AS relationships
ORDER BY collection
