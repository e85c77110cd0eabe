// Counters of windows that have ended.
MATCH (c:_KgragCounter)
WHERE c.expiresAt < $now
WITH c LIMIT 10000
DELETE c
