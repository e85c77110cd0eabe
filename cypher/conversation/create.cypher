// A conversation of one API key over some collections: bookkeeping, outside every data scope.
CREATE (c:_KgragConversation {id: $id, owner: $owner, collections: $collections, title: $title, createdAt: $now, updatedAt: $now, turnCount: 0, collection: '@system'})
RETURN c {.id, .title, .collections, .createdAt, .updatedAt, .turnCount} AS conversation
