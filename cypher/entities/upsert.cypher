// Entities found in a document: new ones are created, existing ones (imported records, entities
// from other documents) absorb the aliases and claimed facts. Labels come from sanitised types, in
// kgrag's own namespace (Kgrag_<Type>, see src/graph/names.ts).
UNWIND $entities AS e
MERGE (n:KgragEntity {id: e.id})
ON CREATE SET n.collection = $collection, n.type = e.type, n.name = e.name,
              n.normalizedName = e.normalizedName, n.createdAt = datetime()
FOREACH (k IN keys(e.properties) | SET n[k] = coalesce(n[k], e.properties[k]))
SET n:$('Kgrag_' + e.type)
SET n.aliases = coalesce(n.aliases, []) + [a IN e.aliases WHERE NOT a IN coalesce(n.aliases, []) AND a <> n.name],
    n.aliasKeys = coalesce(n.aliasKeys, []) + [k IN e.aliasKeys WHERE NOT k IN coalesce(n.aliasKeys, [])],
    n.facts = coalesce(n.facts, []) + [f IN e.facts WHERE NOT f IN coalesce(n.facts, [])],
    n.updatedAt = datetime()
