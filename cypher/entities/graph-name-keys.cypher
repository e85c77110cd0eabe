// String properties of one label's nodes outside kgrag's collections (a graph kgrag did not build),
// over a sample: how many sampled nodes have each and how many distinct values, to tell which one
// names a node (see graphNameProperty in src/graph/entities.ts).
MATCH (n:__LABEL__)
WHERE n.collection IS NULL
WITH n LIMIT $sampleSize
WITH collect(n) AS nodes
UNWIND nodes AS n
UNWIND keys(n) AS key
WITH size(nodes) AS sampled, key, n[key] AS value
WHERE value IS :: STRING
RETURN sampled, key, count(*) AS present, count(DISTINCT value) AS distinct
