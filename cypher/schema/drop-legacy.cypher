// The constraint and indexes kgrag kept on the bare :Entity label before it had labels of its own
// (run only on a database kgrag used before, once: a user's own :Entity constraints keep other names).
DROP CONSTRAINT entity_id IF EXISTS;
DROP INDEX entity_import_key IF EXISTS;
DROP INDEX entity_name_key IF EXISTS;
DROP INDEX entity_names IF EXISTS;
