CYPHER 25
// Neo4j 2026.01+: the shared index also stores each chunk's collection, so that a search filters
// by it inside the index (search/vector-filtered) instead of over-fetching.
CREATE VECTOR INDEX chunk_embedding IF NOT EXISTS FOR (c:Chunk) ON c.embedding WITH [c.collection]
  OPTIONS { indexConfig: { `vector.dimensions`: $dimension, `vector.similarity_function`: 'cosine' } }
