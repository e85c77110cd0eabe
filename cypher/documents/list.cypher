// One page of documents with what the documents table shows, and how many match in all. `name` is
// the file name when the title says nothing (empty, a browser placeholder such as about:blank, or
// a path); `entities` counts the distinct entities its passages mention. Sorted by a key the caller
// chose from a whitelist ($sort) in either direction: the unused direction's expression is null
// for every row. Numbers and instants sort as fixed-width digit strings so that every key has one type.
MATCH (d:Document)
WHERE d.collection IN $collections
WITH d, trim(coalesce(d.title, '')) AS title,
     last(split(replace(coalesce(d.source, ''), '\\', '/'), '/')) AS tail
WITH d, title,
     CASE WHEN tail =~ '^(upload|text):.+' THEN substring(tail, size(split(tail, ':')[0]) + 1) ELSE tail END AS file
WITH d, CASE
       WHEN title = '' OR toLower(title) IN ['about:blank', 'untitled', 'untitled document']
            OR title STARTS WITH '/' OR title =~ '^[A-Za-z]:[\\\\/].*'
       THEN coalesce(nullif(file, ''), title)
       ELSE title END AS name
WHERE $q IS NULL OR toLower(name) CONTAINS $q OR toLower(coalesce(d.title, '')) CONTAINS $q
WITH d, name, COUNT { MATCH (:Chunk {documentId: d.id})-[:MENTIONS]->(e) RETURN DISTINCT e } AS entities
WITH d, name, entities, CASE $sort
       WHEN 'name' THEN toLower(name)
       WHEN 'type' THEN toLower(coalesce(d.mimeType, ''))
       WHEN 'size' THEN toString(100000000000 + coalesce(d.charCount, 0))
       WHEN 'chunks' THEN toString(100000000000 + coalesce(d.chunkCount, 0))
       WHEN 'entities' THEN toString(100000000000 + entities)
       WHEN 'collection' THEN toLower(d.collection)
       WHEN 'createdAt' THEN toString(100000000000000 + coalesce(d.createdAt.epochMillis, 0))
       ELSE toString(100000000000000 + coalesce(d.updatedAt.epochMillis, 0)) END AS key
ORDER BY CASE WHEN $descending THEN null ELSE key END ASC,
         CASE WHEN $descending THEN key ELSE null END DESC, d.id
WITH collect({d: d, name: name, entities: entities}) AS rows
RETURN size(rows) AS total, [r IN rows[$skip..$skip + $limit] | {
  id: r.d.id, collection: r.d.collection, title: r.d.title, name: r.name, source: r.d.source,
  mimeType: r.d.mimeType, chunks: r.d.chunkCount, characters: r.d.charCount, entities: r.entities,
  metadata: r.d.metadata, createdAt: toString(r.d.createdAt), updatedAt: toString(r.d.updatedAt)
}] AS items
