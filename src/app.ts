import path from 'node:path';
import { loadConfig, type KgragConfig } from './config/index.ts';
import { createEmbedder, type Embedder } from './embedding/embedder.ts';
import { createExtractor } from './extraction/index.ts';
import type { Extractor } from './extraction/types.ts';
import { CatalogCache } from './graph/catalog.ts';
import { GraphExecutor } from './graph/executor.ts';
import { createChatModel, type ChatModel } from './llm/chat.ts';
import { ask, type AskOptions } from './planner/ask.ts';
import type { AskResult } from './planner/types.ts';
import { applySchema } from './graph/schema.ts';
import { createLogger, type Logger } from './logging.ts';
import { Retriever } from './retrieval/search.ts';
import { closeParsePool } from './ingest/workers/pool.ts';

/**
 * The running pieces of kgrag, built once per process (CLI command, server, test) and closed
 * at the end. The embedding model is loaded only by callers that need it.
 */
export interface Kgrag {
  config: KgragConfig;
  logger: Logger;
  db: GraphExecutor;
  embedder: Embedder | undefined;
  /** The knowledge-graph extractor, when opened with `{ extractor: true }` and not disabled. */
  extractor: Extractor | undefined;
  /** Schema catalogs per collection set; writers call `catalogs.invalidate()` after a write. */
  catalogs: CatalogCache;
  /** The configured LLM (KGRAG_LLM_MODEL), if any. Creating it contacts nothing. */
  chat: ChatModel | undefined;
  close(): Promise<void>;
}

export interface OpenOptions {
  config?: KgragConfig;
  logger?: Logger;
  /** Load the embedding model (ingest, vector and hybrid search). */
  embedder?: boolean;
  /** Apply constraints and indexes; with `embedder`, also the vector index and the embedding-model check. */
  schema?: boolean;
  /** Build the configured knowledge-graph extractor (ingest, extract). */
  extractor?: boolean;
}

export async function openKgrag(options: OpenOptions = {}): Promise<Kgrag> {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const db = await GraphExecutor.connect(config.neo4j, logger);
  let embedder: Embedder | undefined;
  let extractor: Extractor | undefined;
  try {
    if (options.extractor) extractor = await createExtractor(config, logger);
    if (options.embedder) {
      // Hub downloads (when no local model folder is set) live beside the data, not in node_modules.
      embedder = await createEmbedder(config.embedding, logger, { cacheDir: path.join(config.home, 'models', 'hub') });
    }
    if (options.schema) {
      await applySchema(db, embedder ? { model: embedder.modelId, dimension: embedder.dimension } : undefined, logger);
    }
  } catch (err) {
    await embedder?.dispose();
    await db.close();
    throw err;
  }
  return {
    config,
    logger,
    db,
    embedder,
    extractor,
    catalogs: new CatalogCache(db, { logger }),
    chat: config.llm ? createChatModel(config.llm, logger) : undefined,
    async close() {
      await closeParsePool();
      await embedder?.dispose();
      await db.close();
    },
  };
}

export function retrieverOf(app: Kgrag): Retriever {
  return new Retriever(app.db, app.embedder);
}

/** Answers a question from the knowledge graph (see src/planner/ask.ts). */
export function askKgrag(app: Kgrag, question: string, opts: AskOptions): Promise<AskResult> {
  return ask({ db: app.db, catalogs: app.catalogs, embedder: app.embedder, chat: app.chat, logger: app.logger }, question, opts);
}
