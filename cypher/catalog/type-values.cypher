// The most frequent property values per (from, to) pattern of one relationship type, over the
// same sample and with the same label choice as type-patterns.
MATCH (a)-[r:__TYPE__]->(b)
WHERE $collections IS NULL OR (coalesce(a.collection, '@graph') IN $collections AND coalesce(b.collection, '@graph') IN $collections)
WITH a, r, b LIMIT $sampleSize
WITH r,
  reduce(best = null, l IN labels(a) |
    CASE WHEN best IS NULL OR coalesce($rank[l], $unranked) < coalesce($rank[best], $unranked) THEN l ELSE best END) AS fromLabel,
  reduce(best = null, l IN labels(b) |
    CASE WHEN best IS NULL OR coalesce($rank[l], $unranked) < coalesce($rank[best], $unranked) THEN l ELSE best END) AS toLabel
UNWIND [k IN keys(r) WHERE NOT k IN $skipKeys] AS key
WITH fromLabel, toLabel, key, r[key] AS value
WITH fromLabel, toLabel, key, value, valueType(value) AS type
UNWIND CASE
    WHEN type = 'STRING NOT NULL' THEN CASE WHEN size(value) <= $maxLength THEN [value] ELSE [] END
    WHEN type = 'LIST<STRING NOT NULL> NOT NULL' THEN [x IN value WHERE size(x) <= $maxLength][..$maxListItems]
    WHEN type IN $sampleTypes THEN [value]
    ELSE []
  END AS item
WITH fromLabel, toLabel, key, item, count(*) AS frequency
ORDER BY frequency DESC, item
RETURN fromLabel, toLabel, key, count(*) AS distinct, collect(item)[..$maxSamples] AS top
