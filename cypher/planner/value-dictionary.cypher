// Every short string value of one label's properties $props, grouped by property and value: the
// question's phrases are then matched in memory (see value-lookup.cypher, which this replaces for
// a label that is asked about again). Bounded like it: at most $scan nodes, $maxIds ids per value,
// $maxRows values in all (a fuller answer means the label is too large to keep in memory).
MATCH (n:__LABEL__)
WHERE $collections IS NULL OR coalesce(n.collection, '@graph') IN $collections
WITH n LIMIT $scan
// Degree outside kgrag's lexical graph tells a record from a stray extraction with the same name.
WITH n, COUNT { (n)--(m) WHERE NOT m:Chunk } AS degree
UNWIND $props AS key
WITH n, degree, key, n[key] AS value
UNWIND CASE WHEN value IS :: LIST<STRING> THEN value WHEN value IS :: STRING THEN [value] ELSE [] END AS item
WITH key, item, count(DISTINCT n) AS count, collect(DISTINCT elementId(n))[..$maxIds] AS ids, max(degree) AS degree
LIMIT $maxRows
RETURN key, item AS value, count, ids, degree
