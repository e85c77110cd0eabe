CREATE (j:_KgragJob)
SET j = $job, j.collection = '@system'
