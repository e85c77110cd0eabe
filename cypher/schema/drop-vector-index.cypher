DROP INDEX chunk_embedding IF EXISTS
