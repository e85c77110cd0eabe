/**
 * Performance benchmarks through the same code paths users run.
 *   npm run bench -- ingest [--docs 500] [--bench ../shared/bench]
 * ingest: SciFact abstracts (a real corpus, ~1.5 chunks each) ingested into a fresh collection,
 * with and without offline extraction; reports per-stage time, chunks/s, and extraction's share.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openKgrag } from '../src/app.ts';
import { createOfflineExtractor } from '../src/extraction/offline.ts';
import type { IngestSummary } from '../src/ingest/pipeline.ts';
import { ingestBenchJsonl, withTempJsonl } from './eval/corpus.ts';

const { values } = parseArgs({
  allowPositionals: true,
  options: {
    docs: { type: 'string', default: '500' },
    bench: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared/bench') },
  },
});
const log = (line: string) => process.stdout.write(line + '\n');

const app = await openKgrag({ schema: true, embedder: true });
try {
  const records = readFileSync(path.join(values.bench, 'scifact', 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, Number(values.docs))
    .map((line) => JSON.parse(line) as object);
  const extractor = await createOfflineExtractor({}, app.logger);
  const runs: Array<[string, IngestSummary]> = [];
  for (const [label, withExtractor] of [['without extraction', false], ['with offline extraction', true]] as const) {
    const collection = `bench-ingest-${Date.now()}`;
    const summary = await withTempJsonl(records, (file) =>
      ingestBenchJsonl(app, file, collection, { idField: '_id', titleField: 'title', textField: 'text' }, withExtractor ? extractor : undefined),
    );
    await app.db.write('MATCH (n) WHERE n.collection = $collection DETACH DELETE n', { collection });
    runs.push([label, summary]);
  }
  log(`ingest of ${records.length} SciFact abstracts (ms per stage; stages overlap)`);
  log('run                       docs  chunks  load  chunk  embed  extract  write  total  chunks/s');
  for (const [label, s] of runs) {
    const t = s.timings;
    log(
      `${label.padEnd(24)} ${String(s.documents).padStart(5)} ${String(s.chunks).padStart(7)} ${String(t.load).padStart(5)} ${String(t.chunk).padStart(6)} ` +
        `${String(t.embed).padStart(6)} ${String(t.extract).padStart(8)} ${String(t.write).padStart(6)} ${String(t.total).padStart(6)} ${(s.chunks / (t.total / 1000)).toFixed(1).padStart(9)}`,
    );
  }
  const withX = runs[1]![1];
  log(
    `offline extraction: ${(withX.extraction.chunks / (withX.timings.extract / 1000)).toFixed(0)} chunks/s, ` +
      `${((100 * withX.timings.extract) / withX.timings.total).toFixed(1)}% of total ingest time; ` +
      `${withX.extraction.mentions} mentions, ${withX.extraction.relations} relationships`,
  );
} finally {
  await app.close();
}
