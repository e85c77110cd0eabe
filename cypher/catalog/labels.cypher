// Node labels in use (names only; each is counted and sampled by its own statement).
CALL db.labels() YIELD label
RETURN label
ORDER BY label
