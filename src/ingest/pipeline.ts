import path from 'node:path';
import { ensureCollectionIndex } from '../graph/collection-index.ts';
import { chunkDocument } from '../chunking/chunker.ts';
import type { KgragConfig } from '../config/index.ts';
import { chunkId, documentId, validateCollection } from '../domain/ids.ts';
import { documentText, embeddingInput, type ChunkDraft, type LoadedDocument } from '../domain/types.ts';
import type { Embedder } from '../embedding/embedder.ts';
import type { ChunkExtraction, Extractor } from '../extraction/types.ts';
import { KgragError, LoadError, errorMessage } from '../errors.ts';
import type { GraphExecutor } from '../graph/executor.ts';
import { findExisting, replaceDocument, writeNewDocuments, type ChunkWrite } from '../graph/documents.ts';
import type { Logger } from '../logging.ts';
import { expandInputs, titleFromName, type LoadOptions } from './load.ts';
import { LOW_CONFIDENCE } from './ocr.ts';
import type { ParseTask, TokenizerSpec } from './workers/parse-worker.ts';
import { embedInWorker, parseInWorker } from './workers/pool.ts';

export interface IngestOptions {
  collection: string;
  /** Field names for JSON Lines documents. */
  jsonl?: LoadOptions['jsonl'];
  /** Re-embed and rewrite even when the content hash is unchanged. */
  force?: boolean;
  cwd?: string;
  /**
   * Names to record instead of local paths (absolute path → name), which also become the
   * documents' keys: the server stores uploads under paths of its own that mean nothing to users.
   */
  sourceNames?: Record<string, string>;
  /**
   * At most this many new documents (absent from the graph when their group was embedded) share
   * one write transaction; a failed batch is retried document by document, so a document is
   * still never half-written. Default 64. 1: every document in a transaction of its own, as
   * before (kept so that the benchmark can compare the two).
   */
  documentsPerTransaction?: number;
  onProgress?: (event: IngestProgress) => void;
  /** Stops the run: no parse, embedding or write starts after it fires. */
  signal?: AbortSignal;
}

export interface IngestProgress {
  sourcesDone: number;
  sourcesTotal: number;
  documents: number;
  chunks: number;
  failed: number;
  current?: string;
}

export type DocumentOutcome =
  | { status: 'ingested'; source: string; documentId: string; title: string; chunks: number }
  | { status: 'unchanged'; source: string; documentId: string; title: string; chunks: number }
  | { status: 'failed'; source: string; code: string; error: string };

export interface IngestSummary {
  collection: string;
  documents: number;
  chunks: number;
  unchanged: number;
  failed: number;
  outcomes: DocumentOutcome[];
  /** What extraction found, summed over the documents written in this run. */
  extraction: ExtractionSummary;
  /** Milliseconds spent per stage (stages overlap, so they may add up to more than total). */
  timings: { load: number; chunk: number; embed: number; extract: number; write: number; total: number };
}

export interface ExtractionSummary {
  extractor: string;
  chunks: number;
  failedChunks: number;
  mentions: number;
  linked: number;
  created: number;
  relations: number;
}

export interface IngestDeps {
  db: GraphExecutor;
  embedder: Embedder;
  /** Absent: no knowledge-graph extraction (documents and chunks only). */
  extractor?: Extractor | undefined;
  config: KgragConfig;
  logger: Logger;
}

/** A loaded and chunked document waiting for its embeddings. */
interface Prepared {
  doc: LoadedDocument;
  id: string;
  key: string;
  chunks: ChunkDraft[];
  text: string;
  /** Absent from the graph when its group was checked: written without withdrawing anything first. */
  isNew?: boolean;
}

/** Embedded, and (when an extractor runs) with what was extracted from its chunks. */
interface Embedded extends Prepared {
  embeddings: number[][];
  extractions?: ChunkExtraction[];
}

