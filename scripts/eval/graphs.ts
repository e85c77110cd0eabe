/**
 * `kgrag ask` over the public Neo4j example graphs of ../shared/bench/graphs (text2cypher questions
 * with gold values), without an LLM. Each graph is loaded alone into the configured database (its
 * `tools/wipe.mjs`, then its `load.mjs`: this DELETES everything else in that database), and every
 * question goes through the HTTP API (`POST /v1/ask`, served in-process on a loopback port), so
 * the latencies are what a client sees. Scoring is the bench's own (score.mjs): right when every
 * gold value is among the returned rows' values (or, for ≤ 3 gold values, a whole token of the
 * answer text); none when kgrag declined; wrong otherwise.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Kgrag } from '../../src/app.ts';
import { createApi } from '../../src/api/server.ts';
import { percentile } from '../bench/measure.ts';

export interface GraphQuestion {
  id: string;
  question: string;
  type: string;
  gold: string[];
}

export interface Tally {
  right: number;
  wrong: number;
  none: number;
  error: number;
}

export interface GraphScore {
  graph: string;
  byType: Record<string, Tally>;
  total: Tally;
  p50: number;
  p95: number;
  results: Array<{ id: string; type: string; verdict: keyof Tally; ms: number; question: string; gold: string[]; answer?: string; cypher?: string; rows?: unknown[]; message?: string; alternatives?: unknown; timings?: Record<string, number> }>;
}

const zero = (): Tally => ({ right: 0, wrong: 0, none: 0, error: 0 });

/** Scalar values of rows as the bench compares them: lists and maps flattened, numbers to 3 decimals. */
function flat(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap(flat);
  if (typeof v === 'object') return Object.values(v).flatMap(flat);
  if (typeof v === 'number') return [String(Math.round(v * 1000) / 1000)];
  return [String(v)];
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const inText = (text: string, v: string) => new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRe(v)}($|[^\\p{L}\\p{N}])`, 'u').test(text);

interface AskBody {
  answer?: string;
  rows?: unknown[];
  cypher?: Array<{ origin: string; query: string; error?: string }>;
  plan?: { strategy?: string; message?: string; alternatives?: unknown };
  timings?: Record<string, number>;
}

export function verdictOf(gold: string[], out: AskBody): keyof Tally {
  const got = new Set(flat(out.rows ?? []));
  const text = String(out.answer ?? '');
  if (gold.every((v) => got.has(v) || (gold.length <= 3 && inText(text, v)))) return 'right';
  return out.plan?.strategy === 'none' ? 'none' : 'wrong';
}

/** The graph folders of the bench (those with a questions.json), or the named ones. */
export function benchGraphs(benchDir: string, only?: string[]): string[] {
  const root = path.join(benchDir, 'graphs');
  const all = readdirSync(root).filter((d) => existsSync(path.join(root, d, 'questions.json'))).sort();
  return only?.length ? all.filter((g) => only.includes(g)) : all;
}

function loadGraph(app: Kgrag, benchDir: string, graph: string, log: (line: string) => void): void {
  const root = path.join(benchDir, 'graphs');
  const env = { ...process.env, NEO4J_URI: app.config.neo4j.uri, NEO4J_USERNAME: app.config.neo4j.username, NEO4J_PASSWORD: app.config.neo4j.password };
  const run = (script: string) => execFileSync(process.execPath, [script], { env, cwd: path.resolve(import.meta.dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  // Deleting a large graph can outlast the database's transaction timeout; each run deletes more.
  for (let attempt = 1; ; attempt++) {
    try {
      run(path.join(root, 'tools', 'wipe.mjs'));
      break;
    } catch (err) {
      if (attempt >= 5) throw err;
    }
  }
  log(`${graph}: loading into ${app.config.neo4j.uri}`);
  run(path.join(root, graph, 'load.mjs'));
}

export async function runGraphsEval(
  app: Kgrag,
  benchDir: string,
  log: (line: string) => void,
  opts: { graphs?: string[]; outDir?: string; noLoad?: boolean; only?: Set<string> } = {},
): Promise<GraphScore[]> {
  const scores: GraphScore[] = [];
  // No rate limit: the eval asks hundreds of questions a minute on purpose.
  const api = await createApi(app, { config: { ...app.config.api, auth: 'disabled', rateLimitPerMinute: 1_000_000 } });
  const { url } = await api.listen(0, '127.0.0.1');
  try {
    for (const graph of benchGraphs(benchDir, opts.graphs)) {
      if (!opts.noLoad) loadGraph(app, benchDir, graph, log);
      app.catalogs.invalidate();
      let questions = JSON.parse(readFileSync(path.join(benchDir, 'graphs', graph, 'questions.json'), 'utf8')) as GraphQuestion[];
      if (opts.only) questions = questions.filter((q) => opts.only!.has(q.id));
      const score: GraphScore = { graph, byType: {}, total: zero(), p50: 0, p95: 0, results: [] };
      const ms: number[] = [];
      // One warm-up call: the catalog of the new graph is built once, as after any write.
      await app.catalogs.get(undefined);
      await fetch(`${url}/v1/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: 'How many nodes are there?' }) }).catch(() => undefined);
      for (const q of questions) {
        const t0 = performance.now();
        let verdict: keyof Tally;
        let out: AskBody = {};
        let message: string | undefined;
        try {
          const res = await fetch(`${url}/v1/ask`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ question: q.question }) });
          const body = await res.text();
          if (!res.ok) throw new Error(`HTTP ${res.status}: ${body.slice(0, 300)}`);
          out = JSON.parse(body) as AskBody;
          verdict = verdictOf(q.gold, out);
        } catch (err) {
          verdict = 'error';
          message = String((err as Error).message ?? err);
        }
        const took = performance.now() - t0;
        ms.push(took);
        (score.byType[q.type] ??= zero())[verdict]++;
        score.total[verdict]++;
        score.results.push({
          id: q.id, type: q.type, verdict, ms: Math.round(took), question: q.question, gold: q.gold.slice(0, 20),
          answer: out.answer?.slice(0, 300), cypher: out.cypher?.filter((c) => c.origin === 'parser').map((c) => c.query).join('\n'),
          rows: out.rows?.slice(0, 5), message: message ?? [out.plan?.message, ...(out.cypher ?? []).flatMap((c) => (c.error ? [`${c.origin} query refused: ${c.error}`] : []))].filter(Boolean).join(' '), alternatives: out.plan?.alternatives, timings: out.timings,
        });
      }
      ms.sort((a, b) => a - b);
      score.p50 = percentile(ms, 50);
      score.p95 = percentile(ms, 95);
      scores.push(score);
      log(formatGraphScore(score));
      if (opts.outDir) {
        mkdirSync(opts.outDir, { recursive: true });
        writeFileSync(path.join(opts.outDir, `${graph}.json`), JSON.stringify(score, null, 1));
      }
    }
  } finally {
    await api.close();
  }
  if (scores.length > 1) log(formatTotals(scores));
  return scores;
}

