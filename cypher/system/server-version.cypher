// The server's kernel version and the Cypher versions it speaks (e.g. "2026.08.1", ["5", "25"]).
CALL dbms.components() YIELD name, versions
RETURN name, versions
