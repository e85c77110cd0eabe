/**
 * kgrag as a library: open a knowledge base, ingest documents, import records, search, ask, close.
 *
 *   import { openKnowledgeBase } from 'kgrag';
 *   const kb = await openKnowledgeBase();              // configuration from the environment / .env
 *   await kb.ingest(['./docs'], { collection: 'work' });
 *   const hits = await kb.search('supply-chain partner', { collections: ['work'] });
 *   const answer = await kb.ask('How many tasks are overdue?', { collections: ['work'] });
 *   await kb.close();
 *
 * The embedding model is loaded on first need (ingest, vector or hybrid search, an answer from
 * passages), so an exact answer or a fulltext search never waits for it.
 */
import { askKgrag, openKgrag, retrieverOf, type Kgrag } from './app.ts';
import { loadConfig, type KgragConfig } from './config/index.ts';
import type { SearchMode, SearchResult } from './domain/types.ts';
import { validateCollection, validateReadScope } from './domain/ids.ts';
import type { ImportSummary } from './import/importer.ts';
import type { Mapping } from './import/mapping.ts';
import type { IngestSummary } from './ingest/pipeline.ts';
import { silentLogger, type Logger } from './logging.ts';
import type { AskOptions } from './planner/ask.ts';
import type { AskResult } from './planner/types.ts';

export interface KnowledgeBaseOptions {
  /** The whole configuration; default `loadConfig()` (environment variables and `.env`, see README). */
  config?: KgragConfig;
  /** A pino logger; default silent. */
  logger?: Logger;
}

export interface IngestCallOptions {
  /** Default: KGRAG_DEFAULT_COLLECTION. */
  collection?: string;
  /** Re-embed and rewrite documents even when unchanged. */
  force?: boolean;
  /** JSON Lines field names (default `id`, `title`, `text`). */
  jsonl?: { idField?: string; titleField?: string; textField?: string };
}

export interface SearchCallOptions {
  /** Collections to search; default all collections in the database. */
  collections?: string[];
  /** Results (default 10). */
  k?: number;
  /** Default `hybrid`. */
  mode?: SearchMode;
}

export type AskCallOptions = Omit<AskOptions, 'collections'> & {
  /** Collections to ask; default all collections in the database (a graph without collections is read whole). */
  collections?: string[];
};

export interface KnowledgeBase {
  /** The lower-level pieces (configuration, database executor, embedder, catalogs). */
  readonly app: Kgrag;
  /** Loads, chunks, embeds and writes documents: paths, folders, globs or http(s) URLs. */
  ingest(inputs: string[], options?: IngestCallOptions): Promise<IngestSummary>;
  /** Upserts records (CSV, JSON, JSON Lines, XLSX) following a mapping (a file path or the mapping object). */
  import(file: string, mapping: string | Mapping, options?: { collection?: string }): Promise<ImportSummary>;
  search(text: string, options?: SearchCallOptions): Promise<SearchResult[]>;
  ask(question: string, options?: AskCallOptions): Promise<AskResult>;
  /** Closes the database driver and the model. */
  close(): Promise<void>;
}

export async function openKnowledgeBase(options: KnowledgeBaseOptions = {}): Promise<KnowledgeBase> {
  const config = options.config ?? loadConfig();
  const app = await openKgrag({ config, logger: options.logger ?? silentLogger(), embedder: 'lazy', schema: true });
  let writable: Promise<void> | undefined;
  // Writers need the vector index, whose dimension and model check come from the loaded model.
  const prepareWrites = () =>
    (writable ??= (async () => {
      const embedder = await app.loadEmbedder();
      const { applySchema } = await import('./graph/schema.ts');
      await applySchema(app.db, { model: embedder.modelId, dimension: embedder.dimension }, app.logger);
      if (!app.extractor) {
        const { createExtractor } = await import('./extraction/index.ts');
        app.extractor = await createExtractor(app.config, app.logger);
      }
    })().catch((err: unknown) => {
      writable = undefined;
      throw err;
    }));
  const readable = async (requested: string[] | undefined) => {
    if (requested?.length) return requested.map(validateReadScope);
    const { listCollections } = await import('./graph/documents.ts');
    return listCollections(app.db);
  };
  const collectionOf = (name: string | undefined) => validateCollection(name ?? app.config.ingest.defaultCollection);

  return {
    app,
    async ingest(inputs, opts = {}) {
      await prepareWrites();
      const { ingest } = await import('./ingest/pipeline.ts');
      try {
        return await ingest(
          inputs,
          { db: app.db, embedder: await app.loadEmbedder(), extractor: app.extractor, config: app.config, logger: app.logger },
          {
            collection: collectionOf(opts.collection),
            force: !!opts.force,
            jsonl: { idField: 'id', titleField: 'title', textField: 'text', ...opts.jsonl },
          },
        );
      } finally {
        app.catalogs.invalidate();
      }
    },
    async import(file, mapping, opts = {}) {
      const [{ importRecords }, { loadMapping, validateMapping }] = await Promise.all([import('./import/importer.ts'), import('./import/mapping.ts')]);
      const checked = typeof mapping === 'string' ? await loadMapping(mapping) : validateMapping(mapping);
      try {
        return await importRecords(app.db, file, checked, { collection: collectionOf(opts.collection), logger: app.logger });
      } finally {
        app.catalogs.invalidate();
      }
    },
    async search(text, opts = {}) {
      return retrieverOf(app).search(text, { collections: await readable(opts.collections), k: opts.k ?? 10, mode: opts.mode ?? 'hybrid' });
    },
    async ask(question, opts = {}) {
      const collections = await readable(opts.collections);
      return askKgrag(app, question, { ...opts, collections: collections.length ? collections : null });
    },
    close: () => app.close(),
  };
}

export { loadConfig, type KgragConfig } from './config/index.ts';
export { createLogger, silentLogger, type Logger } from './logging.ts';
export * from './errors.ts';
export type { SearchMode, SearchResult } from './domain/types.ts';
export type { AskOptions } from './planner/ask.ts';
export type { AskResult, Citation } from './planner/types.ts';
export type { IngestSummary } from './ingest/pipeline.ts';
export type { ImportSummary } from './import/importer.ts';
export type { Mapping } from './import/mapping.ts';
export { openKgrag, type Kgrag, type OpenOptions } from './app.ts';
