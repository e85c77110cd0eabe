import { ModelMismatchError } from '../errors.ts';
import type { Logger } from '../logging.ts';
import { ensureCollectionIndex } from './collection-index.ts';
import { cypher, cypherStatements } from './cypher.ts';
import { int, type GraphExecutor } from './executor.ts';
import { serverFeatures } from './server.ts';

export interface EmbeddingIdentity {
  model: string;
  dimension: number;
}

/**
 * Applies constraints and indexes idempotently, checks that the stored embeddings come from the
 * configured model (when one is given: commands that never embed skip the vector index), and
 * waits until every index is ONLINE. Safe to call on every start.
 */
export async function applySchema(
  db: GraphExecutor,
  embedding: EmbeddingIdentity | undefined,
  logger: Logger,
  opts: { awaitSeconds?: number } = {},
): Promise<void> {
  await migrate(db, logger);
  await applySystemSchema(db);
  for (const file of ['schema/constraints', 'schema/entities']) {
    for (const statement of cypherStatements(file)) await db.runSchema(statement);
  }
  if (embedding) await ensureVectorIndex(db, embedding, logger);
  await db.runSchema(cypher('schema/await-indexes'), { timeoutSeconds: int(opts.awaitSeconds ?? 300) });
}

const systemReady = new WeakMap<GraphExecutor, Promise<void>>();

/**
 * Constraints of kgrag's bookkeeping nodes (keys, jobs, counters, locks), once per process and
 * database: every process that uses them calls this, whether or not it applies the whole schema.
 */
export function applySystemSchema(db: GraphExecutor): Promise<void> {
  let ready = systemReady.get(db);
  if (!ready) {
    ready = (async () => {
      for (const statement of cypherStatements('system/constraints')) await db.runSchema(statement);
    })();
    ready.catch(() => systemReady.delete(db));
    systemReady.set(db, ready);
  }
  return ready;
}

/** Version of kgrag's graph model: 2 = entities under labels of their own (KgragEntity, Kgrag_<Type>). */
const MODEL_VERSION = 2;

/**
 * Brings a database kgrag wrote with an earlier graph model up to date, once (idempotent: the
 * version is recorded in KgragMeta, and each step is safe to repeat if it was interrupted).
 */
async function migrate(db: GraphExecutor, logger: Logger): Promise<void> {
  const [state] = await db.read(cypher('schema/legacy-state'));
  if (Number(state?.version ?? 0) >= MODEL_VERSION) return;
  const legacy = Number(state?.legacy ?? 0);
  if (legacy > 0) {
    logger.info({ entities: legacy }, 'moving entities to kgrag\'s own labels');
    await db.runSchema(cypher('schema/migrate-entities'));
  }
  // The old names are dropped only where kgrag was at work before; elsewhere they may be a user's.
  if (legacy > 0 || Number(state?.meta ?? 0) > 0) {
    for (const statement of cypherStatements('schema/drop-legacy')) await db.runSchema(statement);
  }
  await db.write(cypher('schema/set-schema-version'), { version: int(MODEL_VERSION) });
}

async function ensureVectorIndex(db: GraphExecutor, embedding: EmbeddingIdentity, logger: Logger): Promise<void> {
  const [meta] = await db.read(cypher('schema/get-embedding-meta'), { model: embedding.model });
  const storedModel = (meta?.model as string | null) ?? null;
  const storedDim = (meta?.dimension as number | null) ?? null;
  // Chunks of documents embedded by any other model (a half-finished `kgrag reembed` included).
  const chunks = (meta?.chunks as number | undefined) ?? 0;
  const otherModel = (meta?.otherModel as string | null) ?? storedModel;
  const [index] = await db.read(cypher('schema/show-vector-index'));
  const indexDim = (index?.dimension as number | undefined) ?? null;

  if (chunks > 0) {
    // Mixing vectors of two models in one index gives meaningless similarities: refuse.
    throw new ModelMismatchError(
      `This database holds ${chunks} chunks embedded with "${otherModel ?? 'an unknown model'}" ` +
        `(${storedDim ?? indexDim} dimensions), but kgrag is configured with "${embedding.model}" ` +
        `(${embedding.dimension} dimensions). Searches would compare vectors of different models. ` +
        'Either run `kgrag reembed` to embed them again with the configured model (resumable), ' +
        'configure the original model again (KGRAG_EMBEDDING_MODEL / KGRAG_MODEL_DIR), ' +
        'or use another database (NEO4J_DATABASE).',
    );
  }
  // On 2026.01+ the shared index also stores the collection, to filter by it inside the index.
  const filtered = (await serverFeatures(db)).vectorFilter;
  if (indexDim !== null && indexDim !== embedding.dimension) {
    logger.info({ from: indexDim, to: embedding.dimension }, 'recreating empty vector index for new dimension');
    await db.runSchema(cypher('schema/drop-vector-index'));
  } else if (index && filtered && !((index.properties as string[] | undefined) ?? []).includes('collection')) {
    // Created by an earlier kgrag or on 5.26: rebuilt once, searches use the collections'
    // own indexes meanwhile.
    logger.info('recreating the vector index with the collection as filter property');
    await db.runSchema(cypher('schema/drop-vector-index'));
  }
  await db.runSchema(cypher(filtered ? 'schema/vector-index-filtered' : 'schema/vector-index'), { dimension: int(embedding.dimension) });
  if (storedModel !== embedding.model || storedDim !== embedding.dimension) {
    await db.write(cypher('schema/set-embedding-meta'), {
      model: embedding.model,
      dimension: int(embedding.dimension),
    });
  }
  // Chunks written before collections had vector indexes of their own get theirs now.
  for (const row of await db.read(cypher('schema/chunk-collections'))) {
    await ensureCollectionIndex(db, String(row.collection), embedding.dimension);
  }
}
