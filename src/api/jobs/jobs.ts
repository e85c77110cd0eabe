import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../../errors.ts';
import { cypher } from '../../graph/cypher.ts';
import { int, type GraphExecutor, type Row, type TxRunner } from '../../graph/executor.ts';
import { applySystemSchema } from '../../graph/schema.ts';
import type { Logger } from '../../logging.ts';
import { isClientError } from '../errors.ts';

/**
 * Ingestion and import jobs, kept in the database (`_KgragJob` nodes, collection `@system`) so that
 * every server and worker on one Neo4j shares one queue. A worker claims the oldest queued job with
 * a lease (its id and an expiry) that it renews while the job runs; a worker that dies stops
 * renewing, and after the lease another worker resumes the job, at most KGRAG_JOB_MAX_ATTEMPTS
 * starts in all (a job that kills its worker is quarantined, not retried forever). Each worker runs
 * one job at a time (the embedding model is CPU-bound). Re-running is safe: ingest skips documents
 * whose content is unchanged and each document is written in one transaction, imports are
 * idempotent, so a resumed job redoes only what was left.
 *
 * Uploaded inputs are files under `<KGRAG_HOME>/jobs/<id>`: workers must see the same KGRAG_HOME
 * (one machine, or a shared folder) as the servers that take uploads.
 */
export const JOB_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

const SourceSchema = z.object({
  /** A file the server stored (upload, inline text) or a URL to fetch. */
  path: z.string().optional(),
  url: z.string().optional(),
  /** What the user calls it: the uploaded file's name, the URL, `text:<title>`. */
  name: z.string(),
});

const JobSchema = z.object({
  id: z.string(),
  kind: z.enum(['ingest', 'import']),
  collection: z.string(),
  /** The API key that created it: jobs are visible to keys that grant their collection. */
  owner: z.string(),
  status: z.enum(JOB_STATUSES),
  createdAt: z.string(),
  startedAt: z.string().optional(),
  finishedAt: z.string().optional(),
  /** How many times it was started (above 1: resumed after its worker stopped). */
  attempts: z.number().int(),
  progress: z.record(z.string(), z.unknown()),
  result: z.unknown().optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  spec: z.object({
    sources: z.array(SourceSchema),
    /** Import only: the validated mapping. */
    mapping: z.unknown().optional(),
  }),
});

export type Job = z.infer<typeof JobSchema>;
export type JobSpec = Job['spec'];
/** What clients see: the spec holds server paths. */
export type PublicJob = Omit<Job, 'spec'> & { sources: string[] };

export function publicJob({ spec, ...job }: Job): PublicJob {
  return { ...job, sources: spec.sources.map((s) => s.name) };
}

/** Runs a job; reports progress through the callback; returns what goes into `result`. Stops when `signal` aborts. */
export type JobRunner = (job: Job, progress: (p: Record<string, unknown>) => void, signal: AbortSignal) => Promise<unknown>;

/** The job's fields as node properties: nested values as JSON text, absent ones not set. */
function toNode(job: Job): Record<string, unknown> {
  return {
    id: job.id,
    kind: job.kind,
    jobCollection: job.collection,
    owner: job.owner,
    status: job.status,
    createdAt: job.createdAt,
    attempts: int(job.attempts),
    progress: JSON.stringify(job.progress),
    spec: JSON.stringify(job.spec),
  };
}

function fromNode(row: Row | undefined): Job | undefined {
  const n = row?.job as Record<string, unknown> | undefined;
  if (!n) return undefined;
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : undefined);
  return JobSchema.parse({
    id: n.id,
    kind: n.kind,
    collection: n.jobCollection,
    owner: n.owner,
    status: n.status,
    createdAt: n.createdAt,
    startedAt: n.startedAt ?? undefined,
    finishedAt: n.finishedAt ?? undefined,
    attempts: n.attempts,
    progress: json(n.progress) ?? {},
    result: json(n.result),
    error: json(n.error),
    spec: json(n.spec),
  });
}

const ended = (job: Job | undefined) => !job || job.status === 'succeeded' || job.status === 'failed';

export interface JobQueueOptions {
  /** Starts of one job before an interrupted one is given up: a job that crashes its worker does not crash workers forever. */
  maxAttempts?: number;
  /** How long a claim holds without renewal. */
  leaseMs?: number;
  /** Run jobs in this process (false: only submit and watch them, `kgrag serve --no-jobs`). */
  work?: boolean;
  /** How often an idle worker looks for jobs, and watchers for changes. */
  pollMs?: number;
}

