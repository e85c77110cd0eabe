// The owner's conversations, newest first; optionally only those over one collection.
MATCH (c:_KgragConversation {owner: $owner})
WHERE c.collection = '@system' AND ($collection IS NULL OR $collection IN c.collections)
RETURN c {.id, .title, .collections, .createdAt, .updatedAt, .turnCount} AS conversation
ORDER BY c.updatedAt DESC, c.id
SKIP $skip LIMIT $limit
