/**
 * Performance benchmarks, measured as ratios within one run (the machine is shared and noisy).
 *   npm run bench -- [--parts ingest,latency] [--docs 150] [--sizes 1000,10000,100000] [--queries 30]
 *                    [--no-baseline] [--out bench-results] [--bench ../shared/bench]
 * ingest:  a generated corpus (SciFact abstracts as Markdown/HTML/text reports) through kgrag's
 *          ingest pipeline, per stage and with peak memory, without and with offline extraction;
 *          the same chunks embedded by transformers.js alone (the embedding ceiling); and the
 *          LangChain baseline (Neo4jVectorStore.fromDocuments, same chunks, same model), plus search
 *          latency of kgrag and the baseline over those identical chunks.
 * latency: search (vector, hybrid) and ask (no LLM) latency p50/p95/p99 as the graph grows through
 *          --sizes chunks of synthetic data (see scripts/bench/latency.ts), beside the baseline's
 *          similaritySearch over the same vectors.
 * Writes <out>/bench-<time>.json and .svg (and latest.json / latest.svg). Everything it writes to
 * the database is in `bench-*` collections and the baseline's own label, removed at the end.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Neo4jVectorStore } from '@langchain/neo4j';
import { askKgrag, openKgrag, retrieverOf } from '../src/app.ts';
import { dropCollection, generateCorpus, readAbstracts } from './bench/corpus.ts';
import {
  baselineConfig,
  baselineIngest,
  chunksOf,
  dropBaseline,
  embeddingCeiling,
  kgragIngest,
  KgragEmbeddings,
} from './bench/ingest.ts';
import { growSynthetic, measureLatency, syntheticSource } from './bench/latency.ts';
import { ratio, timeEach } from './bench/measure.ts';
import { printReport, renderSvg, type BenchReport } from './bench/report.ts';

const { values } = parseArgs({
  options: {
    parts: { type: 'string', default: 'ingest,latency' },
    docs: { type: 'string', default: '150' },
    sizes: { type: 'string', default: '1000,10000,100000' },
    queries: { type: 'string', default: '30' },
    'no-baseline': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench-results' },
    bench: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared/bench') },
  },
});
const parts = values.parts.split(',').map((p) => p.trim());
const sizes = values.sizes.split(',').map(Number).sort((a, b) => a - b);
const withBaseline = !values['no-baseline'];
if (sizes.some((s) => !Number.isInteger(s) || s < 10 || s % 10 !== 0)) throw new Error('--sizes: whole multiples of 10 chunks');
const log = (line: string) => process.stderr.write(line + '\n');

const started = performance.now();
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const run = Date.now().toString(36);
const app = await openKgrag({ schema: true, embedder: true });
const abstracts = readAbstracts(values.bench);
const queries = readFileSync(path.join(values.bench, 'scifact', 'queries.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as { text: string }).text)
  .slice(0, Number(values.queries));
const report: BenchReport = {
  date: new Date().toISOString(),
  machine: { cpus: os.availableParallelism(), memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
  embedding: { model: app.embedder!.modelId, batchSize: app.config.embedding.batchSize },
  queries: queries.length,
};
const cleanups: Array<() => Promise<void>> = [];
const cleanUp = async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch((err: unknown) => log(`cleanup failed: ${String(err)}`));
};
try {
  if (parts.includes('ingest')) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kgrag-bench-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const corpus = generateCorpus(abstracts, Number(values.docs), dir);
    const plain = `bench-ingest-${run}`;
    const extracted = `bench-ingest-x-${run}`;
    cleanups.push(() => dropCollection(app, plain), () => dropCollection(app, extracted));
    log(`ingest: ${corpus.files.length} generated documents, ${(corpus.bytes / 2 ** 20).toFixed(2)} MB`);
    const kgrag = await kgragIngest(app, corpus, plain, false);
    const chunks = await chunksOf(app, plain);
    log(`ingest: kgrag ${kgrag.chunksPerSec} chunks/s; embedding ceiling…`);
    const ceiling = await embeddingCeiling(app, chunks.map((c) => c.input), corpus.bytes, kgrag.documents);
    const retriever = retrieverOf(app);
    const kgragVector = await timeEach(queries, (q) => retriever.search(q, { collections: [plain], k: 10, mode: 'vector' }));
    const kgragHybrid = await timeEach(queries, (q) => retriever.search(q, { collections: [plain], k: 10, mode: 'hybrid' }));
    const ask = await timeEach(queries, (q) => askKgrag(app, q, { collections: [plain] }));
    report.ingest = {
      corpus: { documents: corpus.files.length, chunks: chunks.length, mb: Math.round((corpus.bytes / 2 ** 20) * 1000) / 1000 },
      kgrag,
      ceiling,
      efficiencyVsCeiling: ratio(kgrag.chunksPerSec, ceiling.chunksPerSec),
      search: { kgragVector, kgragHybrid, ask },
    };
    if (withBaseline) {
      log('ingest: LangChain baseline…');
      const { run: baseline, store } = await baselineIngest(app, chunks, corpus.bytes, kgrag.documents);
      cleanups.push(() => dropBaseline(store));
      const baselineVector = await timeEach(queries, (q) => store.similaritySearch(q, 10));
      report.ingest.baseline = baseline;
      report.ingest.kgragVsBaseline = ratio(kgrag.chunksPerSec, baseline.chunksPerSec);
      report.ingest.search.baselineVector = baselineVector;
      report.ingest.search.vectorP50VsBaseline = ratio(kgragVector.p50, baselineVector.p50);
    }
    log('ingest: kgrag with offline extraction…');
    report.ingest.kgragExtract = await kgragIngest(app, corpus, extracted, true);
    await cleanUp();
  }

  if (parts.includes('latency')) {
    const collection = `bench-scale-${run}`;
    cleanups.push(() => dropCollection(app, collection));
    const src = await syntheticSource(app, abstracts);
    let store: Neo4jVectorStore | undefined;
    if (withBaseline) {
      store = await Neo4jVectorStore.fromDocuments([], new KgragEmbeddings(app.embedder!), baselineConfig(app));
      const s = store;
      cleanups.push(() => dropBaseline(s));
    }
    report.latency = { synthetic: true, points: [] };
    let have = 0;
    for (const size of sizes) {
      log(`latency: growing to ${size} synthetic chunks…`);
      const written = await growSynthetic(app, src, collection, have, size, store);
      have = size;
      const point = await measureLatency(app, collection, size, queries, store);
      report.latency.points.push({ ...point, writeMs: written });
      log(`latency: ${size} chunks: vector p50 ${point.kgragVector.p50} ms, hybrid ${point.kgragHybrid.p50} ms, ask ${point.ask.p50} ms`);
    }
    await cleanUp();
  }
} finally {
  await cleanUp();
  await app.close();
}
report.seconds = Math.round((performance.now() - started) / 1000);
mkdirSync(values.out, { recursive: true });
const json = JSON.stringify(report, null, 2) + '\n';
const svg = renderSvg(report);
for (const name of [`bench-${stamp}`, 'latest']) {
  writeFileSync(path.join(values.out, `${name}.json`), json);
  writeFileSync(path.join(values.out, `${name}.svg`), svg);
}
printReport(report, (line) => process.stdout.write(line + '\n'));
log(`wrote ${path.join(values.out, `bench-${stamp}.json`)} and .svg (${report.seconds} s)`);
