import { Command, InvalidArgumentError, Option } from 'commander';
import { openKgrag, retrieverOf, type Kgrag } from '../app.ts';
import { loadConfig } from '../config/index.ts';
import { localDbStatus, startLocalDb, stopLocalDb } from '../db/local.ts';
import { validateCollection } from '../domain/ids.ts';
import type { SearchMode } from '../domain/types.ts';
import { NotFoundError } from '../errors.ts';
import { collectionStats, deleteDocument, getDocument, listCollections, listDocuments } from '../graph/documents.ts';
import { ingest } from '../ingest/pipeline.ts';
import { createLogger } from '../logging.ts';
import { ingestProgressBar } from './progress.ts';
import { printError, printJson, printLine, table, truncate } from './output.ts';

const program = new Command();
program
  .name('kgrag')
  .description('Knowledge-graph RAG over Neo4j: ingest documents, search them, and ask questions with citations.')
  .version('0.1.0')
  .showHelpAfterError()
  .option('-v, --verbose', 'log progress details to stderr');

let jsonOutput = false;

/** Opens kgrag for one command and always closes it (driver sessions, model). */
async function withKgrag<T>(opts: Parameters<typeof openKgrag>[0], run: (app: Kgrag) => Promise<T>): Promise<T> {
  const config = loadConfig();
  const verbose = program.opts<{ verbose?: boolean }>().verbose;
  const logger = createLogger({ level: verbose ? 'info' : config.logLevel });
  const app = await openKgrag({ ...opts, config, logger });
  try {
    return await run(app);
  } finally {
    await app.close();
  }
}

