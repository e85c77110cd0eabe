/**
 * Vector search with collection isolation, two designs on the same synthetic chunks:
 *  - shared: one `chunk_embedding` index over every collection, over-fetched and filtered
 *    (`sharedVectorSearch`, kgrag's design before, and its fallback);
 *  - per-collection: each collection's chunks also carry a label of their own with a vector index
 *    on it, queried directly (`vectorSearch`, src/graph/collection-index.ts).
 * The chunks are spread over collections of unequal size (shares below), and each design is timed
 * searching the largest and the smallest collection, with the same queries, one at a time.
 *   npx tsx scripts/bench/isolation.ts [--total 10000] [--queries 30]
 */
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openKgrag, type Kgrag } from '../../src/app.ts';
import { sharedVectorSearch, vectorSearch } from '../../src/graph/search.ts';
import { dropCollection, readAbstracts } from './corpus.ts';
import { growSynthetic, SHARES, shareOf, syntheticSource } from './latency.ts';
import { timeEach, type Latency } from './measure.ts';

export interface IsolationPoint {
  total: number;
  collections: Array<{ collection: string; chunks: number; share: number }>;
  /** Per measured collection (largest, smallest): each design's latency. */
  measured: Array<{ chunks: number; shared: Latency; perCollection: Latency; leaked: number; loadAverage: number[] }>;
}

export async function measureIsolation(app: Kgrag, total: number, queries: string[], benchDir: string, run: string): Promise<IsolationPoint> {
  const src = await syntheticSource(app, readAbstracts(benchDir));
  const collections = SHARES.map((share, i) => ({ collection: `bench-iso-${run}-${i}`, chunks: shareOf(total, share), share }));
  try {
    for (const c of collections) {
      await growSynthetic(app, src, c.collection, 0, c.chunks, undefined);
    }
    await app.db.runSchema('CALL db.awaitIndexes(600)');
    const vectors = await Promise.all(queries.map((q) => app.embedder!.embedQuery(q)));
    const measured: IsolationPoint['measured'] = [];
    for (const c of [collections[0]!, collections.at(-1)!]) {
      let leaked = 0;
      const shared = await timeEach(vectors, async (v) => {
        const rows = await sharedVectorSearch(app.db, v, [c.collection], 10);
        leaked += rows.filter((r) => r.collection !== c.collection).length;
      });
      const perCollection = await timeEach(vectors, async (v) => {
        const rows = await vectorSearch(app.db, v, [c.collection], 10);
        leaked += rows.filter((r) => r.collection !== c.collection).length;
      });
      measured.push({ chunks: c.chunks, shared, perCollection, leaked, loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10) });
    }
    return { total, collections, measured };
  } finally {
    for (const c of collections) await dropCollection(app, c.collection);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      total: { type: 'string', default: '10000' },
      queries: { type: 'string', default: '30' },
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
      const point = await measureIsolation(app, total, queries, values.bench, Date.now().toString(36));
      process.stdout.write(JSON.stringify(point) + '\n');
    }
  } finally {
    await app.close();
  }
}
