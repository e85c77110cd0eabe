// Upserts one batch of imported records as Entity nodes (one transaction per batch).
// {{labels}} and {{properties}} are the only interpolations: built from validated, backtick-quoted
// names (see src/import/queries.ts). Every value is a parameter.
// A record's node is found by its import key; failing that, an entity of the same type and
// normalised name without an import key (created from documents) is adopted, keeping its id,
// mentions and relationships; failing that, a node is created.
UNWIND $rows AS row
OPTIONAL MATCH (existing:KgragEntity {collection: $collection, importKey: row.importKey})
CALL (row, existing) {
  OPTIONAL MATCH (candidate:KgragEntity {collection: $collection, type: $type, normalizedName: row.normalizedName})
  WHERE existing IS NULL AND row.mayAdopt AND candidate.importKey IS NULL
  RETURN candidate AS adoptee
  ORDER BY candidate.id
  LIMIT 1
}
WITH row, existing, adoptee,
     CASE WHEN existing IS NOT NULL THEN 'existing' WHEN adoptee IS NOT NULL THEN 'adopted' ELSE 'created' END AS outcome
MERGE (n:KgragEntity {id: coalesce(existing.id, adoptee.id, row.id)})
  ON CREATE SET n.collection = $collection, n.createdAt = datetime()
SET n{{labels}}
// This file's earlier facts are replaced; facts from other sources are kept.
WITH n, row, outcome, n.name AS previousName, coalesce(n.aliases, []) AS previousAliases,
     coalesce(n.importSources, []) AS previousSources,
     [f IN coalesce(n.facts, []) WHERE NOT f CONTAINS $sourceMarker] AS kept,
     [f IN coalesce(n.facts, []) WHERE f CONTAINS $sourceMarker] AS previousFacts
WITH n, row, kept, previousSources,
     previousAliases + [a IN row.aliases + CASE WHEN outcome = 'adopted' THEN [previousName] ELSE [] END
                        WHERE a IS NOT NULL AND a <> row.name AND NOT a IN previousAliases] AS aliases,
     CASE
       WHEN outcome <> 'existing' THEN outcome
       WHEN $source IN previousSources AND n.type = $type AND n.name = row.name
            AND size(previousFacts) = size(row.facts) AND all(f IN row.facts WHERE f IN previousFacts)
            AND all(a IN row.aliases WHERE a IN previousAliases) THEN 'unchanged'
       ELSE 'updated'
     END AS result
SET n.type = $type,
    n.importKey = row.importKey,
    n.name = row.name,
    n.normalizedName = row.normalizedName,
    n.aliases = reduce(acc = [], a IN aliases | CASE WHEN a IN acc THEN acc ELSE acc + a END),
    n.aliasKeys = reduce(acc = coalesce(n.aliasKeys, []), k IN row.aliasKeys | CASE WHEN k IN acc THEN acc ELSE acc + k END),
    n.importSources = CASE WHEN $source IN previousSources THEN previousSources ELSE previousSources + $source END,
    n.facts = kept + row.facts,
    n.updatedAt = CASE WHEN result = 'unchanged' THEN coalesce(n.updatedAt, datetime()) ELSE datetime() END{{properties}}
RETURN row.row AS row, result
