// Knowledge-graph entities: imported records and entities found in documents.
CREATE CONSTRAINT entity_id IF NOT EXISTS FOR (e:Entity) REQUIRE e.id IS UNIQUE;
CREATE INDEX entity_import_key IF NOT EXISTS FOR (e:Entity) ON (e.collection, e.importKey);
CREATE INDEX entity_name_key IF NOT EXISTS FOR (e:Entity) ON (e.collection, e.type, e.normalizedName);
// Candidates for fuzzy resolution and entity search; no stemming or stop words for names.
CREATE FULLTEXT INDEX entity_names IF NOT EXISTS FOR (e:Entity) ON EACH [e.name, e.aliases]
  OPTIONS { indexConfig: { `fulltext.analyzer`: 'standard-no-stop-words' } };
