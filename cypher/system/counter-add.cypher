// Adds to a fixed-window counter shared by every server; the read of c.hits on the right-hand side
// of SET makes Cypher lock the node before reading, so concurrent increments are never lost.
MERGE (c:_KgragCounter {id: $id})
  ON CREATE SET c.collection = '@system', c.hits = 0, c.expiresAt = $expiresAt
SET c.hits = c.hits + $by
RETURN c.hits AS hits, c.expiresAt AS expiresAt
