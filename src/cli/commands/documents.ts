import { NotFoundError } from '../../errors.ts';
import { collectionOption, positiveInt, readableCollections, type CliContext } from '../context.ts';
import { printJson, printLine, table, truncate } from '../output.ts';

const graph = () => import('../../graph/documents.ts');

export function registerDocumentCommands({ program, withKgrag, setJson }: CliContext): void {
  const documents = program.command('documents').description('list, show and delete ingested documents');
  documents
    .command('list')
    .description('list documents, most recently updated first')
    .option('-c, --collection <name>', 'collection (repeatable; default: all)', collectionOption)
    .option('--limit <n>', 'maximum number of documents', positiveInt(10_000), 100)
    .option('--skip <n>', 'documents to skip', (v) => Math.max(0, Number.parseInt(v, 10) || 0), 0)
    .option('--json', 'print as JSON')
    .action(async (opts: { collection?: string[]; limit: number; skip: number; json?: boolean }) => {
      setJson(opts.json);
      await withKgrag({}, async (app) => {
        const docs = await (await graph()).listDocuments(app.db, await readableCollections(app, opts.collection), opts);
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
      setJson(opts.json);
      await withKgrag({}, async (app) => {
        const detail = await (await graph()).getDocument(app.db, id, await readableCollections(app, opts.collection));
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
      setJson(opts.json);
      await withKgrag({}, async (app) => {
        const deleted = await (await graph()).deleteDocument(app.db, id, await readableCollections(app, opts.collection));
        if (!deleted) throw new NotFoundError(`No document with id ${id}`);
        if (opts.json) printJson({ deleted: id, chunks: deleted.chunks });
        else printLine(`Deleted ${id} and its ${deleted.chunks} chunks.`);
      });
    });

  program
    .command('stats')
    .description('documents, chunks, entities and relationships per collection')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      setJson(opts.json);
      await withKgrag({}, async (app) => {
        const stats = await (await graph()).collectionStats(app.db);
        if (opts.json) printJson({ collections: stats });
        else if (stats.length === 0) printLine('The knowledge base is empty.');
        else printLine(table(stats as unknown as Array<Record<string, unknown>>, ['collection', 'documents', 'chunks', 'entities', 'relationships']));
      });
    });
}
