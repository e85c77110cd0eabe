OPTIONAL MATCH (m:KgragMeta {key: 'embedding'})
CALL (m) { MATCH (c:Chunk) RETURN count(c) AS chunks }
RETURN m.model AS model, m.dimension AS dimension, chunks
