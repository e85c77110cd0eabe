// Does the database hold nodes kgrag did not write (a graph it did not build, read as the @graph
// scope)? Every count here comes from the count store: no node is read.
CALL () { MATCH (n) RETURN count(n) AS total }
CALL () { MATCH (n:Document) RETURN count(n) AS documents }
CALL () { MATCH (n:Chunk) RETURN count(n) AS chunks }
CALL () { MATCH (n:KgragEntity) RETURN count(n) AS entities }
CALL () { MATCH (n:KgragMeta) RETURN count(n) AS meta }
RETURN total > documents + chunks + entities + meta AS graph