export class JobQueue {
  private readonly events = new EventEmitter();
  private running: { id: string; done: Promise<void>; abort: AbortController } | undefined;
  private stopping = false;
  private opened = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly maxAttempts: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly work: boolean;
  /** Identifies this worker's leases. */
  readonly workerId = `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly db: GraphExecutor,
    /** Where uploaded inputs go: `<KGRAG_HOME>/jobs`, shared by servers and workers. */
    private readonly dir: string,
    private readonly run: JobRunner,
    private readonly logger: Logger,
    options: JobQueueOptions = {},
  ) {
    this.events.setMaxListeners(0);
    this.maxAttempts = options.maxAttempts ?? 2;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.pollMs = options.pollMs ?? 1000;
    this.work = options.work ?? true;
  }

  /** Where a job's input files go; removed when the job ends. */
  inputDir(id: string): string {
    return path.join(this.dir, id);
  }

  newId(): string {
    return `job_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
  }

  /** Prepares the database and, in a worker, starts taking jobs (those interrupted elsewhere included, once their lease ran out). */
  async open(): Promise<void> {
    await applySystemSchema(this.db);
    this.opened = true;
    this.pump();
  }

  async submit(input: { id?: string; kind: Job['kind']; collection: string; owner: string; spec: JobSpec }): Promise<Job> {
    const job: Job = {
      id: input.id ?? this.newId(),
      kind: input.kind,
      collection: input.collection,
      owner: input.owner,
      status: 'queued',
      createdAt: new Date().toISOString(),
      attempts: 0,
      progress: {},
      spec: input.spec,
    };
    await applySystemSchema(this.db);
    await this.db.write(cypher('jobs/create'), { job: toNode(job) });
    this.pump();
    return job;
  }

  async get(id: string): Promise<Job | undefined> {
    return fromNode((await this.db.read(cypher('jobs/get'), { id }))[0]);
  }

  /** The newest jobs of these collections (`'*'`: of all). */
  async list(collections: string[] | '*', limit = 100): Promise<Job[]> {
    const rows = await this.db.read(cypher('jobs/list'), { all: collections === '*', collections: collections === '*' ? [] : collections, limit: int(limit) });
    return rows.map((r) => fromNode(r)!);
  }

  /**
   * Calls `listener` on every change of the job, wherever it runs: at once for a job this process
   * runs, otherwise when a poll of the database sees its status or progress change.
   */
  subscribe(id: string, listener: (job: Job) => void): () => void {
    let last = '';
    const seen = (job: Job) => {
      const key = JSON.stringify([job.status, job.progress, job.attempts]);
      if (key === last) return;
      last = key;
      listener(job);
    };
    const handler = (job: Job) => {
      if (job.id === id) seen(job);
    };
    this.events.on('change', handler);
    let polling = false;
    const timer = setInterval(() => {
      if (polling) return;
      polling = true;
      this.get(id)
        .then((job) => job && seen(job))
        .catch((err: unknown) => this.logger.debug({ job: id, err: errorMessage(err) }, 'job poll failed'))
        .finally(() => {
          polling = false;
        });
    }, this.pollMs);
    return () => {
      clearInterval(timer);
      this.events.off('change', handler);
    };
  }

  /** Resolves when the job has ended (or at once if it has), wherever it runs. */
  async finished(id: string, signal?: AbortSignal): Promise<Job | undefined> {
    const job = await this.get(id);
    if (ended(job)) return job;
    return new Promise((resolve) => {
      const done = (j?: Job) => {
        off();
        signal?.removeEventListener('abort', onAbort);
        resolve(j);
      };
      const onAbort = () => void this.get(id).then(done, () => done(undefined));
      const off = this.subscribe(id, (j) => {
        if (ended(j)) done(j);
      });
      signal?.addEventListener('abort', onAbort);
    });
  }

  /**
   * Stops taking jobs and waits up to `graceMs` for the running one. One that does not finish is
   * released: its lease is ended so that another worker (or the next start) resumes it at once.
   */
  async close(graceMs: number): Promise<boolean> {
    this.stopping = true;
    clearTimeout(this.timer);
    const current = this.running;
    if (!current) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const done = await Promise.race([current.done.then(() => true), timeout]);
    clearTimeout(timer);
    if (!done) {
      current.abort.abort(new Error('The worker is shutting down.'));
      await this.db
        .write(cypher('jobs/renew'), { id: current.id, worker: this.workerId, leaseUntil: int(0), progress: null })
        .catch((err: unknown) => this.logger.warn({ job: current.id, err: errorMessage(err) }, 'job lease not released'));
    }
    return done;
  }

  get idle(): boolean {
    return !this.running;
  }

  /** Looks for a job now (after a submit or the previous job), then every pollMs while idle. */
  private pump(): void {
    if (!this.work || !this.opened || this.running || this.stopping) return;
    clearTimeout(this.timer);
    void this.claim()
      .then(async (job) => {
        if (this.stopping) {
          if (job) await this.db.write(cypher('jobs/unclaim'), { id: job.id, worker: this.workerId });
          return;
        }
        if (!job) {
          this.timer = setTimeout(() => this.pump(), this.pollMs);
          return;
        }
        const abort = new AbortController();
        const done = this.execute(job, abort).finally(() => {
          this.running = undefined;
          this.pump();
        });
        this.running = { id: job.id, done, abort };
      })
      .catch((err: unknown) => {
        this.logger.warn({ err: errorMessage(err) }, 'could not look for jobs; trying again');
        if (!this.stopping) this.timer = setTimeout(() => this.pump(), this.pollMs * 5);
      });
  }

  /** Takes the oldest claimable job, quarantining on the way those interrupted too often. */
  private async claim(): Promise<Job | undefined> {
    const now = Date.now();
    if ((await this.db.read(cypher('jobs/claimable'), { now: int(now) })).length === 0) return undefined;
    const { job, quarantined } = await this.db.writeTx(async (tx: TxRunner) => {
      await tx.run(cypher('jobs/lock'), { now: int(now) });
      const quarantined: Job[] = [];
      for (const row of await tx.run(cypher('jobs/expired'), { now: int(now), maxAttempts: int(this.maxAttempts) })) {
        const job = fromNode(row)!;
        const error = {
          code: 'JOB_INTERRUPTED',
          message: `The job was interrupted ${job.attempts} time(s) while it ran (its worker stopped or crashed) and is not started again (KGRAG_JOB_MAX_ATTEMPTS=${this.maxAttempts}). Check the server log; submit it again, or without the file that caused it.`,
        };
        await tx.run(cypher('jobs/finish'), { id: job.id, worker: null, fields: { status: 'failed', finishedAt: new Date(now).toISOString(), error: JSON.stringify(error) } });
        quarantined.push(job);
      }
      const [claimed] = await tx.run(cypher('jobs/claim'), { now: int(now), at: new Date(now).toISOString(), worker: this.workerId, leaseMs: int(this.leaseMs) });
      return { job: fromNode(claimed), quarantined };
    });
    for (const q of quarantined) {
      this.logger.error({ job: q.id, attempts: q.attempts }, 'interrupted job quarantined');
      await rm(this.inputDir(q.id), { recursive: true, force: true });
    }
    if (job && job.attempts > 1) this.logger.info({ job: job.id, attempts: job.attempts }, 'job resumed');
    return job;
  }

  private async execute(job: Job, abort: AbortController): Promise<void> {
    const id = job.id;
    let pendingProgress: Record<string, unknown> | undefined;
    let lost = false;
    // The lease is renewed (with the latest progress) a few times per lease period; progress is
    // also saved at most once a second, so that watchers elsewhere see it move.
    const renew = async (force: boolean) => {
      if (!force && pendingProgress === undefined) return;
      const progress = pendingProgress === undefined ? null : JSON.stringify(pendingProgress);
      pendingProgress = undefined;
      const rows = await this.db.write(cypher('jobs/renew'), { id, worker: this.workerId, leaseUntil: int(Date.now() + this.leaseMs), progress });
      if (rows.length === 0 && !lost) {
        // Another worker took the job over (this one was too slow to renew): stop writing.
        lost = true;
        this.logger.warn({ job: id }, 'job lease lost; stopping it');
        abort.abort(new Error('The job lease was lost.'));
      }
    };
    const safely = (force: boolean) => void renew(force).catch((err: unknown) => this.logger.warn({ job: id, err: errorMessage(err) }, 'job lease not renewed'));
    const leaseTimer = setInterval(() => safely(true), Math.max(200, Math.floor(this.leaseMs / 3)));
    const progressTimer = setInterval(() => safely(false), 1000);
    const fields: Record<string, unknown> = {};
    try {
      const result = await this.run(
        job,
        (progress) => {
          job.progress = progress;
          pendingProgress = progress;
          this.events.emit('change', job);
        },
        abort.signal,
      );
      job.status = 'succeeded';
      job.result = result;
      fields.result = JSON.stringify(result ?? null);
    } catch (err) {
      job.status = 'failed';
      job.error = isClientError(err) ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: 'The job failed unexpectedly; it has been logged.' };
      fields.error = JSON.stringify(job.error);
      if (isClientError(err)) this.logger.warn({ job: id, code: err.code, err: err.message }, 'job failed');
      else if (!abort.signal.aborted) this.logger.error({ job: id, err }, 'job failed');
    } finally {
      clearInterval(leaseTimer);
      clearInterval(progressTimer);
    }
    // Shut down or taken over: the job stays with whoever resumes it.
    if (abort.signal.aborted) return;
    job.finishedAt = new Date().toISOString();
    try {
      const [row] = await this.db.write(cypher('jobs/finish'), {
        id,
        worker: this.workerId,
        fields: { ...fields, status: job.status, finishedAt: job.finishedAt, progress: JSON.stringify(job.progress) },
      });
      if (!row) {
        this.logger.warn({ job: id }, 'job finished after its lease was lost; another worker owns it');
        return;
      }
    } catch (err) {
      // Not recorded: the lease runs out and the job runs again (re-running is safe).
      this.logger.error({ job: id, err: errorMessage(err) }, 'job outcome not saved');
      return;
    }
    await rm(this.inputDir(id), { recursive: true, force: true });
    this.events.emit('change', job);
  }
}
