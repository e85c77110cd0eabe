import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Kgrag } from '../../src/app.ts';
import type { Extractor } from '../../src/extraction/types.ts';
import { ingest, type IngestSummary } from '../../src/ingest/pipeline.ts';

/** How benchmark corpora enter kgrag: as JSON Lines documents, through the ingest pipeline users run. */
export function ingestBenchJsonl(
  app: Kgrag,
  file: string,
  collection: string,
  fields: { idField: string; titleField: string; textField: string },
  extractor?: Extractor,
): Promise<IngestSummary> {
  // No extractor unless asked: retrieval benchmarks measure passages alone, as the published baselines.
  return ingest([file], { db: app.db, embedder: app.embedder!, extractor, config: app.config, logger: app.logger }, { collection, jsonl: fields });
}

export function describeIngest(name: string, s: IngestSummary): string {
  return (
    `${name}: ${s.documents} ingested (${s.chunks} chunks), ${s.unchanged} unchanged, ` +
    `${s.failed} failed, ${(s.timings.total / 1000).toFixed(1)} s`
  );
}

/** Runs `work` on a temporary JSON Lines file holding `records`, removed afterwards. */
export async function withTempJsonl<T>(records: readonly object[], work: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kgrag-bench-'));
  const file = path.join(dir, 'corpus.jsonl');
  writeFileSync(file, records.map((r) => JSON.stringify(r)).join('\n') + '\n');
  try {
    return await work(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
