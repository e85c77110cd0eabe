// Which short string properties of one label hold one of the question's phrases (case-insensitive),
// and on which nodes; acronyms ($acronyms, lower case) match values by their initials. Bounded: at most $scan nodes are read per label, $maxIds ids per value.
MATCH (n:__LABEL__)
WHERE $collections IS NULL OR coalesce(n.collection, '@graph') IN $collections
WITH n LIMIT $scan
UNWIND $props AS key
WITH n, key, n[key] AS value
UNWIND CASE WHEN value IS :: LIST<STRING> THEN value WHEN value IS :: STRING THEN [value] ELSE [] END AS item
WITH n, key, item, toLower(item) AS lower
// An acronym in the question ("CEO") also names a value by its initials ("Chief Executive Officer").
WITH n, key, item, CASE WHEN lower IN $phrases THEN lower
  WHEN size(item) <= 60 AND size($acronyms) > 0 THEN reduce(s = '', w IN split(lower, ' ') | s + left(w, 1)) END AS phrase
WHERE phrase IN $phrases OR phrase IN $acronyms
// Degree outside kgrag's lexical graph tells a record from a stray extraction with the same name.
RETURN key, phrase, item AS value, count(DISTINCT n) AS count, collect(DISTINCT elementId(n))[..$maxIds] AS ids,
       max(COUNT { (n)--(m) WHERE NOT m:Chunk }) AS degree
