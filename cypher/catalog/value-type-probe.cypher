// valueType() arrived in Neo4j 5.13; older servers reject this statement.
RETURN valueType(1) AS type
