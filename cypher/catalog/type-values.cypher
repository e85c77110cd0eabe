// The most frequent property values per (from, to) pattern of one relationship type, over the
// same sample and with the same labels as type-patterns (every catalog label of each end).
MATCH (a)-[r:__TYPE__]->(b)
WHERE $collections IS NULL OR (coalesce(a.collection, '@graph') IN $collections AND coalesce(b.collection, '@graph') IN $collections)
WITH a, r, b LIMIT $sampleSize
WITH r, [l IN labels(a) WHERE l IN $labels] AS froms, [l IN labels(b) WHERE l IN $labels] AS tos
UNWIND reduce(pairs = [], f IN froms | pairs + [t IN tos | [f, t]]) AS ends
WITH r, ends[0] AS fromLabel, ends[1] AS toLabel
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
