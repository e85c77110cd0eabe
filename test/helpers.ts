import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { openKgrag, type Kgrag } from '../src/app.ts';
import { loadConfig, type KgragConfig } from '../src/config/index.ts';
import type { IngestOptions } from '../src/ingest/pipeline.ts';
import { ingest } from '../src/ingest/pipeline.ts';
import { silentLogger } from '../src/logging.ts';
import { expect } from 'vitest';
import { createOfflineExtractor } from '../src/extraction/offline.ts';
import { getEntity, listEntities } from '../src/graph/entities.ts';
import { importRecords } from '../src/import/importer.ts';
import { loadMapping } from '../src/import/mapping.ts';
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
  // kgrag's bookkeeping about them (communities): in the @system scope, naming the collection in `scope`.
  await app.db.write("MATCH (n) WHERE n.collection = '@system' AND n.scope IN $collections DETACH DELETE n", { collections });
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

/**
 * Loads part of an example knowledge base (examples/ or examples/zh) into `collection`: the
 * records with their mappings, then the documents through the real offline extractor. Returns
 * `entity(name)`, which asserts that exactly one entity has that name and returns its detail.
 */
export async function loadExampleGraph(app: Kgrag, collection: string, base: string, records: string[], docs: string[]) {
  for (const name of records) {
    const mapping = await loadMapping(path.join(base, 'mappings', name.replace(/\.\w+$/, '.mapping.json')));
    const summary = await importRecords(app.db, path.join(base, 'data', name), mapping, { collection, logger: app.logger });
    expect(summary.errors).toEqual([]);
  }
  const extractor = await createOfflineExtractor({ chineseModelDir: path.join(app.config.home, 'models-extra', 'lac') }, app.logger);
  const summary = await ingest(
    docs.map((d) => path.join(base, 'docs', d)),
    { db: app.db, embedder: app.embedder!, extractor, config: app.config, logger: app.logger },
    { collection },
  );
  expect(summary.failed).toBe(0);
  const entity = async (name: string) => {
    const found = (await listEntities(app.db, [collection], { limit: 1000 })).filter((e) => e.name === name);
    expect(found, name).toHaveLength(1);
    return (await getEntity(app.db, found[0]!.id, [collection]))!;
  };
  return { summary, entity };
}
