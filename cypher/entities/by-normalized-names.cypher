// Exact lookup by (type, normalizedName) inside one collection; uses the (collection, type, normalizedName) index.
UNWIND $items AS item
MATCH (e:KgragEntity {collection: $collection, type: item.type, normalizedName: item.key})
RETURN DISTINCT e.id AS id, e.type AS type, e.name AS name, e.normalizedName AS normalizedName,
       coalesce(e.aliases, []) AS aliases, e.importKey IS NOT NULL AS imported
