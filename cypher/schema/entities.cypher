// Knowledge-graph entities: imported records and entities found in documents. kgrag's entities carry
// labels of their own (KgragEntity, and Kgrag_<Type> per type) so that neither these constraints nor a
// user's own constraints on e.g. :Person(name) or :Entity(id) ever apply to the other's nodes.
CREATE CONSTRAINT kgrag_entity_id IF NOT EXISTS FOR (e:KgragEntity) REQUIRE e.id IS UNIQUE;
CREATE INDEX kgrag_entity_import_key IF NOT EXISTS FOR (e:KgragEntity) ON (e.collection, e.importKey);
CREATE INDEX kgrag_entity_name_key IF NOT EXISTS FOR (e:KgragEntity) ON (e.collection, e.type, e.normalizedName);
// Candidates for fuzzy resolution and entity search; no stemming or stop words for names.
CREATE FULLTEXT INDEX kgrag_entity_names IF NOT EXISTS FOR (e:KgragEntity) ON EACH [e.name, e.aliases]
  OPTIONS { indexConfig: { `fulltext.analyzer`: 'standard-no-stop-words' } };
