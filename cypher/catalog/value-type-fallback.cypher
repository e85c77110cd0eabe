// An expression, not a statement: replaces valueType(value) on servers before Neo4j 5.13 and
// answers in valueType()'s own format, from conversion functions every Neo4j 5 has.
// toStringOrNull gives null only for lists; the ISO text of a temporal tells its kind.
CASE
  WHEN value IS NULL THEN 'NULL'
  WHEN toStringOrNull(value) = value THEN 'STRING NOT NULL'
  WHEN toBooleanOrNull(value) = value THEN 'BOOLEAN NOT NULL'
  WHEN toStringOrNull(value) IS NULL THEN CASE
    WHEN size(value) = 0 THEN 'LIST<NOTHING> NOT NULL'
    WHEN all(x IN value WHERE toStringOrNull(x) = x) THEN 'LIST<STRING NOT NULL> NOT NULL'
    WHEN all(x IN value WHERE toBooleanOrNull(x) = x) THEN 'LIST<BOOLEAN NOT NULL> NOT NULL'
    WHEN all(x IN value WHERE toIntegerOrNull(x) = x AND NOT toStringOrNull(x) =~ '.*[.EeN].*') THEN 'LIST<INTEGER NOT NULL> NOT NULL'
    WHEN all(x IN value WHERE toFloatOrNull(x) = x) THEN 'LIST<FLOAT NOT NULL> NOT NULL'
    ELSE 'LIST<ANY NOT NULL> NOT NULL'
  END
  WHEN toIntegerOrNull(value) = value AND NOT toStringOrNull(value) =~ '.*[.EeN].*' THEN 'INTEGER NOT NULL'
  WHEN toFloatOrNull(value) = value THEN 'FLOAT NOT NULL'
  WHEN toStringOrNull(value) =~ '-?\\d{4,}-\\d{2}-\\d{2}' THEN 'DATE NOT NULL'
  WHEN toStringOrNull(value) =~ '-?\\d{4,}-\\d{2}-\\d{2}T[0-9:.]+' THEN 'LOCAL DATETIME NOT NULL'
  WHEN toStringOrNull(value) =~ '-?\\d{4,}-\\d{2}-\\d{2}T.+' THEN 'ZONED DATETIME NOT NULL'
  WHEN toStringOrNull(value) =~ '[0-9:.]+' THEN 'LOCAL TIME NOT NULL'
  WHEN toStringOrNull(value) =~ '\\d{2}:.+' THEN 'ZONED TIME NOT NULL'
  WHEN toStringOrNull(value) STARTS WITH 'P' THEN 'DURATION NOT NULL'
  WHEN toStringOrNull(value) STARTS WITH 'point(' THEN 'POINT NOT NULL'
  ELSE 'ANY NOT NULL'
END
