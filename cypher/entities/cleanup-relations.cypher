// Withdraws a document's claims from the relationships between the entities it mentions; a
// relationship that no other document or import asserts is deleted.
MATCH (:Chunk {documentId: $documentId})-[:MENTIONS]->(:KgragEntity)-[r]-(:KgragEntity)
WHERE $documentId IN coalesce(r.documentIds, [])
WITH DISTINCT r
SET r.documentIds = [d IN r.documentIds WHERE d <> $documentId],
    r.sources = [s IN coalesce(r.sources, []) WHERE NOT s STARTS WITH $chunkPrefix],
    r.facts = [f IN coalesce(r.facts, []) WHERE NOT f CONTAINS $factMarker]
WITH r WHERE size(r.sources) = 0 AND size(coalesce(r.importSources, [])) = 0
DELETE r
RETURN count(*) AS deleted
