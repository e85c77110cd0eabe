// Every collection that holds documents or entities (an import-only collection has no documents),
// and those an admin created that hold nothing yet.
CALL () {
  MATCH (d:Document) RETURN DISTINCT d.collection AS collection
  UNION
  MATCH (e:KgragEntity) RETURN DISTINCT e.collection AS collection
  UNION
  MATCH (c:_KgragCollection) RETURN c.name AS collection
}
RETURN collection ORDER BY collection
