// Deletes a conversation of its owner with its turns.
MATCH (c:_KgragConversation {id: $id, owner: $owner})
WHERE c.collection = '@system'
OPTIONAL MATCH (t:_KgragTurn {conversationId: c.id})
WITH c, collect(t) AS turns
FOREACH (t IN turns | DETACH DELETE t)
DETACH DELETE c
RETURN size(turns) AS turns
