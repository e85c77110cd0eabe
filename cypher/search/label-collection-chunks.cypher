// Chunks of the collection written before it had an index of its own get the collection's label.
MATCH (c:Chunk {collection: $collection}) WHERE NOT $label IN labels(c)
CALL (c) { SET c:$($label) } IN TRANSACTIONS OF 5000 ROWS
