MATCH (e:Entity {id: $id})
WHERE e.collection IN $collections
RETURN e { .*, labels: [l IN labels(e) WHERE l <> 'Entity'], createdAt: toString(e.createdAt), updatedAt: toString(e.updatedAt) } AS entity
