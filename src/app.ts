import path from 'node:path';
import { loadConfig, type KgragConfig, type LlmTask } from './config/index.ts';
import type { Embedder } from './embedding/embedder.ts';
import { lazyEmbedder, type LazyEmbedder, type QueryEmbedder } from './embedding/lazy.ts';
import type { Extractor } from './extraction/types.ts';
import { CatalogCache } from './graph/catalog.ts';
import { GraphExecutor } from './graph/executor.ts';
import type { ChatModel } from './llm/chat.ts';
import type { AskOptions } from './planner/ask.ts';
import type { AskResult } from './planner/types.ts';
import { applySchema } from './graph/schema.ts';
import { createLogger, type Logger } from './logging.ts';
import type { Reranker } from './retrieval/rerank.ts';
import { Retriever } from './retrieval/search.ts';
import { closeParsePool } from './ingest/workers/pool.ts';

/**
 * The running pieces of kgrag, built once per process (CLI command, server, test) and closed
 * at the end. The embedding model is loaded only by callers that need it, and heavy modules
 * (transformers.js, LangChain, the extractors, the planner) are imported only when used.
 */
export interface Kgrag {
  config: KgragConfig;
  logger: Logger;
  db: GraphExecutor;
  embedder: Embedder | undefined;
  /**
   * Embeds questions for search and answers: the loaded `embedder`, or with `{ embedder: 'lazy' }`
   * one that loads the model on first use (an exact answer then never loads it).
   */
  queryEmbedder: QueryEmbedder | undefined;
  /** The embedding model, loaded now if it is not yet (once per app; closed with it). */
  loadEmbedder(): Promise<Embedder>;
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
  /** Load the embedding model (ingest, vector and hybrid search); `'lazy'`: load it when something must be embedded. */
  embedder?: boolean | 'lazy';
  /** Apply constraints and indexes; with `embedder`, also the vector index and the embedding-model check. */
  schema?: boolean;
  /** Build the configured knowledge-graph extractor (ingest, extract). */
  extractor?: boolean;
  /** Keep schema catalogs under `<KGRAG_HOME>/cache` for the next process (short-lived processes: the CLI). */
  persistCatalogs?: boolean;
}

export async function openKgrag(options: OpenOptions = {}): Promise<Kgrag> {
  const config = options.config ?? loadConfig();
  const logger = options.logger ?? createLogger({ level: config.logLevel });
  const db = await GraphExecutor.connect(config.neo4j, logger);
  let embedder: Embedder | undefined;
  let extractor: Extractor | undefined;
  let chat: ChatModel | undefined;
  const createModel = async () => {
    const { createEmbedder } = await import('./embedding/embedder.ts');
    // Hub downloads (when no local model folder is set) live beside the data, not in node_modules.
    return createEmbedder(config.embedding, logger, { cacheDir: path.join(config.home, 'models', 'hub') });
  };
  try {
    if (options.extractor) extractor = await (await import('./extraction/index.ts')).createExtractor(config, logger);
    if (options.embedder === true) embedder = await createModel();
    if (config.llm) chat = (await import('./llm/chat.ts')).createChatModel(config.llm, logger);
    if (options.schema) {
      await applySchema(db, embedder ? { model: embedder.modelId, dimension: embedder.dimension } : undefined, logger);
    }
  } catch (err) {
    await embedder?.dispose();
    await db.close();
    throw err;
  }
  const lazy: LazyEmbedder = lazyEmbedder(createModel);
  return {
    config,
    logger,
    db,
    embedder,
    queryEmbedder: embedder ?? (options.embedder === 'lazy' ? lazy : undefined),
    loadEmbedder: () => (embedder ? Promise.resolve(embedder) : lazy.load()),
    extractor,
    catalogs: new CatalogCache(db, { logger, shared: true, ...(options.persistCatalogs ? { persistDir: path.join(config.home, 'cache') } : {}) }),
    chat,
    async close() {
      await closeParsePool();
      await embedder?.dispose();
      await lazy.dispose();
      await db.close();
    },
  };
}

/** Hits of a question's passage search that the sentence reranker re-scores. */
const ASK_RERANK_DEPTH = 20;

export function retrieverOf(app: Kgrag): Retriever {
  return new Retriever(app.db, app.queryEmbedder);
}

/** Answers a question from the knowledge graph (see src/planner/ask.ts). */
export async function askKgrag(app: Kgrag, question: string, opts: AskOptions): Promise<AskResult> {
  const [{ ask }, reranker] = await Promise.all([import('./planner/ask.ts'), rerankerOf(app)]);
  const [chat, cypherChat] = [llmFor(app, 'answer'), llmFor(app, 'cypher')];
  return ask(
    { db: app.db, catalogs: app.catalogs, embedder: app.queryEmbedder, logger: app.logger, ...(chat ? { chat } : {}), ...(cypherChat ? { cypherChat } : {}), ...(reranker ? { reranker } : {}) },
    question,
    opts,
  );
}

/**
 * For a model in process that writes answers: starts loading it and evaluating the answer's
 * system prompt in the background, so that the first question does not wait for either. A
 * failure is logged here and met again, with its error, by the first answer.
 */
export function warmLocalModel(app: Kgrag): void {
  const chat = app.chat;
  if (!chat || app.config.llm?.provider !== 'llama-cpp' || !llmFor(app, 'answer')) return;
  void import('./answer/llm.ts')
    .then(({ warmAnswerModel }) => warmAnswerModel(chat))
    .catch((err: unknown) => app.logger.warn({ err }, 'the local model could not be loaded ahead of the first question'));
}

/** The LLM, when there is one and KGRAG_LLM_TASKS gives it `task` (a model set on the app by code does everything). */
export function llmFor(app: Kgrag, task: LlmTask): ChatModel | undefined {
  return app.chat && (app.config.llm?.tasks.has(task) ?? true) ? app.chat : undefined;
}

/** The configured second stage of passage search (KGRAG_RERANK), if any. */
export async function rerankerOf(app: Kgrag): Promise<Reranker | undefined> {
  const mode = app.config.rerank;
  if (mode === 'off') return undefined;
  const { LlmReranker, SentenceReranker } = await import('./retrieval/rerank.ts');
  const chat = mode === 'llm' ? app.chat : mode === 'auto' ? llmFor(app, 'rerank') : undefined;
  if (chat) return new LlmReranker(chat, undefined, app.logger);
  if (mode === 'sentence' && app.queryEmbedder) return new SentenceReranker(app.queryEmbedder, ASK_RERANK_DEPTH);
  return undefined;
}
