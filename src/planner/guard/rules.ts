/** What the guard's checks share: the collections parameter and the words that change data or the server. */

/** The parameter that carries the caller's collections. */
export const COLLECTIONS_PARAM = 'collections';

/** Keywords of clauses that write, read files, batch transactions or switch databases: refused anywhere. */
export const FORBIDDEN_WORDS: ReadonlySet<string> = new Set([
  'CREATE', 'MERGE', 'SET', 'DELETE', 'DETACH', 'NODETACH', 'REMOVE', 'FOREACH', 'INSERT', 'LOAD', 'USE', 'TRANSACTIONS',
]);
