// Entities written before kgrag had labels of its own (:Entity:<Type> with kgrag's bookkeeping
// properties), and whether this database was kgrag's before (its bookkeeping node exists).
OPTIONAL MATCH (v:KgragMeta {key: 'schema'})
CALL () { MATCH (m:KgragMeta) RETURN count(m) AS meta }
CALL () {
  MATCH (e:Entity) WHERE e.collection IS NOT NULL AND e.normalizedName IS NOT NULL AND NOT e:KgragEntity
  RETURN count(e) AS legacy
}
RETURN coalesce(v.version, 0) AS version, meta, legacy
