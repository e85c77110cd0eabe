/**
 * Loads the example knowledge base (examples/) into one collection in-process, the way
 * scripts/load-demo.sh does through the CLI: records first in foreign-key order, then documents.
 */
import path from 'node:path';
import type { Kgrag } from '../../src/app.ts';
import { importRecords } from '../../src/import/importer.ts';
import { loadMapping } from '../../src/import/mapping.ts';
import { createOfflineExtractor } from '../../src/extraction/offline.ts';
import { ingest } from '../../src/ingest/pipeline.ts';

export const EXAMPLES_DIR = path.resolve(import.meta.dirname, '../../examples');
/** A foreign key must point at records already loaded. */
export const EXAMPLE_IMPORTS = ['companies.csv', 'offices.json', 'employees.csv', 'projects.csv', 'tasks.csv'];
/** The date the example data describes (examples/README.md): "overdue", "how long" are relative to it. */
export const EXAMPLE_REFERENCE_DATE = '2025-06-30';

/** `app` needs the embedder; documents go through the configured extractor, else the offline one. */
/** `dir`: a knowledge base laid out like examples/ (data, mappings, docs), e.g. the Chinese one in examples/zh. */
export async function loadExampleKb(app: Kgrag, collection: string, log: (line: string) => void = () => undefined, dir = EXAMPLES_DIR): Promise<void> {
  for (const file of EXAMPLE_IMPORTS) {
    const mapping = await loadMapping(path.join(dir, 'mappings', file.replace(/\.\w+$/, '.mapping.json')));
    const summary = await importRecords(app.db, path.join(dir, 'data', file), mapping, { collection, logger: app.logger });
    if (summary.errorCount > 0) throw new Error(`example kb: ${file}: ${summary.errorCount} rows failed to import`);
    log(`example kb: ${file}: ${summary.created} created, ${summary.updated} updated, ${summary.unchanged} unchanged`);
  }
  const extractor = app.extractor ?? (await createOfflineExtractor({}, app.logger));
  const result = await ingest([path.join(dir, 'docs')], { db: app.db, embedder: app.embedder!, extractor, config: app.config, logger: app.logger }, { collection });
  if (result.failed > 0) throw new Error(`example kb: ${result.failed} documents failed to ingest`);
  log(`example kb: documents: ${result.documents} ingested, ${result.unchanged} unchanged`);
  app.catalogs.invalidate();
}
