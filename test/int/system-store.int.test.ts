import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { openKgrag, type Kgrag } from '../../src/app.ts';
import { KeyStore } from '../../src/api/auth/keys.ts';
import { JobQueue, type Job } from '../../src/api/jobs/jobs.ts';
import { readCypherOp, type ApiContext } from '../../src/api/operations.ts';
import { loadConfig } from '../../src/config/index.ts';
import { buildCatalog } from '../../src/graph/catalog.ts';
import { silentLogger } from '../../src/logging.ts';
import { uniqueCollection } from '../helpers.ts';
import { COLLECTIONS_PARAM, runReadOnly, scopeToCollections, untrustedScope } from '../../src/planner/guard.ts';

/** Keys and jobs kept in the database as `_Kgrag…` bookkeeping nodes (shared by every server on it). */
describe('bookkeeping in the database', () => {
  let app: Kgrag;
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-system-'));
  const C = uniqueCollection('system');

  beforeAll(async () => {
    app = await openKgrag({ config: loadConfig(), logger: silentLogger(), schema: true });
  });
  afterAll(async () => {
    await app.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('imports a legacy key file once, renames it, and its keys keep working', async () => {
    const file = path.join(home, 'api-keys.json');
    // Written by the file-based store of earlier versions: the secret below hashes to `hash`.
    const legacy = new KeyStore(app.db);
    const { key, info } = await legacy.create({ name: 'legacy', role: 'reader', collections: [C] });
    const [row] = await app.db.read('MATCH (k:_KgragKey {id: $id}) RETURN k.hash AS hash', { id: info.id });
    await app.db.write('MATCH (k:_KgragKey {id: $id}) DETACH DELETE k', { id: info.id });
    expect(await new KeyStore(app.db, { cacheMs: 0 }).verify(key)).toBeUndefined();
    writeFileSync(file, JSON.stringify({ version: 1, keys: [{ ...info, hash: row!.hash }] }));

    const store = new KeyStore(app.db, { legacyFile: file, cacheMs: 0 });
    expect(await store.verify(key)).toMatchObject({ id: info.id, role: 'reader', collections: [C] });
    expect(existsSync(file)).toBe(false);
    expect(existsSync(`${file}.imported`)).toBe(true);
    // Revoked in the database: refused, and a second store does not import the renamed file again.
    await store.revoke(info.id);
    expect(await new KeyStore(app.db, { legacyFile: file, cacheMs: 0 }).verify(key)).toBeUndefined();
  });

  it('an admin `*` key reading the whole graph (read_cypher, schema) never sees a key, job or counter', async () => {
    const store = new KeyStore(app.db);
    await store.create({ name: 'visible?', role: 'admin', collections: ['*'] });
    const ctx = { app, principal: { keyId: 'admin', role: 'admin', collections: ['*'] } } as unknown as ApiContext;
    const all = await readCypherOp(ctx, { query: 'MATCH (n) RETURN n', limit: 1000 });
    const text = JSON.stringify(all.rows);
    expect(text).not.toMatch(/_Kgrag|"hash"|@system/);
    const props = await readCypherOp(ctx, { query: 'MATCH (n) WHERE n.hash IS NOT NULL OR n.leaseOwner IS NOT NULL RETURN n.hash AS h', limit: 10 });
    expect(props.rows).toEqual([]);
    const catalog = await buildCatalog(app.db, {});
    expect(JSON.stringify(catalog)).not.toMatch(/_Kgrag/);
    // A database holding no collection is read whole by `*` keys (scope null); the free-form Cypher
    // of read_cypher and text-to-Cypher is scoped all the same, so bookkeeping stays out of reach.
    const whole = await runReadOnly(app.db, scopeToCollections('MATCH (n) RETURN n', COLLECTIONS_PARAM), {}, { collections: untrustedScope(null), limit: 1000, timeoutMs: 30_000 });
    expect(JSON.stringify(whole.rows)).not.toMatch(/_Kgrag|"hash"|@system/);
  });

  describe('jobs', () => {
    const queues: JobQueue[] = [];
    // Each test's workers stop with it: they would take the next test's jobs.
    afterEach(async () => {
      for (const q of queues.splice(0)) await q.close(1000);
    });

    /** A worker whose runner records what it started (other tests' leftover jobs are finished at once). */
    function worker(mine: Set<string>, started: Array<[string, number]>, maxAttempts?: number) {
      const q = new JobQueue(app.db, path.join(home, 'jobs'), async (job: Job) => {
        if (mine.has(job.id)) started.push([job.id, job.attempts]);
        return { ok: true };
      }, silentLogger(), { pollMs: 100, ...(maxAttempts === undefined ? {} : { maxAttempts }) });
      queues.push(q);
      return q;
    }

    /** A job left `running` by a worker that died after `attempts` starts (its lease ran out). */
    async function interrupted(q: JobQueue, attempts: number): Promise<string> {
      const id = q.newId();
      await q.submit({ id, kind: 'ingest', collection: C, owner: 'k', spec: { sources: [{ name: 'upload:bomb.docx', path: '/nowhere/bomb.docx' }] } });
      await app.db.write(`MATCH (j:_KgragJob {id: $id}) SET j.status = 'running', j.attempts = $attempts, j.leaseOwner = 'dead', j.leaseUntil = 0`, {
        id,
        attempts,
      });
      return id;
    }

    it('resumes a job interrupted once, and quarantines one interrupted as often as allowed (default 2)', async () => {
      const started: Array<[string, number]> = [];
      const mine = new Set<string>();
      const setup = new JobQueue(app.db, path.join(home, 'jobs'), async () => ({}), silentLogger(), { work: false });
      const once = await interrupted(setup, 1);
      const twice = await interrupted(setup, 2);
      mine.add(once).add(twice);
      const q = worker(mine, started);
      await q.open();
      expect(await q.finished(once)).toMatchObject({ status: 'succeeded', attempts: 2 });
      const failed = await q.finished(twice);
      expect(failed).toMatchObject({ status: 'failed', attempts: 2, error: { code: 'JOB_INTERRUPTED' } });
      expect(failed!.error!.message).toMatch(/interrupted 2 time/);
      expect(started).toEqual([[once, 2]]);
    });

    it('takes the limit from the configuration', async () => {
      const started: Array<[string, number]> = [];
      const setup = new JobQueue(app.db, path.join(home, 'jobs'), async () => ({}), silentLogger(), { work: false });
      const id = await interrupted(setup, 2);
      const q = worker(new Set([id]), started, 3);
      await q.open();
      expect(await q.finished(id)).toMatchObject({ status: 'succeeded', attempts: 3 });
      expect(started).toEqual([[id, 3]]);
    });

    it('runs each job once with two workers polling the same queue', async () => {
      const started: Array<[string, number]> = [];
      const mine = new Set<string>();
      const a = worker(mine, started);
      const b = worker(mine, started);
      const submitter = new JobQueue(app.db, path.join(home, 'jobs'), async () => ({}), silentLogger(), { work: false });
      const ids = [];
      for (let i = 0; i < 8; i++) {
        const id = submitter.newId();
        mine.add(id);
        ids.push(id);
        await submitter.submit({ id, kind: 'ingest', collection: C, owner: 'k', spec: { sources: [{ name: `s${i}` }] } });
      }
      await Promise.all([a.open(), b.open()]);
      for (const id of ids) expect(await submitter.finished(id)).toMatchObject({ status: 'succeeded', attempts: 1 });
      await vi.waitFor(() => expect(started).toHaveLength(8), { timeout: 10_000 });
      expect(new Set(started.map(([id]) => id)).size).toBe(8);
      expect(await submitter.list([C], 100)).toEqual(expect.arrayContaining(ids.map((id) => expect.objectContaining({ id, collection: C }))));
    });
  });
});
