// One batch of a collection's removal: its nodes and their relationships (deleteCollection loops
// until a batch deletes nothing, so no transaction holds a whole collection).
MATCH (n)
WHERE n.collection = $name
WITH n LIMIT $batch
DETACH DELETE n
RETURN count(*) AS deleted
