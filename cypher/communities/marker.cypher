// Records that a collection's communities were computed from $signature, also when there are none.
MERGE (m:_KgragCommunityRun {scope: $collection})
SET m.collection = '@system', m.signature = $signature, m.count = $count, m.updatedAt = datetime()
