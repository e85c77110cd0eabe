// Exact (from, to) pattern counts of one relationship type within the caller's collections, with
// the same label choice as type-patterns. Scans the type: run only when the sample was not enough.
MATCH (a)-[r:__TYPE__]->(b)
WHERE coalesce(a.collection, '@graph') IN $collections AND coalesce(b.collection, '@graph') IN $collections
WITH
  reduce(best = null, l IN labels(a) |
    CASE WHEN best IS NULL OR coalesce($rank[l], $unranked) < coalesce($rank[best], $unranked) THEN l ELSE best END) AS fromLabel,
  reduce(best = null, l IN labels(b) |
    CASE WHEN best IS NULL OR coalesce($rank[l], $unranked) < coalesce($rank[best], $unranked) THEN l ELSE best END) AS toLabel
RETURN fromLabel, toLabel, count(*) AS count
