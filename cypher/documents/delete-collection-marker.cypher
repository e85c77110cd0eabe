MATCH (c:_KgragCollection {name: $name})
DELETE c
RETURN count(*) AS deleted
