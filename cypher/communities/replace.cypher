// Replaces the stored communities of one collection. They are kgrag's bookkeeping (a `_Kgrag`
// label in the @system scope, so no catalog, parser or generic read sees them); `scope` names the
// collection they describe, and member entities are listed by id rather than linked, so the
// entity graph itself is unchanged.
OPTIONAL MATCH (old:_KgragCommunity {scope: $collection})
DETACH DELETE old
WITH count(*) AS dropped
UNWIND $communities AS c
CREATE (:_KgragCommunity {
  collection: '@system', scope: $collection, rank: c.rank, size: c.size, mentions: c.mentions,
  entityIds: c.entityIds, names: c.names, summary: c.summary, summaryBy: c.summaryBy,
  citations: c.citations, signature: $signature, createdAt: datetime()
})
