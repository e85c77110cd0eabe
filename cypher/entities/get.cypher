CALL () {
  MATCH (e:KgragEntity {id: $id}) RETURN e
  UNION
  MATCH (e) WHERE elementId(e) = $id AND e.collection IS NULL AND NOT e:Chunk AND NOT e:Document AND NOT e:KgragMeta RETURN e
}
WITH e WHERE coalesce(e.collection, '@graph') IN $collections
RETURN CASE WHEN e:KgragEntity
  THEN e { .*, labels: [l IN labels(e) WHERE l STARTS WITH 'Kgrag_' | substring(l, 6)], createdAt: toString(e.createdAt), updatedAt: toString(e.updatedAt) }
  // A node of a graph kgrag did not build: its own properties as they are, under kgrag's fields.
  ELSE { properties: properties(e), id: elementId(e), name: CASE WHEN e:KgragEntity THEN e.name ELSE coalesce(e.name, e.title, head([k IN keys(e) WHERE k =~ '.*(?:[a-z0-9_]Name|[a-z0-9_]Title|_name|_title|NAME|TITLE)' AND e[k] IS :: STRING | e[k]]), elementId(e)) END, type: head(labels(e)), collection: '@graph', labels: labels(e) }
END AS entity
