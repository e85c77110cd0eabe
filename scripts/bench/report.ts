/** The benchmark report: its JSON shape, the printed tables and a hand-written SVG chart. */
import type { KgragIngestRun, Throughput } from './ingest.ts';
import type { LatencyPoint } from './latency.ts';
import type { CatalogTimings } from './catalog.ts';
import type { CliReport } from './cli.ts';
import type { IsolationPoint } from './isolation.ts';
import { ratio, type Latency } from './measure.ts';

export type SystemKey = 'ceiling' | 'kgrag' | 'kgragPerDoc' | 'kgragExtract' | 'baseline' | 'baselineFp32';

/** Median and range over the rounds. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  /** Every round's value, in round order. */
  rounds: number[];
}

export interface SystemSummary {
  label: string;
  chunksPerSec: Spread;
  docsPerSec: number;
  mbPerSec: number;
  peakRssMb: number;
  /** kgrag runs: median ms per stage over the rounds (stages overlap: embedding runs while the previous group is written). */
  stages?: KgragIngestRun['stages'];
  mentions?: number;
  relations?: number;
  runs: Array<Throughput | KgragIngestRun>;
}

export interface IngestReport {
  corpus: { documents: number; chunks: number; mb: number };
  rounds: number;
  /** The order the systems ran in, per round. */
  order: SystemKey[][];
  systems: Partial<Record<SystemKey, SystemSummary>>;
  /** chunks/s of one system ÷ another's, computed within each round, then summarised. */
  ratios: Record<string, Spread>;
  search: { kgragVector: Latency; kgragHybrid: Latency; ask: Latency; baselineVector?: Latency; vectorP50VsBaseline?: number };
}

export interface BenchReport {
  date: string;
  machine: { cpus: number; memoryGb: number; node: string; loadAverage?: number[] };
  embedding: { model: string; dtype: string; batchSize: number };
  queries: number;
  seconds?: number;
  ingest?: IngestReport;
  latency?: { synthetic: true; shares: number[]; points: Array<LatencyPoint & { writeMs: { kgragMs: number; baselineMs: number } }> };
  catalog?: CatalogTimings;
  cli?: CliReport;
  isolation?: IsolationPoint[];
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function spread(values: readonly number[], digits = 2): Spread {
  const f = 10 ** digits;
  const r = (x: number) => Math.round(x * f) / f;
  return { median: r(median(values)), min: r(Math.min(...values)), max: r(Math.max(...values)), rounds: values.map(r) };
}

/** The pairs reported as ratios: [name, numerator, denominator]. */
const RATIOS: Array<[string, SystemKey, SystemKey]> = [
  ['kgrag ÷ ceiling', 'kgrag', 'ceiling'],
  ['kgrag ÷ LangChain', 'kgrag', 'baseline'],
  ['kgrag with extraction ÷ ceiling', 'kgragExtract', 'ceiling'],
  ['kgrag with extraction ÷ LangChain', 'kgragExtract', 'baseline'],
  ['kgrag 1 tx/document (before) ÷ ceiling', 'kgragPerDoc', 'ceiling'],
  ['kgrag batched writes (after) ÷ 1 tx/document (before)', 'kgrag', 'kgragPerDoc'],
  ['LangChain ÷ ceiling', 'baseline', 'ceiling'],
  // When kgrag runs the int8 graph: LangChain as its users run the model (fp32, transformers.js' default).
  ['kgrag ÷ LangChain fp32', 'kgrag', 'baselineFp32'],
  ['kgrag with extraction ÷ LangChain fp32', 'kgragExtract', 'baselineFp32'],
];

export function summariseIngest(
  corpus: IngestReport['corpus'],
  systems: ReadonlyArray<{ key: SystemKey; label: string }>,
  runs: ReadonlyMap<SystemKey, Array<Throughput | KgragIngestRun>>,
  order: SystemKey[][],
  search: IngestReport['search'],
): IngestReport {
  const out: IngestReport = { corpus, rounds: order.length, order, systems: {}, ratios: {}, search };
  for (const { key, label } of systems) {
    const rs = runs.get(key) ?? [];
    if (rs.length === 0) continue;
    const summary: SystemSummary = {
      label,
      chunksPerSec: spread(rs.map((r) => r.chunksPerSec), 1),
      docsPerSec: Math.round(median(rs.map((r) => r.docsPerSec)) * 10) / 10,
      mbPerSec: Math.round(median(rs.map((r) => r.mbPerSec)) * 1000) / 1000,
      peakRssMb: Math.round(median(rs.map((r) => r.peakRssMb))),
      runs: rs,
    };
    const kg = rs.filter((r): r is KgragIngestRun => 'stages' in r);
    if (kg.length === rs.length) {
      const stage = (k: keyof KgragIngestRun['stages']) => Math.round(median(kg.map((r) => r.stages[k])));
      summary.stages = { load: stage('load'), chunk: stage('chunk'), embed: stage('embed'), extract: stage('extract'), write: stage('write'), total: stage('total') };
      summary.mentions = kg[0]!.mentions;
      summary.relations = kg[0]!.relations;
    }
    out.systems[key] = summary;
  }
  for (const [name, a, b] of RATIOS) {
    const ra = runs.get(a);
    const rb = runs.get(b);
    if (!ra?.length || !rb?.length) continue;
    out.ratios[name] = spread(ra.map((r, i) => r.chunksPerSec / rb[i]!.chunksPerSec));
  }
  if (search.baselineVector) search.vectorP50VsBaseline = ratio(search.kgragVector.p50, search.baselineVector.p50);
  return out;
}

type Log = (line: string) => void;

function table(log: Log, header: string[], rows: Array<Array<string | number>>): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ') + ' |';
  log(line(header));
  log('| ' + widths.map((w, i) => (i === 0 ? '-'.repeat(w) : '-'.repeat(w - 1) + ':')).join(' | ') + ' |');
  for (const r of cells.slice(1)) log(line(r));
}

