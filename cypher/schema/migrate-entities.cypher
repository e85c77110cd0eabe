// Moves entities written before kgrag had labels of its own into its namespace, in batches:
// :Entity:Person → :KgragEntity:Kgrag_Person. Only nodes with kgrag's bookkeeping properties move.
MATCH (e:Entity)
WHERE e.collection IS NOT NULL AND e.normalizedName IS NOT NULL AND NOT e:KgragEntity
CALL (e) {
  WITH e, [l IN labels(e) WHERE l <> 'Entity'] AS own
  SET e:KgragEntity
  REMOVE e:Entity
  FOREACH (l IN own | SET e:$('Kgrag_' + l) REMOVE e:$(l))
} IN TRANSACTIONS OF 1000 ROWS
