/**
 * A long ingest with memory watched: SciFact abstracts repeated with distinct ids (JSON Lines,
 * one document per abstract, a few chunks each) through kgrag's ingest pipeline in one run, with
 * the process's RSS and heap recorded every `--every` chunks. Memory must stay flat: nothing may
 * grow with the number of documents already written.
 *   npx tsx scripts/bench/scale-ingest.ts --chunks 100000 [--every 10000] [--extract] [--bench ../shared/bench]
 * 100k real chunks take about an hour of CPU on 2 cores (the embedding model); bound it with --chunks.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openKgrag } from '../../src/app.ts';
import { createOfflineExtractor } from '../../src/extraction/offline.ts';
import { ingest } from '../../src/ingest/pipeline.ts';
import { dropCollection, readAbstracts } from './corpus.ts';

const { values } = parseArgs({
  options: {
    chunks: { type: 'string', default: '100000' },
    every: { type: 'string', default: '10000' },
    extract: { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    bench: { type: 'string', default: path.resolve(import.meta.dirname, '../../../shared/bench') },
  },
});
const target = Number(values.chunks);
const every = Number(values.every);
/** Documents per JSON Lines file: small enough to stop close to --chunks. */
const FILE_DOCS = 200;
const mb = (bytes: number) => Math.round(bytes / 2 ** 20);

const abstracts = readAbstracts(values.bench);
const dir = mkdtempSync(path.join(os.tmpdir(), 'kgrag-scale-'));
const app = await openKgrag({ schema: true, embedder: true });
const collection = `bench-scale-ingest-${Date.now().toString(36)}`;
const samples: Array<{ chunks: number; documents: number; seconds: number; rssMb: number; heapMb: number; loadAverage: number[] }> = [];
const started = performance.now();
const sample = (chunks: number, documents: number) => {
  const m = process.memoryUsage();
  samples.push({
    chunks,
    documents,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    rssMb: mb(m.rss),
    heapMb: mb(m.heapUsed),
    loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
  });
  process.stderr.write(`${JSON.stringify(samples.at(-1))}\n`);
};
try {
  const extractor = values.extract ? await createOfflineExtractor({}, app.logger) : undefined;
  sample(0, 0);
  let total = 0;
  let documents = 0;
  let next = every;
  // Files of FILE_DOCS abstracts, the corpus repeated under new ids (pass number) as often as needed.
  for (let n = 0; total < target; n++) {
    const file = path.join(dir, `part-${n}.jsonl`);
    const rows = Array.from({ length: FILE_DOCS }, (_, i) => {
      const k = n * FILE_DOCS + i;
      const a = abstracts[k % abstracts.length]!;
      return JSON.stringify({ id: `${Math.floor(k / abstracts.length)}-${a.id}`, title: a.title, text: a.text });
    });
    writeFileSync(file, rows.join('\n') + '\n');
    const base = { chunks: total, documents };
    const summary = await ingest([file], { db: app.db, embedder: app.embedder!, extractor, config: app.config, logger: app.logger }, {
      collection,
      onProgress: (p) => {
        while (base.chunks + p.chunks >= next) {
          sample(base.chunks + p.chunks, base.documents + p.documents);
          next += every;
        }
      },
    });
    total += summary.chunks;
    documents += summary.documents;
    rmSync(file);
    if (total >= target) break;
  }
  sample(total, documents);
  process.stdout.write(JSON.stringify({ collection, chunks: total, documents, extract: values.extract, samples }, null, 2) + '\n');
} finally {
  if (!values.keep) await dropCollection(app, collection);
  await app.close();
  rmSync(dir, { recursive: true, force: true });
}
