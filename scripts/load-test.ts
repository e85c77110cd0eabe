/**
 * Bounded load and soak test of the HTTP API on loopback.
 *   npm run load-test -- [--minutes 10] [--concurrency 12] [--servers 1] [--workers 0]
 * Loads the example knowledge base into a fresh collection, starts `kgrag serve` as child processes
 * on ephemeral ports (with `--workers N`: servers run with --no-jobs and N `kgrag worker`s run the
 * ingest jobs; all share this KGRAG_HOME and Neo4j), and keeps `concurrency` clients busy for the
 * duration with a mix of hybrid searches, questions, GraphQL reads and small ingests (each waits for
 * its job). Clients spread their requests over the servers. Every minute it prints each process's
 * RSS and open file descriptors and the machine load; at the end, count, errors and p50/p95/p99 per
 * kind. Any failed request is an error (exit code 1). Cleans up after itself.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openKgrag } from '../src/app.ts';
import { KeyStore } from '../src/api/auth/keys.ts';
import { dropCollectionIndexes } from '../src/graph/collection-index.ts';
import { EXAMPLE_REFERENCE_DATE, loadExampleKb } from './eval/example-kb.ts';

const { values } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    seconds: { type: 'string' },
    concurrency: { type: 'string', default: '12' },
    servers: { type: 'string', default: '1' },
    workers: { type: 'string', default: '0' },
  },
});
const seconds = values.seconds ? Number(values.seconds) : Number(values.minutes) * 60;
const concurrency = Number(values.concurrency);
const serverCount = Math.max(1, Number(values.servers));
const workerCount = Math.max(0, Number(values.workers));
if (!(seconds > 0) || !(concurrency >= 1)) throw new Error('--minutes/--seconds and --concurrency must be positive');
const log = (line: string) => process.stdout.write(line + '\n');

const SEARCHES = [
  'who leads the ingestion service',
  'supply-chain forecasting partner',
  'fraud detection for Blue Harbor',
  'migration of the reporting platform',
  'SOC 2 readiness',
  'weekly demand forecasts',
];
const QUESTIONS = [
  'How many tasks are blocked?',
  'Which employees report to Jane Smith?',
  'Who earns more than $200,000?',
  'Which projects does John Doe lead?',
  'Who led the work on the ingestion service?',
  'What happened to Project Cobalt?',
];
const GRAPHQL = [
  '{ documents(first: 10) { nodes { id title chunkCount } } }',
  '{ entities(first: 10) { nodes { id name type mentions } } }',
  '{ stats { collection documents chunks entities } }',
];

const KINDS = ['search', 'ask', 'graphql', 'ingest'] as const;
type Kind = (typeof KINDS)[number];
/** Shares of the mix, in percent. */
const MIX: Record<Kind, number> = { search: 45, ask: 25, graphql: 25, ingest: 5 };

/** The i-th request's kind: deterministic, so runs see the same sequence. */
function kindOf(i: number): Kind {
  let r = (i * 7919) % 100;
  for (const kind of KINDS) {
    if (r < MIX[kind]) return kind;
    r -= MIX[kind];
  }
  return 'search';
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** RSS (MB) and open file descriptors of a process, from /proc (Linux). */
function usage(pid: number): { rssMb: number; fds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return { rssMb: Math.round(rssKb / 1024), fds: readdirSync(`/proc/${pid}/fd`).length };
}

function start(args: string[], ready: RegExp, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; match: RegExpExecArray }> {
  const child = spawn(process.execPath, [path.resolve(import.meta.dirname, 'kgrag.mjs'), ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`kgrag ${args[0]} exited with ${code}`)));
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = ready.exec(out);
      if (match) resolve({ child, match });
    });
  });
}

