import type { Kgrag } from '../../app.ts';
import { importRecords } from '../../import/importer.ts';
import { validateMapping } from '../../import/mapping.ts';
import { ingest } from '../../ingest/pipeline.ts';
import type { Job, JobRunner } from './jobs.ts';

/**
 * Runs ingest and import jobs against the app. Results name sources the way the user does: server
 * paths of stored uploads never reach a client, not even inside error messages.
 */
export function jobRunner(app: Kgrag, onWrite: () => void): JobRunner {
  return async (job, progress, signal) => {
    try {
      return job.kind === 'ingest' ? await runIngest(app, job, progress, signal) : await runImport(app, job, progress);
    } catch (err) {
      if (err instanceof Error) err.message = hidePaths(job, err.message);
      throw err;
    } finally {
      onWrite();
    }
  };
}

async function runIngest(app: Kgrag, job: Job, progress: (p: Record<string, unknown>) => void, signal: AbortSignal): Promise<unknown> {
  const sourceNames: Record<string, string> = {};
  const inputs = job.spec.sources.map((s) => {
    if (s.path) sourceNames[s.path] = s.name;
    return s.path ?? s.url ?? s.name;
  });
  const summary = await ingest(
    inputs,
    { db: app.db, embedder: app.embedder!, extractor: app.extractor, config: app.config, logger: app.logger },
    { collection: job.collection, sourceNames, signal, onProgress: (p) => progress({ ...p, ...(p.current ? { current: hidePaths(job, p.current) } : {}) }) },
  );
  return {
    ...summary,
    outcomes: summary.outcomes.map((o) => (o.status === 'failed' ? { ...o, source: hidePaths(job, o.source), error: hidePaths(job, o.error) } : o)),
  };
}

async function runImport(app: Kgrag, job: Job, progress: (p: Record<string, unknown>) => void): Promise<unknown> {
  const source = job.spec.sources[0]!;
  const mapping = validateMapping(job.spec.mapping);
  const summary = await importRecords(app.db, source.path!, mapping, {
    collection: job.collection,
    logger: app.logger,
    onProgress: (p) => progress({ ...p }),
  });
  return {
    ...summary,
    file: source.name,
    errors: summary.errors.map((e) => ({ ...e, message: hidePaths(job, e.message) })),
    warnings: summary.warnings.map((w) => hidePaths(job, w)),
  };
}

/** Replaces the server paths of a job's stored files by their names. */
export function hidePaths(job: Job, text: string): string {
  let out = text;
  for (const s of job.spec.sources) if (s.path) out = out.replaceAll(s.path, s.name);
  return out;
}
