MATCH (e:Entity {id: $id})
WHERE e.collection IN $collections
RETURN e { .id, .name, .type, .collection } AS node
