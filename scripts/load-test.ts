/**
 * Bounded load test of the HTTP API on loopback, beside the same requests issued straight to the
 * library in-process.
 *   npx tsx scripts/load-test.ts [--seconds 30] [--concurrency 8] [--ask-share 0.3]
 * Loads the example knowledge base into a fresh collection, starts `kgrag serve` as a child process
 * on an ephemeral port with a reader key for that collection, and keeps `concurrency` clients busy
 * with a mix of hybrid searches and questions (structured and open) for `seconds`. Then the same mix,
 * with the same concurrency and duration, calls search/ask in this process. Prints throughput and
 * p50/p95/p99 latency per kind; any failed request is an error (exit code 1). Cleans up after itself.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { askKgrag, openKgrag, retrieverOf } from '../src/app.ts';
import { KeyStore } from '../src/api/auth/keys.ts';
import { EXAMPLE_REFERENCE_DATE, loadExampleKb } from './eval/example-kb.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '30' },
    concurrency: { type: 'string', default: '8' },
    'ask-share': { type: 'string', default: '0.3' },
  },
});
const seconds = Number(values.seconds);
const concurrency = Number(values.concurrency);
const askShare = Number(values['ask-share']);
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

type Kind = 'search' | 'ask';
interface Sample {
  kind: Kind;
  ms: number;
  ok: boolean;
}

/** The i-th request of the mix: deterministic, so both runs see the same sequence. */
function request(i: number): { kind: Kind; text: string } {
  const ask = (i * 7919) % 100 < askShare * 100;
  return ask ? { kind: 'ask', text: QUESTIONS[i % QUESTIONS.length]! } : { kind: 'search', text: SEARCHES[i % SEARCHES.length]! };
}

async function drive(run: (kind: Kind, text: string) => Promise<void>): Promise<{ samples: Sample[]; elapsed: number; errors: string[] }> {
  const samples: Sample[] = [];
  const errors: string[] = [];
  let next = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const { kind, text } = request(next++);
        const t = performance.now();
        try {
          await run(kind, text);
          samples.push({ kind, ms: performance.now() - t, ok: true });
        } catch (err) {
          samples.push({ kind, ms: performance.now() - t, ok: false });
          if (errors.length < 5) errors.push(String(err));
        }
      }
    }),
  );
  return { samples, elapsed: (performance.now() - started) / 1000, errors };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function report(label: string, r: { samples: Sample[]; elapsed: number; errors: string[] }): void {
  log(`\n${label}: ${r.samples.length} requests in ${r.elapsed.toFixed(1)} s, ${(r.samples.length / r.elapsed).toFixed(1)} req/s, ${r.samples.filter((s) => !s.ok).length} errors`);
  log('  kind     n      req/s   p50 ms   p95 ms   p99 ms');
  for (const kind of ['all', 'search', 'ask'] as const) {
    const ms = r.samples.filter((s) => kind === 'all' || s.kind === kind).map((s) => s.ms).sort((a, b) => a - b);
    const row = [kind.padEnd(6), String(ms.length).padStart(5), (ms.length / r.elapsed).toFixed(1).padStart(8)];
    for (const p of [50, 95, 99]) row.push(percentile(ms, p).toFixed(1).padStart(8));
    log('  ' + row.join(' '));
  }
  for (const e of r.errors) log(`  error: ${e}`);
}

const collection = `load-${Date.now().toString(36)}`;
const home = mkdtempSync(path.join(tmpdir(), 'kgrag-load-'));
const app = await openKgrag({ schema: true, embedder: true });
let exitCode = 0;
try {
  log(`Loading the example knowledge base into ${collection}…`);
  await loadExampleKb(app, collection);
  const keysFile = path.join(home, 'keys.json');
  const { key } = await new KeyStore(app.db).create({ name: 'load test', role: 'reader', collections: [collection] });

  const child = spawn(process.execPath, [path.resolve(import.meta.dirname, 'kgrag.mjs'), 'serve', '--port', '0'], {
    env: {
      ...process.env,
      KGRAG_API_KEYS_FILE: keysFile,
      KGRAG_API_RATE_LIMIT: '100000000',
      KGRAG_MODEL_DIR: app.config.embedding.modelDir ?? '',
      KGRAG_HOME: app.config.home,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`kgrag serve exited with ${code}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      const found = /serving on (http:\/\/[^\s]+)/.exec(chunk.toString());
      if (found) resolve(found[1]!);
    });
  });
  try {
    const headers = { authorization: `Bearer ${key}`, 'content-type': 'application/json' };
    const http = async (kind: Kind, text: string) => {
      const body = kind === 'ask' ? { question: text, asOf: EXAMPLE_REFERENCE_DATE } : { text, k: 10 };
      const res = await fetch(`${url}/v1/${kind}`, { method: 'POST', headers, body: JSON.stringify(body) });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${kind}: HTTP ${res.status}`);
    };
    // A short warm-up (model, catalog, typed schema, JIT) before measuring.
    for (let i = 0; i < 12; i++) await http(request(i).kind, request(i).text);
    log(`Mix: ${Math.round((1 - askShare) * 100)}% hybrid search (k=10), ${Math.round(askShare * 100)}% ask; ${concurrency} concurrent clients; ${seconds} s each.`);
    const viaHttp = await drive(http);
    report(`HTTP (kgrag serve, loopback ${url})`, viaHttp);
    if (viaHttp.errors.length) exitCode = 1;
  } finally {
    child.kill('SIGTERM');
  }

  const retriever = retrieverOf(app);
  const direct = async (kind: Kind, text: string) => {
    if (kind === 'ask') await askKgrag(app, text, { collections: [collection], asOf: EXAMPLE_REFERENCE_DATE });
    else await retriever.search(text, { collections: [collection], k: 10, mode: 'hybrid' });
  };
  for (let i = 0; i < 12; i++) await direct(request(i).kind, request(i).text);
  const inProcess = await drive(direct);
  report('Library in-process (same mix)', inProcess);
  if (inProcess.errors.length) exitCode = 1;
} finally {
  await app.db.write('MATCH (n) WHERE n.collection = $collection DETACH DELETE n', { collection });
  await app.close();
  rmSync(home, { recursive: true, force: true });
}
process.exitCode = exitCode;
