MATCH (c:_KgragCounter {id: $id})
DELETE c
