import { validateCollection } from '../../domain/ids.ts';
import type { CliContext } from '../context.ts';
import { printJson, printLine } from '../output.ts';

interface IngestCliOptions {
  collection?: string;
  force?: boolean;
  idField: string;
  titleField: string;
  textField: string;
  json?: boolean;
}

export function registerIngestCommand({ program, withKgrag, setJson }: CliContext): void {
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
    .action(async (inputs: string[], opts: IngestCliOptions) => {
      setJson(opts.json);
      await withKgrag({ schema: true, embedder: true, extractor: true }, async (app) => {
        const [{ ingest }, { ingestProgressBar }] = await Promise.all([import('../../ingest/pipeline.ts'), import('../progress.ts')]);
        const bar = !opts.json && process.stderr.isTTY ? ingestProgressBar() : undefined;
        const summary = await ingest(inputs, { db: app.db, embedder: app.embedder!, extractor: app.extractor, config: app.config, logger: app.logger }, {
          collection: validateCollection(opts.collection ?? app.config.ingest.defaultCollection),
          force: !!opts.force,
          jsonl: { idField: opts.idField, titleField: opts.titleField, textField: opts.textField },
          ...(bar ? { onProgress: bar.update } : {}),
        });
        bar?.stop();
        if (opts.json) printJson(summary);
        else {
          const x = summary.extraction;
          printLine(
            `Collection "${summary.collection}": ${summary.documents} documents ingested (${summary.chunks} chunks), ` +
              `${summary.unchanged} unchanged, ${summary.failed} failed, in ${(summary.timings.total / 1000).toFixed(1)} s.`,
          );
          if (x.extractor !== 'none' && summary.documents > 0) {
            printLine(
              `Knowledge graph (${x.extractor} extractor): ${x.mentions} mentions, ${x.linked} linked to known entities, ` +
                `${x.created} new entities, ${x.relations} relationships` + (x.failedChunks ? `; extraction failed on ${x.failedChunks} chunks` : '') + '.',
            );
          }
          for (const o of summary.outcomes) if (o.status === 'failed') printLine(`  failed: ${o.source}: ${o.error}`);
        }
        if (summary.failed > 0) process.exitCode = 1;
      });
    });
}
