// Appends a turn to a conversation of its owner; the first question becomes its title when it has none.
MATCH (c:_KgragConversation {id: $id, owner: $owner})
WHERE c.collection = '@system'
SET c.turnCount = c.turnCount + 1, c.updatedAt = $now, c.title = coalesce(c.title, $title)
CREATE (t:_KgragTurn {id: $turnId, conversationId: c.id, seq: c.turnCount, question: $question, standaloneQuestion: $standaloneQuestion,
  result: $result, focus: $focus, createdAt: $now, collection: '@system'})
RETURN t.id AS id
