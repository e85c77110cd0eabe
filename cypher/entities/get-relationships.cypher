MATCH (e:Entity {id: $id})-[r]-(other:Entity)
WHERE other.collection IN $collections
RETURN type(r) AS type, startNode(r) = e AS outgoing, other.id AS otherId, other.name AS otherName,
       other.type AS otherType, properties(r) AS properties
ORDER BY type, otherName
LIMIT $limit
