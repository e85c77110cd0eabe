/**
 * Vector search with collection isolation, three designs on the same synthetic chunks:
 *  - shared: one `chunk_embedding` index over every collection, over-fetched and filtered
 *    (`sharedVectorSearch`, kgrag's design before, and its fallback);
 *  - per-collection: each collection's chunks also carry a label of their own with a vector index
 *    on it, queried directly (`perCollectionVectorSearch`, src/graph/collection-index.ts);
 *  - filtered (Neo4j 2026.01+ only): the shared index declares `collection` and filters by it
 *    inside the index (`filteredVectorSearch`, Cypher 25 `SEARCH … WHERE`).
 * The chunks are spread over collections of unequal size (shares below), and each design is timed
 * searching the largest and the smallest collection, with the same queries, one at a time, in
 * `--rounds` rounds whose design order rotates (the machine's load drifts between rounds).
 *   npx tsx scripts/bench/isolation.ts [--total 10000] [--queries 30] [--rounds 3] [--run ID --keep]
 * (`--rounds 0` writes only).
 * `--run ID --keep` keeps the synthetic collections for a later run with the same ID, which only
 * adds what is missing (so that writing them and timing them can happen at different times).
 */
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openKgrag, type Kgrag } from '../../src/app.ts';
import { filteredVectorSearch, perCollectionVectorSearch, sharedVectorSearch, type VectorSearch } from '../../src/graph/search.ts';
import { collectionFilterIndex, serverFeatures } from '../../src/graph/server.ts';
import { dropCollection, readAbstracts } from './corpus.ts';
import { growSynthetic, SHARES, shareOf, syntheticSource } from './latency.ts';
import { latencyOf, timeSamples, type Latency } from './measure.ts';

const DESIGNS: Record<string, VectorSearch> = { shared: sharedVectorSearch, perCollection: perCollectionVectorSearch, filtered: filteredVectorSearch };
const K = 10;

export interface DesignFigures extends Latency {
  /** Results from another collection (must be 0). */
  leaked: number;
  /** Queries that got fewer than k results (the collection holds more than k). */
  short: number;
  /** 1-minute load average when the design's timing began and ended, each round. */
  loadAverage: number[];
}

export interface IsolationPoint {
  total: number;
  server: string;
  collections: Array<{ collection: string; chunks: number; share: number }>;
  /** Per measured collection (largest, smallest): each design's latency over every round's queries. */
  measured: Array<{ chunks: number; designs: Record<string, DesignFigures> }>;
}

export async function measureIsolation(
  app: Kgrag,
  total: number,
  queries: string[],
  benchDir: string,
  run: string,
  opts: { rounds?: number; keep?: boolean } = {},
): Promise<IsolationPoint> {
  const src = await syntheticSource(app, readAbstracts(benchDir));
  const collections = SHARES.map((share, i) => ({ collection: `bench-iso-${run}-${i}`, chunks: shareOf(total, share), share }));
  const features = await serverFeatures(app.db);
  const designs = Object.keys(DESIGNS).filter((d) => d !== 'filtered' || features.vectorFilter);
  try {
    for (const c of collections) {
      const [row] = await app.db.read('MATCH (n:Chunk {collection: $collection}) RETURN count(n) AS n', { collection: c.collection });
      const have = Number(row?.n ?? 0);
      if (have < c.chunks) await growSynthetic(app, src, c.collection, have, c.chunks, undefined);
    }
    await app.db.runSchema('CALL db.awaitIndexes(600)');
    if (designs.includes('filtered') && !(await collectionFilterIndex(app.db)).online) throw new Error('the shared index does not filter by collection');
    // --rounds 0: only write (with --keep: the collections a later, timed run reuses).
    if (opts.rounds === 0) return { total, server: features.version, collections, measured: [] };
    const vectors = await Promise.all(queries.map((q) => app.embedder!.embedQuery(q)));
    const measured: IsolationPoint['measured'] = [];
    for (const c of [collections[0]!, collections.at(-1)!]) {
      const samples: Record<string, number[]> = {};
      const figures: Record<string, Omit<DesignFigures, keyof Latency>> = {};
      for (const d of designs) {
        samples[d] = [];
        figures[d] = { leaked: 0, short: 0, loadAverage: [] };
      }
      const rounds = opts.rounds ?? 3;
      for (let round = 0; round < rounds; round++) {
        const order = designs.map((_, i) => designs[(i + round) % designs.length]!);
        for (const d of order) {
          const f = figures[d]!;
          const once = async (v: number[]) => {
            const rows = await DESIGNS[d]!(app.db, v, [c.collection], K);
            f.leaked += rows.filter((r) => r.collection !== c.collection).length;
            if (rows.length < Math.min(K, c.chunks)) f.short++;
          };
          for (const v of vectors.slice(0, 3)) await once(v); // warm-up
          f.loadAverage.push(load());
          samples[d]!.push(...(await timeSamples(vectors, once)));
          f.loadAverage.push(load());
        }
      }
      const out: Record<string, DesignFigures> = {};
      for (const d of designs) out[d] = { ...latencyOf(samples[d]!), ...figures[d]! };
      measured.push({ chunks: c.chunks, designs: out });
    }
    return { total, server: features.version, collections, measured };
  } finally {
    if (!opts.keep) for (const c of collections) await dropCollection(app, c.collection);
  }
}

const load = () => Math.round(os.loadavg()[0]! * 10) / 10;

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      total: { type: 'string', default: '10000' },
      queries: { type: 'string', default: '30' },
      rounds: { type: 'string', default: '3' },
      run: { type: 'string' },
      keep: { type: 'boolean', default: false },
      bench: { type: 'string', default: path.resolve(import.meta.dirname, '../../../shared/bench') },
    },
  });
  const queries = readFileSync(path.join(values.bench, 'scifact', 'queries.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text)
    .slice(0, Number(values.queries));
  const app = await openKgrag({ schema: true, embedder: true });
  try {
    for (const total of values.total.split(',').map(Number)) {
      const run = values.run ?? Date.now().toString(36);
      const point = await measureIsolation(app, total, queries, values.bench, run, { rounds: Number(values.rounds), keep: values.keep });
      process.stdout.write(JSON.stringify(point) + '\n');
    }
  } finally {
    await app.close();
  }
}
