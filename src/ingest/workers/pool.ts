/**
 * The worker-thread pool for parsing and chunking untrusted documents (piscina). A document
 * whose parsing runs past its time budget or its worker's heap limit stops that worker only:
 * the document fails with RESOURCE_LIMIT, the pool starts a fresh worker, the batch goes on.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import type { Piscina as PiscinaPool } from 'piscina';
import type { EmbedTask, ParseOutcome, ParseTask } from './parse-worker.ts';

export interface ParsePoolOptions {
  threads: number;
  /** Per source. */
  timeoutMs: number;
  /** Old-generation heap of each worker. */
  memoryMb: number;
}

/**
 * The worker file sits next to this module with the same extension: `.js` when compiled to dist/;
 * from the TypeScript sources (tsx, vitest) a small entry registers tsx in the worker first, since
 * loader hooks are not inherited by worker threads.
 */
function workerFile(): string {
  const self = fileURLToPath(import.meta.url);
  const ext = path.extname(self);
  return path.join(path.dirname(self), ext === '.ts' ? 'from-source.mjs' : `parse-worker${ext}`);
}

/** Loaded when the first pool starts: a process that never parses (the CLI's ask) never loads it. */
const piscinaClass = (): typeof PiscinaPool => (createRequire(import.meta.url)('piscina') as { Piscina: typeof PiscinaPool }).Piscina;

let pool: { piscina: PiscinaPool; options: ParsePoolOptions } | undefined;
/** Embedding has a pool of its own: one thread that keeps the model loaded, beside the parsing threads. */
let embedPool: PiscinaPool | undefined;

/** Embeds document chunks in the embedding worker (see parse-worker.ts `embed`). */
export async function embedInWorker(task: EmbedTask, signal?: AbortSignal): Promise<number[][]> {
  const Piscina = piscinaClass();
  embedPool ??= new Piscina({ filename: workerFile(), name: 'embed', minThreads: 0, maxThreads: 1, idleTimeout: 10 * 60_000 });
  return (await embedPool.run(task, signal ? { name: 'embed', signal } : { name: 'embed' })) as number[][];
}

function poolFor(options: ParsePoolOptions): PiscinaPool {
  if (pool && pool.options.threads === options.threads && pool.options.memoryMb === options.memoryMb) return pool.piscina;
  void pool?.piscina.destroy();
  const Piscina = piscinaClass();
  const piscina = new Piscina({
    filename: workerFile(),
    minThreads: 0,
    maxThreads: options.threads,
    idleTimeout: 30_000,
    resourceLimits: { maxOldGenerationSizeMb: options.memoryMb },
  });
  pool = { piscina, options };
  return piscina;
}

/** Loads (and chunks, when the task says how) one source in a worker, within the time and memory budget. */
export async function parseInWorker(task: ParseTask, options: ParsePoolOptions, signal?: AbortSignal): Promise<ParseOutcome[]> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  try {
    return (await poolFor(options).run(task, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout })) as ParseOutcome[];
  } catch (err) {
    if (signal?.aborted) throw signal.reason ?? err;
    const code = (err as { code?: unknown }).code;
    const what = timeout.aborted
      ? `parsing it took longer than ${Math.round(options.timeoutMs / 1000)} s (KGRAG_DOC_TIMEOUT_S)`
      : code === 'ERR_WORKER_OUT_OF_MEMORY'
        ? `parsing it needed more than ${options.memoryMb} MB (KGRAG_DOC_MEMORY_MB)`
        : `its parser stopped unexpectedly (${(err as Error).message})`;
    return [{ ok: false, source: task.source, code: 'RESOURCE_LIMIT', message: `${task.source}: ${what}; it was stopped so that it could not exhaust the server.` }];
  }
}

/** Stops the workers, parsing and embedding (at shutdown). */
export async function closeParsePool(): Promise<void> {
  const p = pool;
  const e = embedPool;
  pool = undefined;
  embedPool = undefined;
  await Promise.all([p?.piscina.destroy(), e?.destroy()]);
}