function line(name: string, t: Tally): string {
  const n = t.right + t.wrong + t.none + t.error;
  const pct = (x: number) => `${String(x).padStart(4)} (${((x / n) * 100).toFixed(1).padStart(5)}%)`;
  return `  ${name.padEnd(24)} right ${pct(t.right)}  wrong ${pct(t.wrong)}  none ${pct(t.none)}  error ${t.error}  n=${n}`;
}

export function formatGraphScore(s: GraphScore): string {
  return [
    `== ${s.graph}: ask over HTTP p50 ${s.p50.toFixed(0)} ms, p95 ${s.p95.toFixed(0)} ms`,
    ...Object.entries(s.byType).sort().map(([k, t]) => line(k, t)),
    line('TOTAL', s.total),
  ].join('\n');
}

function add(a: Tally, b: Tally): Tally {
  return { right: a.right + b.right, wrong: a.wrong + b.wrong, none: a.none + b.none, error: a.error + b.error };
}

export function formatTotals(scores: GraphScore[]): string {
  const byType: Record<string, Tally> = {};
  for (const s of scores) for (const [k, t] of Object.entries(s.byType)) byType[k] = add(byType[k] ?? zero(), t);
  const total = scores.reduce((t, s) => add(t, s.total), zero());
  return [`== all graphs (${scores.map((s) => s.graph).join(', ')})`, ...Object.entries(byType).sort().map(([k, t]) => line(k, t)), line('TOTAL', total)].join('\n');
}
