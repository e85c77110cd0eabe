// The stored communities of the caller's collections, largest first, with the signature of the
// graph they were computed from.
MATCH (m:_KgragCommunityRun {collection: '@system'})
WHERE m.scope IN $collections
OPTIONAL MATCH (c:_KgragCommunity {collection: '@system', scope: m.scope})
RETURN m.scope AS collection, m.signature AS signature,
       collect(c {.rank, .size, .mentions, .entityIds, .names, .summary, .summaryBy, .citations}) AS communities
