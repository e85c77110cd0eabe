// Directed (from, to) label patterns of one relationship type and their property types, over
// the first $sampleSize relationships in scope. Each end is named by its most specific label:
// the one with the lowest $rank (fewest nodes; kgrag's umbrella KgragEntity is unranked, so last). The null key
// row appears once per relationship, so its `present` counts the pattern.
MATCH (a)-[r:__TYPE__]->(b)
WHERE $collections IS NULL OR (coalesce(a.collection, '@graph') IN $collections AND coalesce(b.collection, '@graph') IN $collections)
WITH a, r, b LIMIT $sampleSize
WITH r,
  reduce(best = null, l IN labels(a) |
    CASE WHEN best IS NULL OR coalesce($rank[l], $unranked) < coalesce($rank[best], $unranked) THEN l ELSE best END) AS fromLabel,
  reduce(best = null, l IN labels(b) |
    CASE WHEN best IS NULL OR coalesce($rank[l], $unranked) < coalesce($rank[best], $unranked) THEN l ELSE best END) AS toLabel
UNWIND [null] + [k IN keys(r) WHERE NOT k IN $skipKeys] AS key
WITH fromLabel, toLabel, key, r[key] AS value
WITH fromLabel, toLabel, key, value, valueType(value) AS type
RETURN fromLabel, toLabel, key, type, count(*) AS present,
  min(CASE WHEN type IN $rangeTypes THEN value END) AS min,
  max(CASE WHEN type IN $rangeTypes THEN value END) AS max,
  max(CASE WHEN type = 'STRING NOT NULL' THEN size(value) END) AS maxLength
