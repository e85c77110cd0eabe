// Documents not yet on the configured model: in $collections (or all), and in the whole database.
MATCH (d:Document)
WITH d, coalesce(d.embeddingModel, '') <> $model AS pending
RETURN count(CASE WHEN pending AND ($collections IS NULL OR d.collection IN $collections) THEN 1 END) AS pending,
       count(CASE WHEN pending THEN 1 END) AS pendingAll
