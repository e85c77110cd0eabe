import { EventEmitter } from 'node:events';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { errorMessage } from '../../errors.ts';
import type { Logger } from '../../logging.ts';
import { isClientError } from '../errors.ts';

/**
 * Ingestion and import jobs: queued, run one at a time (the embedding model is CPU-bound, two jobs
 * at once only slow each other down), with progress, persisted under `.kgrag/jobs` so that a job a
 * shutdown interrupted runs again at the next start. Re-running is safe: ingest skips documents
 * whose content is unchanged and imports are idempotent, so a resumed job redoes only what was left.
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
  /** How many times it was started (above 1: resumed after a restart). */
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

/** Runs a job; reports progress through the callback; returns what goes into `result`. */
export type JobRunner = (job: Job, progress: (p: Record<string, unknown>) => void) => Promise<unknown>;

export class JobQueue {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: string[] = [];
  private readonly events = new EventEmitter();
  private running: Promise<void> | undefined;
  private stopping = false;

  /** Starts of one job before an interrupted one is given up: a job that crashes the process does not crash it forever. */
  private readonly maxAttempts: number;

  constructor(
    private readonly dir: string,
    private readonly run: JobRunner,
    private readonly logger: Logger,
    options: { maxAttempts?: number } = {},
  ) {
    this.events.setMaxListeners(0);
    this.maxAttempts = options.maxAttempts ?? 2;
  }

  /** Where a job's input files go; removed when the job ends. */
  inputDir(id: string): string {
    return path.join(this.dir, id);
  }

  newId(): string {
    return `job_${Date.now().toString(36)}${randomBytes(6).toString('hex')}`;
  }

  /** Loads persisted jobs and queues again those a shutdown interrupted. */
  async open(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    for (const file of (await readdir(this.dir)).filter((f) => f.endsWith('.json')).sort()) {
      try {
        const job = JobSchema.parse(JSON.parse(await readFile(path.join(this.dir, file), 'utf8')));
        this.jobs.set(job.id, job);
        if (job.status === 'running' && job.attempts >= this.maxAttempts) {
          // It was running when the process died, every time it was started: quarantined, not retried.
          job.status = 'failed';
          job.finishedAt = new Date().toISOString();
          job.error = {
            code: 'JOB_INTERRUPTED',
            message: `The job was interrupted ${job.attempts} time(s) while it ran (the server stopped or crashed) and is not started again (KGRAG_JOB_MAX_ATTEMPTS=${this.maxAttempts}). Check the server log; submit it again, or without the file that caused it.`,
          };
          this.logger.error({ job: job.id, attempts: job.attempts }, 'interrupted job quarantined');
          await this.persist(job);
          await rm(this.inputDir(job.id), { recursive: true, force: true });
        } else if (job.status === 'queued' || job.status === 'running') {
          job.status = 'queued';
          this.queue.push(job.id);
          this.logger.info({ job: job.id, attempts: job.attempts }, 'job resumed');
        }
      } catch (err) {
        this.logger.warn({ file, err: errorMessage(err) }, 'unreadable job file skipped');
      }
    }
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
    this.jobs.set(job.id, job);
    await this.persist(job);
    this.queue.push(job.id);
    this.pump();
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  list(filter: (job: Job) => boolean, limit = 100): Job[] {
    return [...this.jobs.values()].filter(filter).sort((a, b) => b.createdAt.localeCompare(a.createdAt)).slice(0, limit);
  }

  /** Calls `listener` on every change of the job until it returns true or the job ends. */
  subscribe(id: string, listener: (job: Job) => void): () => void {
    const handler = (job: Job) => {
      if (job.id === id) listener(job);
    };
    this.events.on('change', handler);
    return () => this.events.off('change', handler);
  }

  /** Resolves when the job has ended (or at once if it has). */
  async finished(id: string, signal?: AbortSignal): Promise<Job | undefined> {
    const job = this.jobs.get(id);
    if (!job || job.status === 'succeeded' || job.status === 'failed') return job;
    return new Promise((resolve) => {
      const done = () => {
        off();
        signal?.removeEventListener('abort', done);
        resolve(this.jobs.get(id));
      };
      const off = this.subscribe(id, (j) => {
        if (j.status === 'succeeded' || j.status === 'failed') done();
      });
      signal?.addEventListener('abort', done);
    });
  }

  /** Stops taking queued jobs and waits up to `graceMs` for the running one; an unfinished job stays resumable. */
  async close(graceMs: number): Promise<boolean> {
    this.stopping = true;
    if (!this.running) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    });
    const done = await Promise.race([this.running.then(() => true), timeout]);
    clearTimeout(timer);
    return done;
  }

  get idle(): boolean {
    return !this.running && this.queue.length === 0;
  }

  private pump(): void {
    if (this.running || this.stopping) return;
    const id = this.queue.shift();
    if (!id) return;
    this.running = this.execute(id).finally(() => {
      this.running = undefined;
      this.pump();
    });
  }

  private async execute(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) return;
    job.status = 'running';
    job.startedAt = new Date().toISOString();
    job.attempts += 1;
    await this.persist(job);
    let lastSaved = 0;
    try {
      job.result = await this.run(job, (progress) => {
        job.progress = progress;
        this.events.emit('change', job);
        // Progress is on disk at most once a second: enough to show where a resumed job was.
        if (Date.now() - lastSaved > 1000) {
          lastSaved = Date.now();
          void this.persist(job);
        }
      });
      job.status = 'succeeded';
    } catch (err) {
      job.status = 'failed';
      job.error = isClientError(err) ? { code: err.code, message: err.message } : { code: 'INTERNAL', message: 'The job failed unexpectedly; it has been logged.' };
      if (isClientError(err)) this.logger.warn({ job: id, code: err.code, err: err.message }, 'job failed');
      else this.logger.error({ job: id, err }, 'job failed');
    }
    job.finishedAt = new Date().toISOString();
    await this.persist(job);
    await rm(this.inputDir(id), { recursive: true, force: true });
    this.events.emit('change', job);
  }

  private async persist(job: Job): Promise<void> {
    const file = path.join(this.dir, `${job.id}.json`);
    const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    try {
      await writeFile(tmp, JSON.stringify(job));
      await rename(tmp, file);
    } catch (err) {
      this.logger.warn({ job: job.id, err: errorMessage(err) }, 'job state not saved');
    }
  }
}
