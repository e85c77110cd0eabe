CREATE (k:_KgragKey)
SET k = $key, k.collection = '@system'
