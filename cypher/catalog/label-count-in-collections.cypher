// Node count of one label within the caller's collections (a label scan with a filter).
MATCH (n:__LABEL__)
WHERE coalesce(n.collection, '@graph') IN $collections
RETURN count(n) AS count
