// Is this a kgrag-style graph whose nodes carry a `collection` property? The property-key
// token check answers "no" for a foreign graph without touching a single node; the label
// checks find kgrag's nodes first, so the all-nodes scan only runs in the rare case of a
// token without kgrag labels (OR short-circuits, and each EXISTS stops at the first hit).
CALL db.propertyKeys() YIELD propertyKey
WITH collect(propertyKey) AS keys
RETURN 'collection' IN keys AND (
  EXISTS { MATCH (d:Document) WHERE d.collection IS NOT NULL } OR
  EXISTS { MATCH (e:KgragEntity) WHERE e.collection IS NOT NULL } OR
  EXISTS { MATCH (n) WHERE n.collection IS NOT NULL }
) AS scoped
