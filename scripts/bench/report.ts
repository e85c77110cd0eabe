/** The benchmark report: its JSON shape, the printed tables and a hand-written SVG chart. */
import type { KgragIngestRun, Throughput } from './ingest.ts';
import type { LatencyPoint } from './latency.ts';
import { ratio, type Latency } from './measure.ts';

export interface BenchReport {
  date: string;
  machine: { cpus: number; memoryGb: number; node: string };
  embedding: { model: string; batchSize: number };
  queries: number;
  seconds?: number;
  ingest?: {
    corpus: { documents: number; chunks: number; mb: number };
    kgrag: KgragIngestRun;
    kgragExtract?: KgragIngestRun;
    ceiling: Throughput & { batchSize: number };
    baseline?: Throughput;
    /** kgrag chunks/s ÷ ceiling chunks/s. */
    efficiencyVsCeiling: number;
    /** kgrag chunks/s ÷ baseline chunks/s (above 1: kgrag ingests faster). */
    kgragVsBaseline?: number;
    search: { kgragVector: Latency; kgragHybrid: Latency; ask: Latency; baselineVector?: Latency; vectorP50VsBaseline?: number };
  };
  latency?: { synthetic: true; points: Array<LatencyPoint & { writeMs: { kgragMs: number; baselineMs: number } }> };
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
    `${r.embedding.model}, batch ${r.embedding.batchSize}; ${r.seconds ?? '?'} s`);
  const ing = r.ingest;
  if (ing) {
    log('');
    log(`Ingestion: ${ing.corpus.documents} generated documents, ${ing.corpus.chunks} chunks, ${ing.corpus.mb} MB`);
    const runs: Array<[string, Throughput, string]> = [
      ['embedding ceiling (transformers.js alone)', ing.ceiling, '1.00'],
      [ing.kgrag.label, ing.kgrag, ratio(ing.kgrag.chunksPerSec, ing.ceiling.chunksPerSec).toFixed(2)],
    ];
    if (ing.kgragExtract) runs.push([ing.kgragExtract.label, ing.kgragExtract, ratio(ing.kgragExtract.chunksPerSec, ing.ceiling.chunksPerSec).toFixed(2)]);
    if (ing.baseline) runs.push(['LangChain Neo4jVectorStore.fromDocuments', ing.baseline, ratio(ing.baseline.chunksPerSec, ing.ceiling.chunksPerSec).toFixed(2)]);
    table(
      log,
      ['run', 'docs/s', 'chunks/s', 'MB/s', 'peak RSS MB', '× ceiling'],
      runs.map(([name, t, x]) => [name, t.docsPerSec, t.chunksPerSec, t.mbPerSec, t.peakRssMb, x]),
    );
    log('');
    log('Where kgrag\'s ingest time goes (ms; embedding overlaps the previous group\'s writes):');
    const stageRuns = [ing.kgrag, ...(ing.kgragExtract ? [ing.kgragExtract] : [])];
    table(
      log,
      ['run', 'load', 'chunk', 'embed', 'extract', 'write', 'total'],
      stageRuns.map((k) => [k.label, k.stages.load, k.stages.chunk, k.stages.embed, k.stages.extract, k.stages.write, k.stages.total]),
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
    log('');
    log(`Ratios: kgrag ingest = ${ing.efficiencyVsCeiling} × embedding ceiling` +
      (ing.kgragVsBaseline !== undefined ? `, ${ing.kgragVsBaseline} × LangChain baseline (chunks/s)` : '') +
      (ing.search.vectorP50VsBaseline !== undefined ? `; vector search p50 = ${ing.search.vectorP50VsBaseline} × baseline` : ''));
  }
  const points = r.latency?.points ?? [];
  if (points.length) {
    log('');
    log('Query latency as the graph grows (SYNTHETIC chunks: recombined SciFact text, vectors mixed from real embeddings), ms p50 / p95 / p99:');
    table(
      log,
      ['chunks (index total)', 'vector search', 'hybrid search', 'ask (no LLM)', 'LangChain similaritySearch', 'vector p50 × baseline'],
      points.map((p) => [
        `${p.chunks} (${p.indexChunks})`,
        lat(p.kgragVector),
        lat(p.kgragHybrid),
        lat(p.ask),
        lat(p.baselineVector),
        p.baselineVector ? ratio(p.kgragVector.p50, p.baselineVector.p50).toFixed(2) : '—',
      ]),
    );
    const first = points[0]!;
    const last = points[points.length - 1]!;
    if (points.length > 1) {
      const growth = (a: Latency, b: Latency) => ratio(b.p50, a.p50);
      log(`Growth from ${first.chunks} to ${last.chunks} chunks (${ratio(last.chunks, first.chunks)}×): p50 vector ×${growth(first.kgragVector, last.kgragVector)}, ` +
        `hybrid ×${growth(first.kgragHybrid, last.kgragHybrid)}, ask ×${growth(first.ask, last.ask)}` +
        (first.baselineVector && last.baselineVector ? `, baseline ×${growth(first.baselineVector, last.baselineVector)}` : ''));
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
    const bars: Array<[string, number]> = [
      ['ceiling', ing.ceiling.chunksPerSec],
      ['kgrag', ing.kgrag.chunksPerSec],
      ...(ing.kgragExtract ? ([['kgrag + extraction', ing.kgragExtract.chunksPerSec]] as Array<[string, number]>) : []),
      ...(ing.baseline ? ([['LangChain', ing.baseline.chunksPerSec]] as Array<[string, number]>) : []),
    ];
    const x0 = 40;
    const y0 = 330;
    const h = 270;
    const max = Math.max(...bars.map(([, v]) => v)) * 1.15;
    out.push(`<text x="${x0}" y="42" font-weight="bold">Ingestion, chunks/s (${ing.corpus.chunks} chunks)</text>`);
    out.push(`<line x1="${x0}" y1="${y0}" x2="${x0 + 360}" y2="${y0}" stroke="#333"/>`);
    bars.forEach(([name, v], i) => {
      const bh = (v / max) * h;
      const x = x0 + 15 + i * 88;
      out.push(`<rect x="${x}" y="${(y0 - bh).toFixed(1)}" width="60" height="${bh.toFixed(1)}" fill="${COLORS[i % COLORS.length]}"/>`);
      out.push(`<text x="${x + 30}" y="${(y0 - bh - 4).toFixed(1)}" text-anchor="middle">${v}</text>`);
      out.push(`<text x="${x + 30}" y="${y0 + 14}" text-anchor="middle">${esc(name)}</text>`);
    });
  }
  const points = r.latency?.points ?? [];
  if (points.length) {
    const x0 = 480;
    const x1 = 870;
    const y0 = 330;
    const y1 = 60;
    const series: Array<[string, Array<[number, number]>]> = [
      ['vector search', points.map((p) => [p.chunks, p.kgragVector.p50])],
      ['hybrid search', points.map((p) => [p.chunks, p.kgragHybrid.p50])],
      ['ask (no LLM)', points.map((p) => [p.chunks, p.ask.p50])],
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
