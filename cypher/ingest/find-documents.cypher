// Which of these documents exist already, with the hash and model of their stored version.
UNWIND $ids AS id
MATCH (d:Document {id: id})
RETURN d.id AS id, d.sha256 AS sha256, d.embeddingModel AS embeddingModel
