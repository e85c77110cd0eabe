// A collection made before anything is written into it: a bookkeeping node in the system scope,
// so that it is listed (documents/collections) and can be chosen as an upload's target.
MERGE (c:_KgragCollection {name: $name})
ON CREATE SET c.collection = $system, c.createdAt = datetime(), c.created = true
ON MATCH SET c.created = false
RETURN c.created AS created
