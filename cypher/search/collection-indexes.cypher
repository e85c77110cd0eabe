// A collection's own indexes: its vector indexes (any dimension) by name prefix, its full-text indexes by name.
SHOW INDEXES YIELD name WHERE name STARTS WITH $prefix OR name IN $names
RETURN name
