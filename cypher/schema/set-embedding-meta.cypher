MERGE (m:KgragMeta {key: 'embedding'})
SET m.model = $model, m.dimension = $dimension, m.updatedAt = datetime()
