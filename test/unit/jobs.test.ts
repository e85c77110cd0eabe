import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JobQueue, type Job } from '../../src/api/jobs/jobs.ts';
import { silentLogger } from '../../src/logging.ts';

function interruptedJob(id: string, attempts: number): Job {
  return {
    id,
    kind: 'ingest',
    collection: 'c',
    owner: 'k',
    status: 'running',
    createdAt: new Date().toISOString(),
    startedAt: new Date().toISOString(),
    attempts,
    progress: {},
    spec: { sources: [{ name: 'upload:bomb.docx', path: '/nowhere/bomb.docx' }] },
  };
}

describe('jobs interrupted by a crash', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  async function reopen(jobs: Job[], maxAttempts?: number) {
    const dir = mkdtempSync(path.join(tmpdir(), 'kgrag-jobs-'));
    dirs.push(dir);
    for (const job of jobs) writeFileSync(path.join(dir, `${job.id}.json`), JSON.stringify(job));
    const started: string[] = [];
    const queue = new JobQueue(dir, async (job) => {
      started.push(job.id);
      return { ok: true };
    }, silentLogger(), maxAttempts === undefined ? {} : { maxAttempts });
    await queue.open();
    for (const job of jobs) await queue.finished(job.id);
    const onDisk = (id: string) => JSON.parse(readFileSync(path.join(dir, `${id}.json`), 'utf8')) as Job;
    return { queue, started, onDisk };
  }

  it('resumes a job interrupted once, and quarantines one interrupted as often as allowed (default 2)', async () => {
    const { started, queue, onDisk } = await reopen([interruptedJob('job_once', 1), interruptedJob('job_twice', 2)]);
    expect(started).toEqual(['job_once']);
    expect(queue.get('job_once')).toMatchObject({ status: 'succeeded', attempts: 2 });
    expect(queue.get('job_twice')).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'JOB_INTERRUPTED' } });
    expect(queue.get('job_twice')!.error!.message).toMatch(/interrupted 2 time/);
    // Persisted: the next start does not try it again either.
    expect(onDisk('job_twice')).toMatchObject({ status: 'failed', error: { code: 'JOB_INTERRUPTED' } });
  });

  it('takes the limit from the configuration', async () => {
    const { started, queue } = await reopen([interruptedJob('job_a', 2)], 3);
    expect(started).toEqual(['job_a']);
    expect(queue.get('job_a')).toMatchObject({ status: 'succeeded', attempts: 3 });
  });
});
