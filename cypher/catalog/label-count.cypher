// Exact node count of one label from the count store (no scan). __LABEL__ is replaced by the
// quoted label name read from db.labels().
MATCH (n:__LABEL__)
RETURN count(n) AS count
