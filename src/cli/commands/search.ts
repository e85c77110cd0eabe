import { Option } from 'commander';
import type { SearchMode } from '../../domain/types.ts';
import { collectionOption, positiveInt, readableCollections, type CliContext } from '../context.ts';
import { printJson, printLine, truncate } from '../output.ts';

export function registerSearchCommand({ program, withKgrag, setJson }: CliContext): void {
  program
    .command('search')
    .description('search chunks by meaning and keywords')
    .argument('<text>', 'what to look for')
    .option('-k, --k <n>', 'number of results', positiveInt(1000), 10)
    .addOption(new Option('-m, --mode <mode>', 'retrieval mode').choices(['vector', 'fulltext', 'hybrid']).default('hybrid'))
    .option('-c, --collection <name>', 'collection to search (repeatable; default: all)', collectionOption)
    .option('--json', 'print results as JSON')
    .action(async (text: string, opts: { k: number; mode: SearchMode; collection?: string[]; json?: boolean }) => {
      setJson(opts.json);
      await withKgrag({ embedder: opts.mode !== 'fulltext' && 'lazy' }, async (app) => {
        const { retrieverOf } = await import('../../app.ts');
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
}
