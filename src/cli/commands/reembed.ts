import { collectionOption, positiveInt, type CliContext } from '../context.ts';
import { printJson, printLine } from '../output.ts';

export function registerReembedCommand({ program, withKgrag, setJson }: CliContext): void {
  program
    .command('reembed')
    .description('embed stored chunks again with the configured model (after changing KGRAG_EMBEDDING_MODEL); resumable: run it again after an interruption')
    .option('-c, --collection <name>', 'only this collection (repeatable; default: the whole database)', collectionOption)
    .option('--batch <n>', 'documents per transaction', positiveInt(10_000), 32)
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { collection?: string[]; batch: number; json?: boolean }) => {
      setJson(opts.json);
      // No schema step: the model guard would refuse exactly the database this command repairs.
      await withKgrag({ embedder: true }, async (app) => {
        const { reembed } = await import('../../embedding/reembed.ts');
        const summary = await reembed(app.db, app.embedder!, app.logger, {
          ...(opts.collection?.length ? { collections: opts.collection } : {}),
          batchDocuments: opts.batch,
          onProgress: opts.json ? undefined : (p) => process.stderr.write(`\r${p.documents} documents, ${p.chunks} chunks re-embedded, ${p.pending} to go   `),
        });
        if (!opts.json) process.stderr.write('\n');
        if (opts.json) printJson(summary);
        else if (summary.switched) printLine(`Re-embedded ${summary.documents} documents (${summary.chunks} chunks) with ${summary.model}; the vector index now serves it.`);
        else printLine(`Re-embedded ${summary.documents} documents (${summary.chunks} chunks) with ${summary.model}; ${summary.remaining} documents of other collections still use another model, so searches stay refused until they are re-embedded too.`);
      });
    });
}
