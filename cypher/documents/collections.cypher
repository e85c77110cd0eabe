// Every collection that holds documents or entities (an import-only collection has no documents).
CALL () {
  MATCH (d:Document) RETURN DISTINCT d.collection AS collection
  UNION
  MATCH (e:KgragEntity) RETURN DISTINCT e.collection AS collection
}
RETURN collection ORDER BY collection
