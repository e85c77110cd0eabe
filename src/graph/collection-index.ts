import { createHash } from 'node:crypto';
import { GraphError } from '../errors.ts';
import { cypher, quoteName } from './cypher.ts';
import { int, type GraphExecutor } from './executor.ts';
import { collectionFilterIndex, PREFER_INDEX_FILTER } from './server.ts';

/**
 * One vector index per collection (and full-text indexes, below). The Community vector index cannot filter, so a search within
 * one collection of a shared index must over-fetch and filter, and the smaller the collection's
 * share, the more it fetches. Each chunk therefore also carries a label of its own collection,
 * with a vector index on that label: a search reads only the caller's collections' vectors
 * (exact isolation by construction). Measured by `npm run bench -- --parts isolation`, also
 * against Neo4j 2026.01+'s filter inside the shared index (see PREFER_INDEX_FILTER).
 *
 * The label is `Chunk_<hash>`: the underscore keeps it apart from every label data may take
 * (names.ts allows letters and digits only), and the hash from the collection name's characters.
 * The index name carries the dimension, so a new model never writes into an index of another size.
 */
const hashOf = (collection: string) => createHash('sha256').update(collection).digest('hex').slice(0, 12);

export function chunkLabel(collection: string): string {
  return `Chunk_${hashOf(collection)}`;
}

export function collectionIndexName(collection: string, dimension: number): string {
  return `chunk_embedding_${hashOf(collection)}_${dimension}`;
}

/** The per-collection chunk labels: bookkeeping, never part of a schema catalog. */
export const isChunkLabel = (label: string) => /^Chunk_[0-9a-f]{12}$/.test(label);

/** Collections whose index is known to be complete and online in this process. */
const ready = new WeakMap<GraphExecutor, Set<string>>();

/**
 * The collection's own full-text index over its label, like the shared ones (English stems, or
 * CJK bigrams): a search in a small collection no longer walks other collections' hits, and BM25
 * weighs terms by the collection's own statistics, not by what other tenants wrote.
 */
export function collectionFulltextName(collection: string, cjk: boolean): string {
  return `chunk_fulltext${cjk ? '_cjk' : ''}_${hashOf(collection)}`;
}

/**
 * Labels the collection's chunks written before it had indexes of its own, creates its vector
 * index and its two full-text indexes, and waits until they are online. Idempotent; writers call
 * it before writing chunks (they set the label themselves), `applySchema` for every collection
 * that holds chunks.
 */
export async function ensureCollectionIndex(
  db: GraphExecutor,
  collection: string,
  dimension: number,
  opts: { evenWithFilter?: boolean } = {},
): Promise<void> {
  const index = collectionIndexName(collection, dimension);
  const known = ready.get(db) ?? new Set<string>();
  ready.set(db, known);
  if (known.has(index)) return;
  const fulltext = [collectionFulltextName(collection, false), collectionFulltextName(collection, true)];
  // Where searches filter inside the shared index (src/graph/server.ts), a second index of the
  // same vectors would only slow writes down.
  const vector = !(PREFER_INDEX_FILTER && !opts.evenWithFilter && (await collectionFilterIndex(db)).declared);
  const existing = new Set((await db.runSchema(cypher('search/collection-indexes'), { prefix: index, names: fulltext })).map((r) => String(r.name)));
  const missing = [...(vector ? [index] : []), ...fulltext].filter((name) => !existing.has(name));
  if (missing.length > 0) {
    // An index is created only after its collection's chunks are labelled, and every writer labels
    // what it writes: an existing index is complete, and the labelling scan is paid once.
    const label = chunkLabel(collection);
    await db.runSchema(cypher('search/label-collection-chunks'), { collection, label });
    const create = async (statement: string, params: Record<string, unknown> = {}) => {
      try {
        await db.runSchema(statement, params);
      } catch (err) {
        // Another process (a second server or worker) created it between our check and this
        // statement: IF NOT EXISTS does not cover a concurrent creation. Its index is the same one.
        if (!isConcurrentCreation(err)) throw err;
      }
    };
    if (missing.includes(index)) {
      await create(
        `CREATE VECTOR INDEX ${quoteName(index)} IF NOT EXISTS FOR (c:${quoteName(label)}) ON c.embedding ` +
          "OPTIONS { indexConfig: { `vector.dimensions`: $dimension, `vector.similarity_function`: 'cosine' } }",
        { dimension: int(dimension) },
      );
    }
    // As cypher/schema/constraints.cypher: the CJK index lists the properties in the other order,
    // or Neo4j takes it for a duplicate of the English one.
    if (missing.includes(fulltext[0]!)) await create(`CREATE FULLTEXT INDEX ${quoteName(fulltext[0]!)} IF NOT EXISTS FOR (c:${quoteName(label)}) ON EACH [c.text, c.context] OPTIONS { indexConfig: { \`fulltext.analyzer\`: 'english' } }`);
    if (missing.includes(fulltext[1]!)) await create(`CREATE FULLTEXT INDEX ${quoteName(fulltext[1]!)} IF NOT EXISTS FOR (c:${quoteName(label)}) ON EACH [c.context, c.text] OPTIONS { indexConfig: { \`fulltext.analyzer\`: 'cjk' } }`);
    await db.runSchema(cypher('schema/await-indexes'), { timeoutSeconds: int(300) });
  }
  known.add(index);
}

/** Drops the collection's vector indexes (any dimension) and full-text indexes, for callers that remove a whole collection. */
export async function dropCollectionIndexes(db: GraphExecutor, collection: string): Promise<void> {
  const names = [collectionFulltextName(collection, false), collectionFulltextName(collection, true)];
  const rows = await db.runSchema(cypher('search/collection-indexes'), { prefix: `chunk_embedding_${hashOf(collection)}_`, names });
  for (const r of rows) await db.runSchema(`DROP INDEX ${quoteName(String(r.name))} IF EXISTS`);
  ready.get(db)?.forEach((name) => name.startsWith(`chunk_embedding_${hashOf(collection)}_`) && ready.get(db)?.delete(name));
}

function isConcurrentCreation(err: unknown): boolean {
  return err instanceof GraphError && /equivalent (index|schema rule)|already exists/i.test(err.message);
}

/** A query on an index that does not exist (yet) or is still populating. */
export function isIndexUnavailable(err: unknown): boolean {
  return err instanceof GraphError && /no such .*index|not (yet )?online|populating|does not exist/i.test(err.message);
}
