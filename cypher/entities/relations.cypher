// Relationship types come from sanitised data. A property is set by the first source that states
// it and never overwritten; every claim (and so every disagreeing value) is kept in `facts`.
UNWIND $relations AS rel
MATCH (a:KgragEntity {id: rel.sourceId})
MATCH (b:KgragEntity {id: rel.targetId})
MERGE (a)-[r:$(rel.type)]->(b)
ON CREATE SET r.createdAt = datetime()
FOREACH (k IN keys(rel.properties) | SET r[k] = coalesce(r[k], rel.properties[k]))
SET r.sources = coalesce(r.sources, []) + [s IN rel.chunkIds WHERE NOT s IN coalesce(r.sources, [])],
    r.documentIds = coalesce(r.documentIds, []) +
      CASE WHEN rel.documentId IN coalesce(r.documentIds, []) THEN [] ELSE [rel.documentId] END,
    r.facts = coalesce(r.facts, []) + [f IN rel.facts WHERE NOT f IN coalesce(r.facts, [])],
    r.confidence = CASE WHEN r.confidence IS NULL OR r.confidence < rel.confidence THEN rel.confidence ELSE r.confidence END,
    r.evidence = coalesce(r.evidence, rel.evidence),
    r.updatedAt = datetime()
