SHOW VECTOR INDEXES YIELD name, state, options, properties
WHERE name = 'chunk_embedding'
RETURN state, options.indexConfig['vector.dimensions'] AS dimension, properties