const collection = `load-${Date.now().toString(36)}`;
const app = await openKgrag({ schema: true, embedder: true });
const children: Array<{ name: string; child: ChildProcess }> = [];
let exitCode = 0;
try {
  log(`Loading the example knowledge base into ${collection}…`);
  await loadExampleKb(app, collection);
  const { key } = await new KeyStore(app.db).create({ name: 'load test', role: 'editor', collections: [collection] });
  const env = {
    ...process.env,
    KGRAG_API_RATE_LIMIT: '100000000',
    KGRAG_MODEL_DIR: app.config.embedding.modelDir ?? '',
    KGRAG_HOME: app.config.home,
    KGRAG_LOG_LEVEL: 'warn',
  };
  const started = await Promise.all([
    ...Array.from({ length: serverCount }, () => start(['serve', '--port', '0', ...(workerCount > 0 ? ['--no-jobs'] : [])], /serving on (http:\/\/\S+?) /, env)),
    ...Array.from({ length: workerCount }, () => start(['worker'], /kgrag worker (\S+) is taking jobs/, env)),
  ]);
  const urls = started.slice(0, serverCount).map((s) => s.match[1]!);
  started.forEach((s, i) => children.push({ name: i < serverCount ? `server ${i + 1}` : `worker ${i - serverCount + 1}`, child: s.child }));

  const headers = { authorization: `Bearer ${key}` };
  let ingests = 0;
  const send = async (i: number, kind: Kind): Promise<void> => {
    const url = urls[i % urls.length]!;
    let res: Response;
    if (kind === 'search' || kind === 'ask') {
      const body = kind === 'ask' ? { question: QUESTIONS[i % QUESTIONS.length], asOf: EXAMPLE_REFERENCE_DATE } : { text: SEARCHES[i % SEARCHES.length], k: 10 };
      res = await fetch(`${url}/v1/${kind}`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    } else if (kind === 'graphql') {
      res = await fetch(`${url}/graphql`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ query: GRAPHQL[i % GRAPHQL.length] }) });
    } else {
      // A new small document each time, waited for: the time includes queueing behind other jobs.
      const n = ingests++;
      const form = new FormData();
      form.append('files', new Blob([`# Load note ${n}\n\nInspection ${n} of pump station ${n % 17} found valve ${n % 5} worn; Jane Smith scheduled the repair.\n`]), `load-${n}.md`);
      res = await fetch(`${url}/v1/documents?collection=${collection}&wait=true`, { method: 'POST', headers, body: form });
    }
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${kind}: HTTP ${res.status} ${text.slice(0, 200)}`);
    if (kind === 'graphql' && (JSON.parse(text) as { errors?: unknown }).errors) throw new Error(`graphql: ${text.slice(0, 200)}`);
    if (kind === 'ingest' && (JSON.parse(text) as { status?: string }).status !== 'succeeded') throw new Error(`ingest: ${text.slice(0, 200)}`);
  };

  // A short warm-up (model, catalog, typed schema, JIT) on every server before measuring.
  for (let i = 0; i < 4 * urls.length; i++) await send(i, KINDS[i % 3]!);

  const samples: Array<{ kind: Kind; ms: number; ok: boolean }> = [];
  const errors: string[] = [];
  let next = 0;
  const t0 = performance.now();
  const deadline = t0 + seconds * 1000;
  log(`Mix: ${KINDS.map((k) => `${MIX[k]}% ${k}`).join(', ')}; ${concurrency} clients over ${serverCount} server(s)${workerCount ? ` and ${workerCount} worker(s)` : ''}; ${Math.round(seconds)} s; ${cpus().length} CPUs.`);
  const sample = (final = false) => {
    const minute = final ? 'end' : `${Math.round((performance.now() - t0) / 60_000)} min`;
    const procs = children.map(({ name, child }) => {
      const u = usage(child.pid!);
      return `${name} RSS ${u.rssMb} MB, ${u.fds} fds`;
    });
    const done = samples.length;
    log(`[${minute}] ${done} requests, ${samples.filter((s) => !s.ok).length} errors; ${procs.join('; ')}; load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  };
  sample();
  const timer = setInterval(() => sample(), 60_000);
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const i = next++;
        const kind = kindOf(i);
        const t = performance.now();
        try {
          await send(i, kind);
          samples.push({ kind, ms: performance.now() - t, ok: true });
        } catch (err) {
          samples.push({ kind, ms: performance.now() - t, ok: false });
          if (errors.length < 10) errors.push(String(err));
        }
      }
    }),
  );
  clearInterval(timer);
  sample(true);
  const elapsed = (performance.now() - t0) / 1000;
  const failed = samples.filter((s) => !s.ok).length;
  log(`\n${samples.length} requests in ${elapsed.toFixed(0)} s, ${(samples.length / elapsed).toFixed(1)} req/s, ${failed} errors`);
  log('| kind | n | req/s | p50 ms | p95 ms | p99 ms |\n| --- | --- | --- | --- | --- | --- |');
  for (const kind of ['all', ...KINDS] as const) {
    const ms = samples.filter((s) => s.ok && (kind === 'all' || s.kind === kind)).map((s) => s.ms).sort((a, b) => a - b);
    log(`| ${kind} | ${ms.length} | ${(ms.length / elapsed).toFixed(2)} | ${percentile(ms, 50).toFixed(0)} | ${percentile(ms, 95).toFixed(0)} | ${percentile(ms, 99).toFixed(0)} |`);
  }
  for (const e of errors) log(`  error: ${e}`);
  if (failed > 0) exitCode = 1;
} finally {
  for (const { child } of children) child.kill('SIGTERM');
  await Promise.all(children.map(({ child }) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined)));
  await app.db.write('MATCH (n) WHERE n.collection = $collection DETACH DELETE n', { collection });
  await dropCollectionIndexes(app.db, collection);
  await app.close();
}
process.exitCode = exitCode;
