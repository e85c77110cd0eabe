/**
 * Performance benchmarks, measured as ratios within one run (the machine is shared and noisy).
 *   npm run bench -- [--parts cli,ingest,latency,isolation] [--docs 60] [--repeat 3] [--sizes 1000,10000,100000]
 *                    [--isolation-sizes 10000,100000] [--queries 30] [--latency-rounds 3] [--no-baseline] [--out bench-results]
 *                    [--bench ../shared/bench]
 * cli:     the `kgrag` command as a user runs it (compiled, a new process per call; median of 5):
 *          `--help` against `node -e 0`, and `ask` on the example knowledge base with an exact and
 *          with a document answer (scripts/bench/cli.ts).
 * ingest:  a generated corpus (SciFact abstracts as Markdown/HTML/text reports) through kgrag's
 *          ingest pipeline, per stage and with peak memory, without and with offline extraction,
 *          and without extraction on the one-transaction-per-document write path of before; the
 *          same chunks embedded by transformers.js alone (the embedding ceiling); and the LangChain
 *          baseline (Neo4jVectorStore.fromDocuments, same chunks, same model). After an untimed
 *          warm-up, the systems run interleaved in --repeat rounds (rotated order); the report
 *          gives each system's median and spread, and ratios computed within each round, then
 *          their median. Plus search latency of kgrag and the baseline over identical chunks.
 * latency: search (vector, hybrid) and ask (no LLM) latency p50/p95/p99 as the graph grows through
 *          --sizes chunks of synthetic data spread over five collections (see scripts/bench/latency.ts),
 *          in the largest, the smallest and all five, beside the baseline's similaritySearch over
 *          all the same vectors in an index of its own; --latency-rounds interleaved rounds.
 * isolation: vector search restricted to one collection of five (unequal shares), shared index
 *          over-fetched vs one index per collection (scripts/bench/isolation.ts).
 * catalog: schema-catalog build time on a generated graph of 100k nodes / 150k relationships
 *          (cold, warm, whole graph); --catalog-scale 0.1 for a tenth of it.
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
import { createOfflineExtractor } from '../src/extraction/offline.ts';
import { createEmbedder, effectiveDtype } from '../src/embedding/embedder.ts';
import {
  baselineConfig,
  baselineIngest,
  chunksOf,
  dropBaseline,
  embeddingCeiling,
  kgragIngest,
  KgragEmbeddings,
  type KgragIngestOptions,
  type KgragIngestRun,
  type Throughput,
} from './bench/ingest.ts';
import { measureCatalog } from './bench/catalog.ts';
import { growSynthetic, measureLatency, SHARES, shareOf, syntheticSource } from './bench/latency.ts';
import { measureCli } from './bench/cli.ts';
import { measureIsolation } from './bench/isolation.ts';
import { EXAMPLE_REFERENCE_DATE, loadExampleKb } from './eval/example-kb.ts';
import { timeEach } from './bench/measure.ts';
import { printReport, renderSvg, summariseIngest, type BenchReport, type IngestReport, type SystemKey } from './bench/report.ts';

const { values } = parseArgs({
  options: {
    parts: { type: 'string', default: 'cli,ingest,latency,isolation,catalog' },
    'isolation-sizes': { type: 'string', default: '10000,100000' },
    'catalog-scale': { type: 'string', default: '1' },
    docs: { type: 'string', default: '60' },
    repeat: { type: 'string', default: '3' },
    sizes: { type: 'string', default: '1000,10000,100000' },
    queries: { type: 'string', default: '30' },
    'latency-rounds': { type: 'string', default: '3' },
    'no-baseline': { type: 'boolean', default: false },
    out: { type: 'string', default: 'bench-results' },
    bench: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared/bench') },
  },
});
const parts = values.parts.split(',').map((p) => p.trim());
const sizes = values.sizes.split(',').map(Number).sort((a, b) => a - b);
const withBaseline = !values['no-baseline'];
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1) throw new Error('--repeat: a whole number of rounds, at least 1');
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
  machine: { cpus: os.availableParallelism(), memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10) },
  embedding: { model: app.embedder!.modelId, dtype: effectiveDtype(app.config.embedding), batchSize: app.config.embedding.batchSize },
  queries: queries.length,
};
const cleanups: Array<() => Promise<void>> = [];
const cleanUp = async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch((err: unknown) => log(`cleanup failed: ${String(err)}`));
};
// Ctrl-C still removes what the run wrote.
process.once('SIGINT', () => {
  log('interrupted: cleaning up…');
  void cleanUp().finally(() => process.exit(130));
});
try {
  if (parts.includes('cli')) {
    const collection = `bench-cli-${run}`;
    cleanups.push(() => dropCollection(app, collection));
    log('cli: loading the example knowledge base…');
    await loadExampleKb(app, collection);
    report.cli = await measureCli(collection, EXAMPLE_REFERENCE_DATE);
    log(`cli: --help ${report.cli.help.median} ms (node -e 0: ${report.cli.nodeStart.median} ms), ask exact ${report.cli.askExact.median} ms, documents ${report.cli.askDocuments.median} ms`);
    await cleanUp();
  }

  if (parts.includes('ingest')) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kgrag-bench-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const corpus = generateCorpus(abstracts, Number(values.docs), dir);
    const mb = corpus.bytes / 2 ** 20;
    const docs = corpus.files.length;
    log(`ingest: ${docs} generated documents, ${mb.toFixed(2)} MB, ${repeat} rounds`);

    // Warm-up, untimed: the corpus through kgrag once (model, database, query plans and file cache
    // warm; its chunks are the exact inputs of the ceiling and the baseline, and the collection
    // serves the search latency), then the ceiling's and the baseline's code paths on a few chunks.
    const warm = `bench-ingest-warm-${run}`;
    cleanups.push(() => dropCollection(app, warm));
    const extractor = await createOfflineExtractor({}, app.logger);
    await kgragIngest(app, corpus, warm, { label: 'warm-up' });
    const small = generateCorpus(abstracts, 6, mkdtempSync(path.join(os.tmpdir(), 'kgrag-bench-warm-')));
    cleanups.push(async () => rmSync(small.dir, { recursive: true, force: true }));
    for (const [i, opts] of [{ documentsPerTransaction: 1 }, { extractor }].entries()) {
      await kgragIngest(app, small, `${warm}-${i}`, { label: 'warm-up', ...opts });
      await dropCollection(app, `${warm}-${i}`);
    }
    const chunks = await chunksOf(app, warm);
    await embeddingCeiling(app, chunks.slice(0, 32).map((c) => c.input), 0, 1);
    if (withBaseline) await dropBaseline((await baselineIngest(app, chunks.slice(0, 32), 0, 1)).store);

    const retriever = retrieverOf(app);
    const kgragVector = await timeEach(queries, (q) => retriever.search(q, { collections: [warm], k: 10, mode: 'vector' }));
    const kgragHybrid = await timeEach(queries, (q) => retriever.search(q, { collections: [warm], k: 10, mode: 'hybrid' }));
    const ask = await timeEach(queries, (q) => askKgrag(app, q, { collections: [warm] }));
    await dropCollection(app, warm);
    const search: IngestReport['search'] = { kgragVector, kgragHybrid, ask };

    const kgragSystem = (key: SystemKey, label: string, opts: Omit<KgragIngestOptions, 'label'>) => ({
      key,
      label,
      run: async (round: number) => {
        const collection = `bench-ingest-${key}-${run}-${round}`;
        cleanups.push(() => dropCollection(app, collection));
        try {
          return await kgragIngest(app, corpus, collection, { label, ...opts });
        } finally {
          await dropCollection(app, collection); // every run starts from the same database
        }
      },
    });
    const systems: Array<{ key: SystemKey; label: string; run: (round: number) => Promise<Throughput | KgragIngestRun> }> = [
      { key: 'ceiling', label: 'embedding ceiling (transformers.js alone)', run: () => embeddingCeiling(app, chunks.map((c) => c.input), corpus.bytes, docs) },
      kgragSystem('kgrag', 'kgrag, no extraction', {}),
      kgragSystem('kgragPerDoc', 'kgrag, no extraction, 1 transaction per document (before)', { documentsPerTransaction: 1 }),
      kgragSystem('kgragExtract', 'kgrag, with offline extraction', { extractor }),
    ];
    if (withBaseline && effectiveDtype(app.config.embedding) !== 'fp32') {
      // The same model at fp32 (its own ONNX session, same batching), as LangChain's users run it.
      const fp32 = await createEmbedder({ ...app.config.embedding, dtype: 'fp32' }, app.logger);
      cleanups.push(() => fp32.dispose());
      await dropBaseline((await baselineIngest(app, chunks.slice(0, 32), 0, 1, fp32)).store);
      systems.push({
        key: 'baselineFp32',
        label: 'LangChain Neo4jVectorStore.fromDocuments, fp32 model',
        run: async () => {
          const { run: result, store } = await baselineIngest(app, chunks, corpus.bytes, docs, fp32);
          await dropBaseline(store);
          return result;
        },
      });
    }
    if (withBaseline) {
      systems.push({
        key: 'baseline',
        label: 'LangChain Neo4jVectorStore.fromDocuments',
        run: async (round: number) => {
          const { run: result, store } = await baselineIngest(app, chunks, corpus.bytes, docs);
          // Its search latency once, over the identical chunks, in the last round.
          if (round === repeat - 1) search.baselineVector = await timeEach(queries, (q) => store.similaritySearch(q, 10));
          await dropBaseline(store);
          return result;
        },
      });
    }
    const runs = new Map<SystemKey, Array<Throughput | KgragIngestRun>>(systems.map((s) => [s.key, []]));
    const order: SystemKey[][] = [];
    for (let round = 0; round < repeat; round++) {
      // Interleaved, and rotated so that no system always goes first (or always follows the same one).
      const rotated = systems.map((_, i) => systems[(i + round) % systems.length]!);
      order.push(rotated.map((s) => s.key));
      for (const system of rotated) {
        const result = await system.run(round);
        runs.get(system.key)!.push(result);
        log(`ingest: round ${round + 1}/${repeat}: ${system.label}: ${result.chunksPerSec} chunks/s`);
      }
    }
    report.ingest = summariseIngest({ documents: docs, chunks: chunks.length, mb: Math.round(mb * 1000) / 1000 }, systems, runs, order, search);
    await cleanUp();
  }

  if (parts.includes('latency')) {
    // The chunks are spread over five collections of unequal size; the baseline holds all of them
    // in its own index. Searched: the largest collection, the smallest, and all five at once.
    const collections = SHARES.map((share, i) => ({ name: `bench-scale-${run}-${i}`, share, have: 0 }));
    for (const c of collections) cleanups.push(() => dropCollection(app, c.name));
    const src = await syntheticSource(app, abstracts);
    let store: Neo4jVectorStore | undefined;
    if (withBaseline) {
      store = await Neo4jVectorStore.fromDocuments([], new KgragEmbeddings(app.embedder!), baselineConfig(app));
      const s = store;
      cleanups.push(() => dropBaseline(s));
    }
    report.latency = { synthetic: true, shares: SHARES, points: [] };
    for (const size of sizes) {
      log(`latency: growing to ${size} synthetic chunks in ${collections.length} collections…`);
      const writeMs = { kgragMs: 0, baselineMs: 0 };
      for (const c of collections) {
        const target = shareOf(size, c.share);
        const w = await growSynthetic(app, src, c.name, c.have, target, store);
        c.have = target;
        writeMs.kgragMs += w.kgragMs;
        writeMs.baselineMs += w.baselineMs;
      }
      await app.db.runSchema('CALL db.awaitIndexes(3600)');
      const [largest, smallest] = [collections[0]!, collections.at(-1)!];
      const scopes = [
        { name: 'largest collection', collections: [largest.name], chunks: largest.have },
        { name: 'smallest collection', collections: [smallest.name], chunks: smallest.have },
        { name: 'all five collections', collections: collections.map((c) => c.name), chunks: size },
      ];
      const point = await measureLatency(app, scopes, size, queries, store, Number(values['latency-rounds']));
      report.latency.points.push({ ...point, writeMs });
      for (const s of point.scopes) log(`latency: ${size} chunks, ${s.name}: vector p50 ${s.vector.p50} ms, hybrid p95 ${s.hybrid.p95} ms, ask p95 ${s.ask.p95} ms`);
      if (point.baselineVector) log(`latency: ${size} chunks, LangChain similaritySearch p50 ${point.baselineVector.p50} ms`);
    }
    await cleanUp();
  }

  if (parts.includes('isolation')) {
    report.isolation = [];
    for (const total of values['isolation-sizes'].split(',').map(Number)) {
      log(`isolation: ${total} synthetic chunks in ${5} collections…`);
      report.isolation.push(await measureIsolation(app, total, queries, values.bench, run));
    }
  }
  if (parts.includes('catalog')) {
    log('catalog: generating the graph…');
    report.catalog = await measureCatalog(app.db, Number(values['catalog-scale']));
    log(`catalog build, ${report.catalog.nodes} nodes / ${report.catalog.relationships} relationships: cold ${report.catalog.cold} ms, warm ${report.catalog.warm} ms, whole graph ${report.catalog.all} ms (target: warm well under 2 s)`);
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
