// The most frequent values of each property over the same sample: short strings, elements of
// string lists, and scalars of $sampleTypes. Long texts and vectors are never read as samples.
MATCH (n:__LABEL__)
WHERE $collections IS NULL OR coalesce(n.collection, '@graph') IN $collections
WITH n LIMIT $sampleSize
UNWIND [k IN keys(n) WHERE NOT k IN $skipKeys] AS key
WITH key, n[key] AS value
WITH key, value, valueType(value) AS type
UNWIND CASE
    WHEN type = 'STRING NOT NULL' THEN CASE WHEN size(value) <= $maxLength THEN [value] ELSE [] END
    WHEN type = 'LIST<STRING NOT NULL> NOT NULL' THEN [x IN value WHERE size(x) <= $maxLength][..$maxListItems]
    WHEN type IN $sampleTypes THEN [value]
    ELSE []
  END AS item
WITH key, item, count(*) AS frequency
ORDER BY frequency DESC, item
RETURN key, count(*) AS distinct, collect(item)[..$maxSamples] AS top
