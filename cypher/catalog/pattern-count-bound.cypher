// Upper bound of a pattern's count from the count store (no scan): relationships of the type
// leaving the start label, and those entering the end label. Exact when the pattern is the only
// one of its type from that label, or into that label.
CALL { MATCH (:__FROM__)-[r:__TYPE__]->() RETURN count(r) AS outgoing }
CALL { MATCH ()-[r:__TYPE__]->(:__TO__) RETURN count(r) AS incoming }
RETURN outgoing, incoming
