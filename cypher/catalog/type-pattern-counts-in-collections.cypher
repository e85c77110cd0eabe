// Exact (from, to) pattern counts of one relationship type within the caller's collections, with
// the same labels as type-patterns (every catalog label of each end). Scans the type: run only
// when the sample was not enough.
MATCH (a)-[r:__TYPE__]->(b)
WHERE coalesce(a.collection, '@graph') IN $collections AND coalesce(b.collection, '@graph') IN $collections
UNWIND [f IN labels(a) WHERE f IN $labels] AS fromLabel
UNWIND [t IN labels(b) WHERE t IN $labels] AS toLabel
RETURN fromLabel, toLabel, count(*) AS count
