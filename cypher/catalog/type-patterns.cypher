// Directed (from, to) label patterns of one relationship type and their property types, over
// the first $sampleSize relationships in scope. A node with several catalog labels ($labels) is
// an end of a pattern under each of them (a Service that is also a Process listens as both).
// The row with null labels appears once per sampled relationship and counts the sample; the null
// key row of each pattern appears once per relationship of it and counts the pattern.
// (catalog.ts narrows `(a)` or `(b)` to one label to sample the patterns of a label the first
// relationships missed.)
MATCH (a)-[r:__TYPE__]->(b)
WHERE $collections IS NULL OR (coalesce(a.collection, '@graph') IN $collections AND coalesce(b.collection, '@graph') IN $collections)
WITH a, r, b LIMIT $sampleSize
WITH r, [l IN labels(a) WHERE l IN $labels] AS froms, [l IN labels(b) WHERE l IN $labels] AS tos
UNWIND [[null, null]] + reduce(pairs = [], f IN froms | pairs + [t IN tos | [f, t]]) AS ends
WITH r, ends[0] AS fromLabel, ends[1] AS toLabel
UNWIND [null] + CASE WHEN fromLabel IS NULL THEN [] ELSE [k IN keys(r) WHERE NOT k IN $skipKeys] END AS key
WITH fromLabel, toLabel, key, r[key] AS value
WITH fromLabel, toLabel, key, value, valueType(value) AS type
RETURN fromLabel, toLabel, key, type, count(*) AS present,
  min(CASE WHEN type IN $rangeTypes THEN value END) AS min,
  max(CASE WHEN type IN $rangeTypes THEN value END) AS max,
  max(CASE WHEN type = 'STRING NOT NULL' THEN size(value) END) AS maxLength
