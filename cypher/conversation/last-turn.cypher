// The latest turn of a conversation of its owner: what a follow-up is resolved against.
MATCH (c:_KgragConversation {id: $id, owner: $owner})
WHERE c.collection = '@system'
OPTIONAL MATCH (t:_KgragTurn {conversationId: c.id})
WHERE t.collection = '@system'
WITH c, t ORDER BY t.seq DESC LIMIT $turns
RETURN c {.id, .title, .collections, .createdAt, .updatedAt, .turnCount} AS conversation,
       t {.id, .seq, .question, .standaloneQuestion, .result, .focus, .createdAt} AS turn
