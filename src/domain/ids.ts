import { createHash } from 'node:crypto';
import { InputError } from '../errors.ts';

/**
 * A document's id is derived from its collection and its key (explicit id or source), so that
 * ingesting the same file again addresses the same node, and equal keys in two collections
 * never collide.
 */
export function documentId(collection: string, key: string): string {
  return 'doc_' + createHash('sha256').update(`${collection}\u0000${key}`).digest('hex').slice(0, 24);
}

export function chunkId(docId: string, index: number): string {
  return `${docId}:${index}`;
}

const COLLECTION_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * The reserved scope of every node without a `collection` property: a graph kgrag did not build,
 * in the same database as kgrag's collections. It is read like a collection (API keys grant it,
 * `--collection @graph` names it, the local CLI user sees it by default) but never written to. No
 * collection can be called so: collection names start with a letter or digit.
 */
export const GRAPH_SCOPE = '@graph';

/**
 * kgrag's own bookkeeping in the database (API keys, jobs, rate counters, conversations): nodes
 * labelled `_Kgrag…` with `collection: SYSTEM_SCOPE`. No key can be granted this scope (it starts
 * with '@' and is not GRAPH_SCOPE) and collection listings read only documents and entities, so the
 * scope predicate of every generated or generic read excludes these nodes; the schema catalog skips
 * their labels, so no parser, GraphQL type or schema listing names them. Only modules that own them
 * read them, through their own Cypher files.
 */
export const SYSTEM_SCOPE = '@system';
export const SYSTEM_LABEL_PREFIX = '_Kgrag';

/** A name a read may be scoped to: a collection or the existing graph's GRAPH_SCOPE. */
export function validateReadScope(name: string): string {
  return name === GRAPH_SCOPE ? name : validateCollection(name);
}

export function validateCollection(name: string): string {
  if (!COLLECTION_NAME.test(name)) {
    throw new InputError(
      `Invalid collection name "${name}": use 1-64 letters, digits, '_', '.', or '-', starting with a letter or digit`,
    );
  }
  return name;
}
