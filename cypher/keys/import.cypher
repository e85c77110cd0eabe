// Keys of a legacy key file: imported once, an id already in the database is kept as it is.
UNWIND $keys AS key
MERGE (k:_KgragKey {id: key.id})
  ON CREATE SET k = key, k.collection = '@system'
RETURN count(k) AS keys