const lat = (l: Latency | undefined) => (l ? `${l.p50} / ${l.p95} / ${l.p99}` : '—');

export function printReport(r: BenchReport, log: Log): void {
  log(`kgrag bench ${r.date} — ${r.machine.cpus} CPUs, ${r.machine.memoryGb} GB, Node ${r.machine.node}; ` +
    `${r.embedding.model} (${r.embedding.dtype}), batch ${r.embedding.batchSize}; ${r.seconds ?? '?'} s` +
    (r.machine.loadAverage ? `; load average at start ${r.machine.loadAverage.join(' / ')}` : ''));
  if (r.cli) {
    const c = r.cli;
    const row = (name: string, t: { median: number; runs: number[]; cpuMedian?: number; loadAverage: number[] }) =>
      log(`| ${name} | ${t.median} | ${t.cpuMedian ?? '—'} | ${t.runs.join(', ')} | ${t.loadAverage.join(' / ')} |`);
    log('');
    log(`The kgrag command, wall time in ms, median of ${c.runs} (a new process per call); --help ÷ node -e 0 = ${c.helpRatio}:`);
    log('| command | wall median | CPU median (user + sys) | wall, every run | load average after |');
    log('| --- | --- | --- | --- | --- |');
    row('`node -e 0`', c.nodeStart);
    row('`kgrag --help`', c.help);
    row(`\`kgrag ask\` exact (${c.askExact.strategy}): "${c.askExact.question}"`, c.askExact);
    row(`\`kgrag ask\` documents (${c.askDocuments.strategy}): "${c.askDocuments.question}"`, c.askDocuments);
    for (const [name, a] of [['exact', c.askExact], ['documents', c.askDocuments]] as const) {
      log(`ask ${name}, the answer's own timings of the last run (ms): ${Object.entries(a.timings ?? {}).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    }
  }
  for (const p of r.isolation ?? []) {
    log('');
    log(`Vector search in one of 5 collections (${p.total} synthetic chunks, shares ${p.collections.map((c) => c.share).join(' / ')}), ms p50 / p95 / p99:`);
    log(`Neo4j ${p.server}`);
    log('| collection chunks | design | p50 / p95 / p99 | results from another collection | fewer than k | load average (1 min) |');
    log('| --- | --- | --- | --- | --- | --- |');
    const f = (l: Latency) => `${l.p50} / ${l.p95} / ${l.p99}`;
    for (const m of p.measured) {
      for (const [design, d] of Object.entries(m.designs)) {
        log(`| ${m.chunks} | ${design} | ${f(d)} | ${d.leaked} | ${d.short} | ${Math.min(...d.loadAverage)}–${Math.max(...d.loadAverage)} |`);
      }
    }
  }
  const ing = r.ingest;
  if (ing) {
    log('');
    log(`Ingestion: ${ing.corpus.documents} generated documents, ${ing.corpus.chunks} chunks, ${ing.corpus.mb} MB; ` +
      `${ing.rounds} interleaved rounds after a warm-up (medians; min–max over the rounds)`);
    const sys = Object.values(ing.systems);
    table(
      log,
      ['run', 'chunks/s', 'min–max', 'each round', 'docs/s', 'MB/s', 'peak RSS MB'],
      sys.map((t) => [t.label, t.chunksPerSec.median, `${t.chunksPerSec.min}–${t.chunksPerSec.max}`, t.chunksPerSec.rounds.join(' / '), t.docsPerSec, t.mbPerSec, t.peakRssMb]),
    );
    log('');
    log('Ratios of chunks/s, computed within each round (median; min–max; each round):');
    table(
      log,
      ['ratio', 'median', 'min–max', 'each round'],
      Object.entries(ing.ratios).map(([name, x]) => [name, x.median.toFixed(2), `${x.min.toFixed(2)}–${x.max.toFixed(2)}`, x.rounds.map((v) => v.toFixed(2)).join(' / ')]),
    );
    log('');
    log('Where kgrag\'s ingest time goes (median ms per stage; embedding overlaps the previous group\'s writes, so stages add up to more than total):');
    const staged = sys.filter((t) => t.stages);
    table(
      log,
      ['run', 'load', 'chunk', 'embed', 'extract', 'write', 'total'],
      staged.map((k) => [k.label, k.stages!.load, k.stages!.chunk, k.stages!.embed, k.stages!.extract, k.stages!.write, k.stages!.total]),
    );
    log('');
    log(`Search over these ${ing.corpus.chunks} chunks, k = 10, ${r.queries} queries one at a time (ms p50 / p95 / p99):`);
    const rows: Array<Array<string | number>> = [
      ['kgrag search, vector', lat(ing.search.kgragVector)],
      ['kgrag search, hybrid', lat(ing.search.kgragHybrid)],
      ['kgrag ask (no LLM)', lat(ing.search.ask)],
    ];
    if (ing.search.baselineVector) rows.push(['LangChain similaritySearch', lat(ing.search.baselineVector)]);
    table(log, ['query', 'p50 / p95 / p99'], rows);
    if (ing.search.vectorP50VsBaseline !== undefined) log(`Vector search p50 = ${ing.search.vectorP50VsBaseline} × baseline`);
  }
  const points = r.latency?.points ?? [];
  if (points.length) {
    log('');
    log(`Query latency as the graph grows (SYNTHETIC chunks: recombined SciFact text, vectors mixed from real embeddings), spread over five collections (shares ${r.latency!.shares.join(' / ')}); ` +
      `ms p50 / p95 / p99 over ${points[0]!.rounds} interleaved rounds of ${r.queries} queries; LangChain holds all the chunks in an index of its own:`);
    table(
      log,
      ['chunks (database)', 'searched', 'vector search', 'hybrid search', 'ask (no LLM)', 'LangChain similaritySearch', 'vector p50 × LangChain', 'load before / after'],
      points.flatMap((p) =>
        p.scopes.map((s) => [
          `${p.chunks} (${p.indexChunks})`,
          `${s.name} (${s.chunks})`,
          lat(s.vector),
          lat(s.hybrid),
          lat(s.ask),
          lat(p.baselineVector),
          p.baselineVector ? ratio(s.vector.p50, p.baselineVector.p50).toFixed(2) : '—',
          p.loadAverage.join(' / '),
        ]),
      ),
    );
    const first = points[0]!;
    const last = points[points.length - 1]!;
    if (points.length > 1) {
      const growth = (a: Latency, b: Latency) => ratio(b.p50, a.p50);
      const [a, b] = [first.scopes[0]!, last.scopes[0]!];
      log(`Growth from ${first.chunks} to ${last.chunks} chunks (${ratio(last.chunks, first.chunks)}×), largest collection: p50 vector ×${growth(a.vector, b.vector)}, ` +
        `hybrid ×${growth(a.hybrid, b.hybrid)}, ask ×${growth(a.ask, b.ask)}` +
        (first.baselineVector && last.baselineVector ? `, LangChain ×${growth(first.baselineVector, last.baselineVector)}` : ''));
    }
  }
}

// ---------------------------------------------------------------- SVG

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
const COLORS = ['#4c78a8', '#f58518', '#54a24b', '#e45756', '#72b7b2'];

/** Two panels: ingestion chunks/s per run, and p50 latency against graph size (log scale). */
export function renderSvg(r: BenchReport): string {
  const W = 900;
  const H = 380;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="10" y="18" font-size="13" font-weight="bold">kgrag bench ${esc(r.date.slice(0, 16))} (${r.machine.cpus} CPUs, ${esc(r.embedding.model)})</text>`,
  ];
  const ing = r.ingest;
  if (ing) {
    const short: Record<SystemKey, string> = { ceiling: 'ceiling', kgrag: 'kgrag', kgragPerDoc: 'kgrag 1tx/doc', kgragExtract: 'kgrag + extr.', baseline: 'LangChain', baselineFp32: 'LangChain fp32' };
    const bars = (Object.entries(ing.systems) as Array<[SystemKey, SystemSummary]>).map(([k, t]) => [short[k], t.chunksPerSec] as const);
    const x0 = 40;
    const y0 = 330;
    const h = 270;
    const max = Math.max(...bars.map(([, v]) => v.max)) * 1.15;
    const y = (v: number) => (y0 - (v / max) * h).toFixed(1);
    out.push(`<text x="${x0}" y="42" font-weight="bold">Ingestion, chunks/s (${ing.corpus.chunks} chunks; median of ${ing.rounds} rounds, min–max)</text>`);
    out.push(`<line x1="${x0}" y1="${y0}" x2="${x0 + 400}" y2="${y0}" stroke="#333"/>`);
    bars.forEach(([name, v], i) => {
      const x = x0 + 10 + i * 80;
      out.push(`<rect x="${x}" y="${y(v.median)}" width="56" height="${((v.median / max) * h).toFixed(1)}" fill="${COLORS[i % COLORS.length]}"/>`);
      out.push(`<line x1="${x + 28}" y1="${y(v.min)}" x2="${x + 28}" y2="${y(v.max)}" stroke="#222"/>`);
      out.push(`<text x="${x + 28}" y="${(Number(y(v.max)) - 4).toFixed(1)}" text-anchor="middle">${v.median}</text>`);
      out.push(`<text x="${x + 28}" y="${y0 + 14}" text-anchor="middle">${esc(name)}</text>`);
    });
  }
  const points = r.latency?.points ?? [];
  if (points.length) {
    const x0 = 500;
    const x1 = 870;
    const y0 = 330;
    const y1 = 60;
    const series: Array<[string, Array<[number, number]>]> = [
      ['vector search, largest collection', points.map((p) => [p.chunks, p.scopes[0]!.vector.p50])],
      ['hybrid search, largest collection', points.map((p) => [p.chunks, p.scopes[0]!.hybrid.p50])],
      ['ask (no LLM), largest collection', points.map((p) => [p.chunks, p.scopes[0]!.ask.p50])],
      ...(points.every((p) => p.baselineVector)
        ? ([['LangChain similaritySearch', points.map((p) => [p.chunks, p.baselineVector!.p50])]] as Array<[string, Array<[number, number]>]>)
        : []),
    ];
    const lx = (n: number) => Math.log10(n);
    const minX = lx(points[0]!.chunks);
    const maxX = Math.max(lx(points[points.length - 1]!.chunks), minX + 1);
    const maxY = Math.max(...series.flatMap(([, s]) => s.map(([, y]) => y))) * 1.15;
    const px = (n: number) => x0 + ((lx(n) - minX) / (maxX - minX)) * (x1 - x0);
    const py = (ms: number) => y0 - (ms / maxY) * (y0 - y1);
    out.push(`<text x="${x0}" y="42" font-weight="bold">p50 latency (ms) by chunks in the graph (synthetic, log scale)</text>`);
    out.push(`<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="#333"/><line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="#333"/>`);
    for (const p of points) out.push(`<text x="${px(p.chunks).toFixed(1)}" y="${y0 + 14}" text-anchor="middle">${p.chunks}</text>`);
    for (let i = 0; i <= 4; i++) {
      const ms = (maxY * i) / 4;
      out.push(`<text x="${x0 - 4}" y="${py(ms).toFixed(1)}" text-anchor="end">${Math.round(ms)}</text>`);
    }
    series.forEach(([name, s], i) => {
      const color = COLORS[i % COLORS.length]!;
      out.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${s.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(' ')}"/>`);
      for (const [x, y] of s) out.push(`<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${color}"/>`);
      out.push(`<rect x="${x0 + 10}" y="${y1 + i * 14 - 8}" width="10" height="10" fill="${color}"/><text x="${x0 + 24}" y="${y1 + i * 14}">${esc(name)}</text>`);
    });
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