/** Embedding batches span documents: a JSONL file of short abstracts still fills the model's batches. */
const GROUP_CHUNKS = 128;
/**
 * The first group is small and each next one twice as large, up to GROUP_CHUNKS: the model starts
 * as soon as a few chunks are ready instead of waiting for a whole group to be loaded.
 */
const FIRST_GROUP_CHUNKS = 16;
const GROUP_DOCS = 256;
const DOCUMENTS_PER_TRANSACTION = 64;

/**
 * load → chunk → (skip unchanged) → embed → write. New documents are written several per
 * transaction, documents that replace a stored version one per transaction; either way a
 * document is written completely or not at all. Embedding of the next group overlaps with the
 * database writes of the previous one. A bad source is reported and skipped; the batch goes on.
 */
export async function ingest(inputs: string[], deps: IngestDeps, options: IngestOptions): Promise<IngestSummary> {
  const { db, embedder, extractor, config, logger } = deps;
  const collection = validateCollection(options.collection);
  const started = performance.now();
  // The collection's own indexes exist before its first chunk is written. Creating them takes a
  // few hundred milliseconds of schema work, which overlaps with parsing and the first embedding.
  const indexed = ensureCollectionIndex(db, collection, embedder.dimension);
  indexed.catch(() => undefined); // awaited before the first write, or at the end
  const timings = { load: 0, chunk: 0, embed: 0, extract: 0, write: 0, total: 0 };
  const extraction: ExtractionSummary = {
    extractor: extractor?.name ?? 'none',
    chunks: 0,
    failedChunks: 0,
    mentions: 0,
    linked: 0,
    created: 0,
    relations: 0,
  };
  const outcomes: DocumentOutcome[] = [];
  const perTransaction = Math.max(1, Math.floor(options.documentsPerTransaction ?? DOCUMENTS_PER_TRANSACTION));
  const counters = { documents: 0, chunks: 0, failed: 0 };
  const maxTokens = Math.min(config.chunking.maxTokens, embedder.maxTokens);
  const loadOptions: LoadOptions = {
    maxFileBytes: config.ingest.maxFileBytes,
    fetchTimeoutMs: config.ingest.fetchTimeoutMs,
    allowPrivateUrls: config.ingest.allowPrivateUrls,
    ocr: config.ingest.ocr,
    ...(options.jsonl ? { jsonl: options.jsonl } : {}),
  };

  const named = (source: string): string => {
    for (const [local, name] of Object.entries(options.sourceNames ?? {})) {
      if (source === local || source.startsWith(`${local}#`)) return name + source.slice(local.length);
    }
    return source;
  };
  const fail = (source: string, err: unknown) => {
    const code = err instanceof KgragError ? err.code : 'INTERNAL';
    outcomes.push({ status: 'failed', source, code, error: errorMessage(err) });
    counters.failed++;
    logger.warn({ source, code, err: errorMessage(err) }, 'document failed');
  };

  // Aborted by the caller (a cancelled job) or by a failure of the run: no write starts after that.
  const stop = new AbortController();
  const onAbort = () => stop.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  const { sources, missing } = await expandInputs(inputs, options.cwd ?? process.cwd());
  for (const m of missing) fail(m, new LoadError('NOT_FOUND', `${m}: no such file, folder or matching glob`));
  let sourcesDone = 0;
  const progress = (current?: string) =>
    options.onProgress?.({ sourcesDone, sourcesTotal: sources.length, ...counters, ...(current ? { current } : {}) });

  // Set when the embedder is the configured model: the workers then chunk and embed with it.
  const tokenizer = tokenizerSpecOf(config, embedder);
  let group: Prepared[] = [];
  let groupChunks = 0;
  let groupLimit = FIRST_GROUP_CHUNKS;
  // The write of one group runs while the next group is loaded and embedded.
  let writing: Promise<void> = Promise.resolve();

  // Groups move through embed → extract → write in order. While one group is embedded (in its
  // worker), the next is loaded and chunked, and the previous one's extraction and write run.
  let inFlight: Promise<void> = Promise.resolve();

  const flush = async () => {
    stop.signal.throwIfAborted();
    if (group.length === 0) return;
    const batch = group;
    group = [];
    groupChunks = 0;
    const previous = inFlight;
    inFlight = (async () => {
      const { pending, unchanged } = await dropUnchanged(batch);
      let vectors: number[][] = [];
      if (pending.length > 0) {
        const t = performance.now();
        try {
          const inputsToEmbed = pending.flatMap((p) =>
            p.chunks.map((c) => embeddingInput(p.doc.title, c.headingPath, c.text)),
          );
          // The configured model embeds in its worker; another embedder (a test fake) on this thread.
          vectors = tokenizer
            ? await embedInWorker({ embedding: config.embedding, cacheDir: tokenizer.cacheDir, texts: inputsToEmbed }, stop.signal)
            : await embedder.embedDocuments(inputsToEmbed);
        } catch (err) {
          await previous;
          stop.signal.throwIfAborted();
          outcomes.push(...unchanged);
          for (const p of pending) fail(p.doc.source, err);
          return;
        } finally {
          timings.embed += performance.now() - t;
        }
      }
      let offset = 0;
      const embedded = pending.map((p) => {
        const embeddings = vectors.slice(offset, offset + p.chunks.length);
        offset += p.chunks.length;
        return { ...p, embeddings };
      });
      await previous; // outcomes and writes keep the order of the sources
      stop.signal.throwIfAborted();
      outcomes.push(...unchanged);
      const extracted = await extractGroup(embedded);
      await writing;
      writing = writeAll(extracted);
      writing.catch(() => undefined); // awaited before the next write or at the end
    })();
    inFlight.catch(() => undefined); // awaited by the next flush or at the end; not unhandled meanwhile
    // At most two groups ahead of the writer: the one in embedding and the one being loaded.
    await previous;
  };

  /** Runs the extractor over the group's chunks; documents whose extraction failed under 'fail' drop out. */
  const extractGroup = async (pending: Embedded[]): Promise<Embedded[]> => {
    if (!extractor || pending.length === 0) return pending;
    const t = performance.now();
    try {
      const inputs = pending.flatMap((p) =>
        p.chunks.map((c) => ({ chunkId: chunkId(p.id, c.index), text: c.text, documentTitle: p.doc.title })),
      );
      const result = await extractor.extract(inputs);
      extraction.chunks += inputs.length - result.failures.length;
      extraction.failedChunks += result.failures.length;
      const byDoc = new Map<string, ChunkExtraction[]>();
      for (const ex of result.extractions) {
        const docId = ex.chunkId.slice(0, ex.chunkId.lastIndexOf(':'));
        byDoc.set(docId, [...(byDoc.get(docId) ?? []), ex]);
      }
      const failedDocs = new Map(result.failures.map((f) => [f.chunkId.slice(0, f.chunkId.lastIndexOf(':')), f.error]));
      return pending.flatMap((p) => {
        const failure = failedDocs.get(p.id);
        if (failure && config.extraction.onError === 'fail') {
          fail(p.doc.source, failure);
          return [];
        }
        if (failure) logger.warn({ source: p.doc.source, err: failure.message }, 'extraction skipped some chunks');
        return [{ ...p, extractions: byDoc.get(p.id) ?? [] }];
      });
    } catch (err) {
      for (const p of pending) fail(p.doc.source, err);
      return [];
    } finally {
      timings.extract += performance.now() - t;
    }
  };

  /** The batch's documents to write, and the outcomes of those already stored as they are (reported in order later). */
  const dropUnchanged = async (batch: Prepared[]): Promise<{ pending: Prepared[]; unchanged: DocumentOutcome[] }> => {
    if (options.force && perTransaction === 1) return { pending: batch, unchanged: [] };
    const existing = await findExisting(db, batch.map((p) => p.id));
    for (const p of batch) p.isNew = !existing.has(p.id);
    if (options.force) return { pending: batch, unchanged: [] };
    const unchanged: DocumentOutcome[] = [];
    const pending = batch.filter((p) => {
      const old = existing.get(p.id);
      if (old && old.sha256 === p.doc.sha256 && old.embeddingModel === embedder.modelId) {
        unchanged.push({ status: 'unchanged', source: p.doc.source, documentId: p.id, title: p.doc.title, chunks: p.chunks.length });
        return false;
      }
      return true;
    });
    return { pending, unchanged };
  };

  const written = (p: Embedded, stats: Awaited<ReturnType<typeof replaceDocument>>) => {
    if (stats) {
      extraction.mentions += stats.mentions;
      extraction.linked += stats.linked;
      extraction.created += stats.created;
      extraction.relations += stats.relations;
    }
    outcomes.push({ status: 'ingested', source: p.doc.source, documentId: p.id, title: p.doc.title, chunks: p.chunks.length });
    counters.documents++;
    counters.chunks += p.chunks.length;
  };

  /** Runs of consecutive new documents share transactions; the others (and all, at 1 per transaction) go alone. Order is kept. */
  const writeAll = async (pending: Embedded[]) => {
    await indexed;
    const t = performance.now();
    let run: Embedded[] = [];
    const writeRun = async () => {
      const items = run;
      run = [];
      if (items.length === 0 || stop.signal.aborted) return;
      const results = await writeNewDocuments(
        db,
        items.map((p) => ({ doc: toDocumentWrite(p, collection, embedder.modelId), chunks: toChunkWrites(p, p.embeddings), extractions: p.extractions })),
      );
      items.forEach((p, i) => {
        const r = results[i]!;
        if (r.ok) written(p, r.stats);
        else fail(p.doc.source, r.error);
      });
    };
    for (const p of pending) {
      if (stop.signal.aborted) return;
      if (perTransaction > 1 && p.isNew) {
        run.push(p);
        if (run.length >= perTransaction) await writeRun();
        continue;
      }
      await writeRun();
      try {
        written(p, await replaceDocument(db, toDocumentWrite(p, collection, embedder.modelId), toChunkWrites(p, p.embeddings), p.extractions));
      } catch (err) {
        fail(p.doc.source, err);
      }
    }
    await writeRun();
    timings.write += performance.now() - t;
    progress();
  };

  try {
    // Parsing and chunking run in worker threads, one source ahead of embedding and writing.
    const parse = (source: string) => {
      const task: ParseTask = { source, load: loadOptions };
      if (tokenizer) task.chunking = { maxTokens, overlapTokens: config.chunking.overlapTokens, tokenizer };
      // OCR has its own, longer time limit per document (KGRAG_OCR_TIMEOUT_MS); the worker's budget leaves room for it.
      const budget = { ...config.ingest.workers, timeoutMs: Math.max(config.ingest.workers.timeoutMs, config.ingest.ocr.timeoutMs + 30_000) };
      const parsed = parseInWorker(task, budget, stop.signal);
      parsed.catch(() => undefined); // awaited below; only an abort rejects it
      return parsed;
    };
    let next = sources.length > 0 ? parse(sources[0]!) : undefined;
    for (let i = 0; i < sources.length; i++) {
      const source = sources[i]!;
      progress(source);
      const t = performance.now();
      const parsed = await next!;
      next = i + 1 < sources.length ? parse(sources[i + 1]!) : undefined;
      timings.load += performance.now() - t;
      for (const outcome of parsed) {
        if (!outcome.ok) {
          fail(named(outcome.source), new KgragError(outcome.code, outcome.message));
          continue;
        }
        const shown = named(outcome.doc.source);
        // A title made from the local file name (no heading in the text) takes the shown name's.
        if (shown !== outcome.doc.source && outcome.doc.title === titleFromName(outcome.doc.source)) {
          outcome.doc.title = titleFromName(shown.replace(/^[a-z]+:/, ''));
        }
        outcome.doc.source = shown;
        const prepared = prepare(outcome.doc, outcome.chunks, collection, maxTokens, config.chunking.overlapTokens, embedder, timings);
        if (prepared instanceof KgragError) fail(outcome.doc.source, prepared);
        else {
          group.push(prepared);
          groupChunks += prepared.chunks.length;
          if (groupChunks >= groupLimit || group.length >= GROUP_DOCS) {
            groupLimit = Math.min(GROUP_CHUNKS, groupLimit * 2);
            await flush();
          }
        }
      }
      sourcesDone++;
    }
    await flush();
    await inFlight;
    await writing;
    await indexed; // also when nothing was written
  } catch (err) {
    // A failed run writes nothing more: pending groups are dropped, the write in flight ends first.
    stop.abort(err);
    await inFlight.catch(() => undefined);
    await writing.catch(() => undefined);
    throw err;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  progress();
  timings.total = performance.now() - started;
  for (const key of Object.keys(timings) as Array<keyof typeof timings>) timings[key] = Math.round(timings[key]);
  const unchanged = outcomes.filter((o) => o.status === 'unchanged').length;
  return { collection, ...counters, unchanged, outcomes, extraction, timings };
}

function prepare(
  doc: LoadedDocument,
  chunked: ChunkDraft[] | undefined,
  collection: string,
  maxTokens: number,
  overlapTokens: number,
  embedder: Embedder,
  timings: { chunk: number },
): Prepared | KgragError {
  const t = performance.now();
  try {
    const chunks = chunked ?? chunkDocument(doc, { maxTokens, overlapTokens, countTokens: (s) => embedder.countTokens(s) });
    if (chunks.length === 0) return new LoadError('EMPTY_DOCUMENT', `${doc.source}: no text to index`);
    const key = doc.id ?? doc.source;
    return { doc, id: documentId(collection, key), key, chunks, text: documentText(doc.blocks) };
  } catch (err) {
    return err instanceof KgragError ? err : new LoadError('CORRUPT_FILE', `${doc.source}: ${errorMessage(err)}`, { cause: err });
  } finally {
    timings.chunk += performance.now() - t;
  }
}

function toDocumentWrite(p: Prepared, collection: string, embeddingModel: string) {
  return {
    id: p.id,
    collection,
    key: p.key,
    source: p.doc.source,
    title: p.doc.title,
    mimeType: p.doc.mimeType,
    sha256: p.doc.sha256,
    metadata: p.doc.metadata,
    embeddingModel,
    charCount: p.text.length,
  };
}

function toChunkWrites(p: Prepared, embeddings: number[][]): ChunkWrite[] {
  return p.chunks.map((c, i) => ({
    id: chunkId(p.id, c.index),
    index: c.index,
    text: c.text,
    page: c.page ?? null,
    start: c.start,
    end: c.end,
    headingPath: c.headingPath,
    context: [p.doc.title, ...c.headingPath].join(' > '),
    tokenCount: c.tokenCount,
    ocrConfidence: c.ocrConfidence ?? null,
    ocrLowConfidence: c.ocrConfidence === undefined ? null : c.ocrConfidence < LOW_CONFIDENCE,
    embedding: embeddings[i]!,
  }));
}

/**
 * The tokenizer the workers load to chunk with: the configured model's, when that is the embedder
 * in use (another embedder, such as a test fake, chunks on the calling thread with its own count).
 */
function tokenizerSpecOf(config: KgragConfig, embedder: Embedder): TokenizerSpec | undefined {
  const { modelDir, modelId } = config.embedding;
  const localDir = modelDir ? path.resolve(modelDir) : undefined;
  const configured = localDir ? path.basename(localDir) : modelId;
  if (embedder.modelId !== configured) return undefined;
  return { localDir, modelId, cacheDir: path.join(config.home, 'models', 'hub') };
}
