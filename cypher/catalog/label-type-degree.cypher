// Relationships of one type leaving and entering the nodes of one label, from the count store
// (no scan): tells which labels have patterns of the type that a sample may have missed.
CALL { MATCH (:__LABEL__)-[r:__TYPE__]->() RETURN count(r) AS outgoing }
CALL { MATCH ()-[r:__TYPE__]->(:__LABEL__) RETURN count(r) AS incoming }
RETURN outgoing, incoming
