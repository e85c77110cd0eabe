MATCH (j:_KgragJob {id: $id})
RETURN j {.*} AS job
