import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openKgrag, type Kgrag } from '../src/app.ts';
import { loadConfig, type KgragConfig } from '../src/config/index.ts';
import type { IngestOptions } from '../src/ingest/pipeline.ts';
import { ingest } from '../src/ingest/pipeline.ts';
import { silentLogger } from '../src/logging.ts';
import { dropCollectionIndexes } from '../src/graph/collection-index.ts';

/** A collection name no other test uses: integration tests isolate themselves by collection. */
export function uniqueCollection(prefix = 't'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export async function openTestApp(overrides: (c: KgragConfig) => void = () => undefined): Promise<Kgrag> {
  const config = loadConfig();
  overrides(config);
  return openKgrag({ config, logger: silentLogger(), schema: true, embedder: true });
}

/** Removes everything a test wrote into its collections. */
export async function dropCollections(app: Kgrag, collections: string[]): Promise<void> {
  await app.db.write('MATCH (n) WHERE n.collection IN $collections DETACH DELETE n', { collections });
  for (const c of collections) await dropCollectionIndexes(app.db, c);
}

export function ingestInto(app: Kgrag, inputs: string[], options: IngestOptions) {
  return ingest(inputs, { db: app.db, embedder: app.embedder!, config: app.config, logger: app.logger }, options);
}

/** A temporary folder with the given files; removed by the returned cleanup. */
export function tempFiles(files: Record<string, string | Uint8Array>): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kgrag-test-'));
  for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), content);
  return { dir, path: (name) => path.join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