const positiveInt = (max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected an integer from 1 to ${max}`);
  return n;
};

const collectionOption = (value: string, previous: string[] | undefined) => [
  ...(previous ?? []),
  validateCollection(value),
];

/** Reads default to every collection: the local CLI user owns the whole database. */
async function readableCollections(app: Kgrag, requested: string[] | undefined): Promise<string[]> {
  return requested && requested.length > 0 ? requested : listCollections(app.db);
}

// ---------------------------------------------------------------- db
const db = program.command('db').description('manage the local Neo4j database');
db.command('start')
  .description('start the local Neo4j (fetching it on first run), apply the schema and wait until indexes are online')
  .option('--json', 'print the status as JSON')
  .action(async (opts: { json?: boolean }) => {
    jsonOutput = !!opts.json;
    const config = loadConfig();
    const logger = createLogger({ level: program.opts<{ verbose?: boolean }>().verbose ? 'info' : config.logLevel });
    const status = config.neo4j.managed
      ? await startLocalDb(config, logger, { onProgress: (m: string) => opts.json || process.stderr.write(m + '\n') })
      : null;
    await withKgrag({ schema: true }, async () => undefined);
    if (opts.json) printJson(status ?? { running: true, managed: false, boltUrl: config.neo4j.uri });
    else if (status) printLine(`Neo4j ${status.version} is running at ${status.boltUrl} (pid ${status.pid}); schema applied, indexes online.`);
    else printLine(`Using Neo4j at ${config.neo4j.uri} (not managed by kgrag); schema applied, indexes online.`);
  });
db.command('stop')
  .description('stop the local Neo4j')
  .action(async () => {
    const config = loadConfig();
    await stopLocalDb(config, createLogger({ level: config.logLevel }));
    printLine('Neo4j stopped.');
  });
db.command('status')
  .description('show whether the local Neo4j is running')
  .option('--json', 'print the status as JSON')
  .action(async (opts: { json?: boolean }) => {
    jsonOutput = !!opts.json;
    const config = loadConfig();
    if (!config.neo4j.managed) {
      const result = { managed: false, boltUrl: config.neo4j.uri };
      if (opts.json) printJson(result);
      else printLine(`NEO4J_URI points at ${config.neo4j.uri}; kgrag does not manage that database.`);
      return;
    }
    const status = await localDbStatus(config);
    if (opts.json) printJson(status);
    else printLine(status.running ? `running at ${status.boltUrl} (pid ${status.pid})` : 'not running');
    if (!status.running) process.exitCode = 3;
  });

// ---------------------------------------------------------------- ingest
program
  .command('ingest')
  .description('ingest documents: files, folders, globs or http(s) URLs (PDF, DOCX, HTML, Markdown, text, JSON Lines)')
  .argument('<inputs...>', 'paths, folders, globs or URLs')
  .option('-c, --collection <name>', 'collection to ingest into (default: KGRAG_DEFAULT_COLLECTION)')
  .option('--force', 're-embed and rewrite documents even when unchanged')
  .option('--id-field <name>', 'JSON Lines: field holding the document id', 'id')
  .option('--title-field <name>', 'JSON Lines: field holding the title', 'title')
  .option('--text-field <name>', 'JSON Lines: field holding the text', 'text')
  .option('--json', 'print the summary as JSON')
  .action(async (inputs: string[], opts: { collection?: string; force?: boolean; idField: string; titleField: string; textField: string; json?: boolean }) => {
    jsonOutput = !!opts.json;
    await withKgrag({ schema: true }, async (app) => {
      const bar = !opts.json && process.stderr.isTTY ? ingestProgressBar() : undefined;
      const summary = await ingest(inputs, { db: app.db, embedder: app.embedder!, config: app.config, logger: app.logger }, {
        collection: validateCollection(opts.collection ?? app.config.ingest.defaultCollection),
        force: !!opts.force,
        jsonl: { idField: opts.idField, titleField: opts.titleField, textField: opts.textField },
        ...(bar ? { onProgress: bar.update } : {}),
      });
      bar?.stop();
      if (opts.json) printJson(summary);
      else {
        printLine(
          `Collection "${summary.collection}": ${summary.documents} documents ingested (${summary.chunks} chunks), ` +
            `${summary.unchanged} unchanged, ${summary.failed} failed, in ${(summary.timings.total / 1000).toFixed(1)} s.`,
        );
        for (const o of summary.outcomes) if (o.status === 'failed') printLine(`  failed: ${o.source}: ${o.error}`);
      }
      if (summary.failed > 0) process.exitCode = 1;
    });
  });

// ---------------------------------------------------------------- search
program
  .command('search')
  .description('search chunks by meaning and keywords')
  .argument('<text>', 'what to look for')
  .option('-k, --k <n>', 'number of results', positiveInt(1000), 10)
  .addOption(new Option('-m, --mode <mode>', 'retrieval mode').choices(['vector', 'fulltext', 'hybrid']).default('hybrid'))
  .option('-c, --collection <name>', 'collection to search (repeatable; default: all)', collectionOption)
  .option('--json', 'print results as JSON')
  .action(async (text: string, opts: { k: number; mode: SearchMode; collection?: string[]; json?: boolean }) => {
    jsonOutput = !!opts.json;
    await withKgrag({ embedder: opts.mode !== 'fulltext' }, async (app) => {
      const collections = await readableCollections(app, opts.collection);
      const results = await retrieverOf(app).search(text, { collections, k: opts.k, mode: opts.mode });
      if (opts.json) {
        printJson({
          results: results.map(({ chunkId, documentId, title, source, page, text: t, score }) => ({
            chunkId, documentId, title, source, page, text: t, score,
          })),
        });
        return;
      }
      if (results.length === 0) printLine('No results.');
      results.forEach((r, i) => {
        const where = r.page ? `${r.title} (p. ${r.page})` : r.title;
        printLine(`${i + 1}. [${r.score.toFixed(4)}] ${where}\n   ${r.source}\n   ${truncate(r.text, 240)}\n`);
      });
    });
  });

// ---------------------------------------------------------------- documents
const documents = program.command('documents').description('list, show and delete ingested documents');
documents
  .command('list')
  .description('list documents, most recently updated first')
  .option('-c, --collection <name>', 'collection (repeatable; default: all)', collectionOption)
  .option('--limit <n>', 'maximum number of documents', positiveInt(10_000), 100)
  .option('--skip <n>', 'documents to skip', (v) => Math.max(0, Number.parseInt(v, 10) || 0), 0)
  .option('--json', 'print as JSON')
  .action(async (opts: { collection?: string[]; limit: number; skip: number; json?: boolean }) => {
    jsonOutput = !!opts.json;
    await withKgrag({}, async (app) => {
      const docs = await listDocuments(app.db, await readableCollections(app, opts.collection), opts);
      if (opts.json) printJson({ documents: docs });
      else if (docs.length === 0) printLine('No documents.');
      else printLine(table(docs.map((d) => ({ ...d, title: truncate(d.title, 48) })), ['id', 'collection', 'title', 'chunks', 'mimeType', 'updatedAt']));
    });
  });
documents
  .command('show')
  .description('show one document with its chunks')
  .argument('<id>', 'document id')
  .option('-c, --collection <name>', 'collection (repeatable; default: all)', collectionOption)
  .option('--json', 'print as JSON')
  .action(async (id: string, opts: { collection?: string[]; json?: boolean }) => {
    jsonOutput = !!opts.json;
    await withKgrag({}, async (app) => {
      const detail = await getDocument(app.db, id, await readableCollections(app, opts.collection));
      if (!detail) throw new NotFoundError(`No document with id ${id}`);
      if (opts.json) return printJson(detail);
      const d = detail.document;
      printLine(`${d.title}\n  id: ${d.id}\n  collection: ${d.collection}\n  source: ${d.source}\n  type: ${d.mimeType}\n  sha256: ${d.sha256}\n  updated: ${d.updatedAt}\n  chunks: ${detail.chunks.length}`);
      for (const c of detail.chunks) {
        const where = [c.page ? `p. ${c.page}` : '', c.headingPath.join(' > ')].filter(Boolean).join(', ');
        printLine(`\n[${c.index}] ${where}\n${truncate(c.text, 300)}`);
      }
    });
  });
documents
  .command('delete')
  .description('delete a document and its chunks')
  .argument('<id>', 'document id')
  .option('-c, --collection <name>', 'collection (repeatable; default: all)', collectionOption)
  .option('--json', 'print the result as JSON')
  .action(async (id: string, opts: { collection?: string[]; json?: boolean }) => {
    jsonOutput = !!opts.json;
    await withKgrag({}, async (app) => {
      const deleted = await deleteDocument(app.db, id, await readableCollections(app, opts.collection));
      if (!deleted) throw new NotFoundError(`No document with id ${id}`);
      if (opts.json) printJson({ deleted: id, chunks: deleted.chunks });
      else printLine(`Deleted ${id} and its ${deleted.chunks} chunks.`);
    });
  });

// ---------------------------------------------------------------- stats
program
  .command('stats')
  .description('documents, chunks, entities and relationships per collection')
  .option('--json', 'print as JSON')
  .action(async (opts: { json?: boolean }) => {
    jsonOutput = !!opts.json;
    await withKgrag({}, async (app) => {
      const stats = await collectionStats(app.db);
      if (opts.json) printJson({ collections: stats });
      else if (stats.length === 0) printLine('The knowledge base is empty.');
      else printLine(table(stats as unknown as Array<Record<string, unknown>>, ['collection', 'documents', 'chunks', 'entities', 'relationships']));
    });
  });

try {
  await program.parseAsync(process.argv);
} catch (err) {
  printError(err, jsonOutput);
  process.exitCode = 1;
}
