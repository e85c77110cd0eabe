CALL () {
  MATCH (e:KgragEntity {id: $id}) RETURN e
  UNION
  MATCH (e) WHERE elementId(e) = $id AND e.collection IS NULL AND NOT e:Chunk AND NOT e:Document AND NOT e:KgragMeta RETURN e
}
WITH e WHERE coalesce(e.collection, '@graph') IN $collections
RETURN { id: CASE WHEN e:KgragEntity THEN e.id ELSE elementId(e) END, name: CASE WHEN e:KgragEntity THEN e.name ELSE coalesce(e.name, e.title, head([k IN keys(e) WHERE k =~ '.*(?:[a-z0-9_]Name|[a-z0-9_]Title|_name|_title|NAME|TITLE)' AND e[k] IS :: STRING | e[k]]), elementId(e)) END, type: CASE WHEN e:KgragEntity THEN e.type ELSE head(labels(e)) END, collection: coalesce(e.collection, '@graph') } AS node
