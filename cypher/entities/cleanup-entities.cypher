// After a document's chunks are gone: its facts leave the entities it mentioned, and entities
// that nothing else mentions, imports or relates to are deleted.
UNWIND $entityIds AS id
MATCH (e:KgragEntity {id: id})
SET e.facts = [f IN coalesce(e.facts, []) WHERE NOT f CONTAINS $factMarker]
WITH e WHERE e.importKey IS NULL AND NOT EXISTS { (e)--() }
DELETE e
RETURN count(*) AS deleted
