OPTIONAL MATCH (c:_KgragCounter {id: $id})
RETURN coalesce(c.hits, 0) AS hits
