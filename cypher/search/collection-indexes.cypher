// The vector indexes of one collection (any dimension), by name prefix.
SHOW VECTOR INDEXES YIELD name WHERE name STARTS WITH $prefix
RETURN name
