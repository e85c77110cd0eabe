// A job's own collection is `jobCollection`: `collection` is the '@system' scope of the node.
MATCH (j:_KgragJob)
WHERE $all OR j.jobCollection IN $collections
RETURN j {.*} AS job
ORDER BY j.createdAt DESC, j.id DESC
LIMIT $limit
