MERGE (m:KgragMeta {key: 'schema'})
SET m.version = $version, m.updatedAt = datetime()
