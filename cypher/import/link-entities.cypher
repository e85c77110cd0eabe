// Writes one relationship mapping's relationships for one batch of imported records.
// {{type}} and {{properties}} are the only interpolations: a validated, backtick-quoted
// relationship type and property names (see src/import/queries.ts). Every value is a parameter.
// Relationships this file asserted earlier that the row no longer names are withdrawn: the file
// leaves their importSources, and a relationship nothing else asserts any more is deleted.
UNWIND $rows AS row
MATCH (a:KgragEntity {collection: $collection, importKey: row.importKey})
CALL (a, row) {
  MATCH (a)-[r:{{type}}]-(other:KgragEntity)
  WHERE $source IN coalesce(r.importSources, [])
    AND ((startNode(r) = a AND $outgoing) OR (endNode(r) = a AND NOT $outgoing))
    AND NOT coalesce(other.importKey, '') IN row.targetKeys
  SET r.importSources = [s IN r.importSources WHERE s <> $source]
  WITH r WHERE size(r.importSources) = 0 AND size(coalesce(r.sources, [])) = 0
  DELETE r
  RETURN count(*) AS withdrawn
}
WITH a, row
UNWIND row.targets AS target
OPTIONAL MATCH (b:KgragEntity {collection: $collection, importKey: target.importKey})
CALL (a, b, row) {
  WITH a, b, row WHERE b IS NOT NULL
  WITH row, CASE WHEN $outgoing THEN a ELSE b END AS s, CASE WHEN $outgoing THEN b ELSE a END AS e
  MERGE (s)-[r:{{type}}]->(e)
    ON CREATE SET r.sources = [], r.importSources = [], r.createdAt = datetime()
  SET r.importSources = CASE WHEN $source IN coalesce(r.importSources, []) THEN r.importSources
                             ELSE coalesce(r.importSources, []) + $source END,
      r.sources = coalesce(r.sources, []),
      r.confidence = 1.0{{properties}}
  RETURN count(r) AS linked
}
RETURN row.row AS row, target.key AS key, linked > 0 AS found
