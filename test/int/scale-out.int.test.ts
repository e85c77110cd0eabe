import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openKgrag, type Kgrag } from '../../src/app.ts';
import { KeyStore } from '../../src/api/auth/keys.ts';
import { loadConfig } from '../../src/config/index.ts';
import { silentLogger } from '../../src/logging.ts';
import { dropCollections, uniqueCollection } from '../helpers.ts';

const BIN = path.resolve(import.meta.dirname, '../../scripts/kgrag.mjs');
type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/**
 * Scale-out with real processes on the one test Neo4j: two `kgrag serve --no-jobs` and two
 * `kgrag worker`, sharing a KGRAG_HOME folder (uploaded inputs) and nothing else but the database,
 * reached through a `neo4j://` routing URI (reads in read transactions, writes in write ones).
 * No timing assertions: every wait polls with a generous bound.
 */
describe('several servers and workers on one database', () => {
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-scale-'));
  const C = uniqueCollection('scale');
  const RATE_LIMIT = 40;
  const children: ChildProcess[] = [];
  const servers: string[] = [];
  const workers: ChildProcess[] = [];
  let app: Kgrag;
  let admin: string;

  function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
    const config = loadConfig();
    const routing = config.neo4j.uri.replace(/^bolt:/, 'neo4j:');
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        ...process.env,
        NEO4J_URI: routing,
        KGRAG_HOME: home,
        KGRAG_MODEL_DIR: config.embedding.modelDir ?? '',
        KGRAG_JOB_LEASE_S: '4',
        KGRAG_API_RATE_LIMIT: String(RATE_LIMIT),
        KGRAG_API_MAX_UPLOAD_FILES: '200',
        KGRAG_LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    return new Promise((resolve, reject) => {
      child.once('exit', (code) => reject(new Error(`kgrag ${args[0]} exited with ${code}: ${stderr}`)));
      let out = '';
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const match = ready.exec(out);
        if (match) resolve({ child, match });
      });
    });
  }

  async function call(server: string, method: string, route: string, key: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${server}${route}`, {
      method,
      headers: { authorization: `Bearer ${key}`, ...(body === undefined || body instanceof FormData ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : body instanceof FormData ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  /** The job as the database holds it (polling through the API would spend the rate limit). */
  async function jobNode(id: string): Promise<Json | undefined> {
    const [row] = await app.db.read('MATCH (j:_KgragJob {id: $id}) RETURN j {.*} AS job', { id });
    return row?.job as Json | undefined;
  }

  beforeAll(async () => {
    app = await openKgrag({ config: loadConfig(), logger: silentLogger(), schema: true });
    admin = (await new KeyStore(app.db).create({ name: 'scale admin', role: 'admin', collections: ['*'] })).key;
    const started = await Promise.all([
      start(['serve', '--port', '0', '--no-jobs'], /serving on (http:\/\/\S+?) /),
      start(['serve', '--port', '0', '--no-jobs'], /serving on (http:\/\/\S+?) /),
      start(['worker'], /kgrag worker (\S+) is taking jobs/),
      start(['worker'], /kgrag worker (\S+) is taking jobs/),
    ]);
    servers.push(started[0]!.match[1]!, started[1]!.match[1]!);
    workers.push(started[2]!.child, started[3]!.child);
  }, 600_000);

  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await dropCollections(app, [C]);
    await app.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('a key created on A works on B; revoked on B, it fails on A', async () => {
    const [a, b] = servers as [string, string];
    const created = await call(a, 'POST', '/v1/keys', admin, { name: 'shared', role: 'reader', collections: [C] });
    expect(created.status).toBe(201);
    const key = created.body.key as string;
    expect((await call(b, 'GET', '/v1/collections', key)).status).toBe(200);
    expect((await call(b, 'DELETE', `/v1/keys/${created.body.info.id}`, admin)).status).toBe(200);
    // A trusts what it read of a key for at most a couple of seconds.
    await vi.waitFor(async () => expect((await call(a, 'GET', '/v1/collections', key)).status).toBe(401), { timeout: 30_000, interval: 500 });
  });

  it('`kgrag keys` works on the database: a key it creates is served, one it revokes is refused', async () => {
    const [a, b] = servers as [string, string];
    const cli = async (...args: string[]) =>
      JSON.parse((await promisify(execFile)(process.execPath, [BIN, 'keys', ...args, '--json'], { env: { ...process.env, KGRAG_HOME: home, KGRAG_LOG_LEVEL: 'warn' } })).stdout) as Json;
    const created = await cli('create', '--name', 'from the cli', '--role', 'reader', '--collection', C);
    expect((await call(b, 'GET', '/v1/collections', created.key)).status).toBe(200);
    expect((await cli('list')).keys).toEqual(expect.arrayContaining([expect.objectContaining({ id: created.id, name: 'from the cli' })]));
    await cli('revoke', created.id);
    await vi.waitFor(async () => expect((await call(a, 'GET', '/v1/collections', created.key)).status).toBe(401), { timeout: 30_000, interval: 500 });
  }, 120_000);

  it('a job submitted on A runs exactly once, on one of the workers, and B reports it', async () => {
    const [a, b] = servers as [string, string];
    const form = new FormData();
    form.append('files', new Blob(['# Scale note\n\nThe harbour crane was serviced by Ilse Brandt in March.\n']), 'note.md');
    const submitted = await call(a, 'POST', `/v1/documents?collection=${C}`, admin, form);
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;
    await vi.waitFor(async () => expect((await jobNode(id))?.status).toBe('succeeded'), { timeout: 180_000, interval: 500 });
    expect(await jobNode(id)).toMatchObject({ attempts: 1 });
    const seen = await call(b, 'GET', `/v1/jobs/${id}`, admin);
    expect(seen.body).toMatchObject({ id, status: 'succeeded', attempts: 1, result: { documents: 1, failed: 0 } });
    const [docs] = await app.db.read('MATCH (d:Document {collection: $c}) RETURN count(d) AS n', { c: C });
    expect(docs!.n).toBe(1);
  }, 240_000);

  it('a worker killed mid-job (kill -9) loses it to the other, which finishes it; nothing is half-ingested', async () => {
    const [a] = servers as [string, string];
    const files = 60;
    const form = new FormData();
    for (let i = 0; i < files; i++) {
      const text = Array.from({ length: 40 }, (_, s) => `Report ${i} sentence ${s}: the pump station ${i} needs valve ${s} replaced before the inspection.`).join(' ');
      form.append('files', new Blob([`# Station report ${i}\n\n${text}\n`]), `report-${i}.md`);
    }
    const submitted = await call(a, 'POST', `/v1/documents?collection=${C}`, admin, form);
    expect(submitted.status).toBe(202);
    const id = submitted.body.id as string;
    // Mid-job: running, some documents written, not all.
    let owner = '';
    await vi.waitFor(
      async () => {
        const job = await jobNode(id);
        const progress = JSON.parse(String(job?.progress ?? '{}')) as { sourcesDone?: number };
        expect(job?.status).toBe('running');
        expect(progress.sourcesDone ?? 0).toBeGreaterThan(0);
        owner = String(job!.leaseOwner);
      },
      { timeout: 240_000, interval: 200 },
    );
    const victim = workers.find((w) => owner.split(':')[1] === String(w.pid));
    expect(victim).toBeDefined();
    victim!.kill('SIGKILL');
    await vi.waitFor(async () => expect((await jobNode(id))?.status).toBe('succeeded'), { timeout: 400_000, interval: 1000 });
    const job = (await jobNode(id))!;
    expect(job.attempts).toBe(2);
    expect(String(job.leaseOwner ?? '')).toBe('');
    const [counts] = await app.db.read(
      `MATCH (d:Document {collection: $c}) WHERE d.source STARTS WITH 'upload:report-'
       OPTIONAL MATCH (ch:Chunk {documentId: d.id})
       WITH d, count(ch) AS chunks, count(ch.embedding) AS embedded
       RETURN count(d) AS documents, count(DISTINCT d.source) AS sources, sum(CASE WHEN chunks = 0 OR chunks <> d.chunkCount OR embedded < chunks THEN 1 ELSE 0 END) AS partial`,
      { c: C },
    );
    expect(counts).toEqual({ documents: files, sources: files, partial: 0 });
  }, 700_000);

  it('rate limits hold across servers: one allowance for both', async () => {
    const [a, b] = servers as [string, string];
    const { key } = await new KeyStore(app.db).create({ name: 'rate', role: 'reader', collections: [C] });
    // Counters are per minute: start early in a window so that all requests fall into one.
    await vi.waitFor(() => expect(Date.now() % 60_000).toBeLessThan(30_000), { timeout: 65_000, interval: 250 });
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_LIMIT; i++) statuses.push((await call(i % 2 ? b : a, 'GET', '/v1/collections', key)).status);
    expect(statuses.slice(0, RATE_LIMIT).every((s) => s === 200)).toBe(true);
    expect(statuses[RATE_LIMIT]).toBe(429);
  }, 120_000);
});
