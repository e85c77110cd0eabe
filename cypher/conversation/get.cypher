// One conversation of its owner, with its turns in order (a missing id and another key's id look the same).
MATCH (c:_KgragConversation {id: $id, owner: $owner})
WHERE c.collection = '@system'
OPTIONAL MATCH (t:_KgragTurn {conversationId: c.id})
WHERE t.collection = '@system'
WITH c, t ORDER BY t.seq
RETURN c {.id, .title, .collections, .createdAt, .updatedAt, .turnCount} AS conversation,
       [x IN collect(t) | x {.id, .seq, .question, .standaloneQuestion, .result, .focus, .createdAt}] AS turns
