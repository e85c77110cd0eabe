// Property keys, value types, presence and ranges over a sample of one label's nodes: the
// first $sampleSize nodes in scope (no full scan). One row per (key, type); the null key row
// appears once per sampled node, so its `present` is the sample size.
MATCH (n:__LABEL__)
WHERE $collections IS NULL OR coalesce(n.collection, '@graph') IN $collections
WITH n LIMIT $sampleSize
UNWIND [null] + [k IN keys(n) WHERE NOT k IN $skipKeys] AS key
WITH key, n[key] AS value
WITH key, value, valueType(value) AS type
RETURN key, type, count(*) AS present,
  min(CASE WHEN type IN $rangeTypes THEN value END) AS min,
  max(CASE WHEN type IN $rangeTypes THEN value END) AS max,
  max(CASE WHEN type = 'STRING NOT NULL' THEN size(value) END) AS maxLength
