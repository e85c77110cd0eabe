import path from 'node:path';
import { validateCollection } from '../../domain/ids.ts';
import { InputError } from '../../errors.ts';
import type { ImportProgress, ImportSummary } from '../../import/importer.ts';
import { positiveInt, type CliContext } from '../context.ts';
import { printJson, printLine } from '../output.ts';

interface ImportCliOptions {
  mapping?: string;
  infer?: boolean;
  collection?: string;
  batchSize: number;
  sample: number;
  sheet?: string;
  records?: string;
  json?: boolean;
}

/** Row errors shown in text output; --json has them all. */
const ERRORS_SHOWN = 20;

export function registerImportCommand({ program, withKgrag, setJson }: CliContext): void {
  program
    .command('import')
    .description(
      'import records from a CSV, JSON, JSON Lines or XLSX file as entities and relationships, following a mapping; ' +
        'or propose a mapping for the file with --infer',
    )
    .argument('<file>', 'data file (.csv, .tsv, .json, .jsonl, .xlsx)')
    .option('-m, --mapping <file>', 'mapping file (JSON, described by schemas/mapping.schema.json)')
    .option('--infer', 'print a proposed mapping for the file instead of importing (no database needed)')
    .option('-c, --collection <name>', 'collection to import into (default: KGRAG_DEFAULT_COLLECTION)')
    .option('--batch-size <n>', 'rows per transaction', positiveInt(100_000), 500)
    .option('--sample <n>', 'with --infer: rows to sample', positiveInt(1_000_000), 1000)
    .option('--sheet <name>', 'with --infer: XLSX worksheet (default: the first)')
    .option('--records <pointer>', 'with --infer: JSON Pointer to the array of records in a JSON file')
    .option('--json', 'print the summary (or the proposed mapping with notes) as JSON')
    .action(async (file: string, opts: ImportCliOptions) => {
      setJson(opts.json);
      if (!!opts.mapping === !!opts.infer) {
        throw new InputError('Give --mapping <file> to import the file, or --infer to propose a mapping for it.');
      }
      if (opts.infer) return printInferred(file, opts);
      // Validate the mapping before connecting: a typo should not wait for the database.
      const [{ loadMapping }, { importRecords }] = await Promise.all([import('../../import/mapping.ts'), import('../../import/importer.ts')]);
      const mapping = await loadMapping(opts.mapping!);
      await withKgrag({ schema: true }, async (app) => {
        const collection = validateCollection(opts.collection ?? app.config.ingest.defaultCollection);
        const progress = !opts.json && process.stderr.isTTY ? await importProgress() : undefined;
        let summary: ImportSummary;
        try {
          summary = await importRecords(app.db, file, mapping, {
            collection,
            logger: app.logger,
            batchSize: opts.batchSize,
            ...(progress ? { onProgress: progress.update } : {}),
          });
        } finally {
          progress?.stop();
        }
        if (opts.json) printJson(summary);
        else printSummary(summary);
        if (summary.errorCount > 0) process.exitCode = 1;
      });
    });
}

async function printInferred(file: string, opts: ImportCliOptions): Promise<void> {
  const { inferMapping } = await import('../../import/infer.ts');
  const result = await inferMapping(file, {
    sampleSize: opts.sample,
    ...(opts.sheet ? { sheet: opts.sheet } : {}),
    ...(opts.records ? { records: opts.records } : {}),
  });
  if (opts.json) {
    printJson(result);
    return;
  }
  // stdout carries the mapping alone, so that `> mapping.json` gives a file to edit.
  printJson(result.mapping);
  process.stderr.write(`Proposed from ${result.sampled} sampled rows of ${path.basename(file)}; check it before importing.\n`);
  for (const note of result.notes) process.stderr.write(`note: ${note}\n`);
}

function printSummary(s: ImportSummary): void {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const skipped = s.skipped > 0 ? ` (${plural(s.skipped, 'row')} not loaded)` : '';
  printLine(
    `Imported ${path.basename(s.file)} into collection "${s.collection}" as ${s.label}: ${plural(s.rows, 'row')}, ` +
      `${s.created} created, ${s.updated} updated, ${s.unchanged} unchanged, ${s.adopted} adopted, ` +
      `${plural(s.relationships, 'relationship')}, ${plural(s.errorCount, 'error')}${skipped}, in ${s.seconds.toFixed(1)} s.`,
  );
  for (const w of s.warnings) printLine(`  warning: ${w}`);
  for (const e of s.errors.slice(0, ERRORS_SHOWN)) printLine(`  ${e.message}`);
  if (s.errorCount > ERRORS_SHOWN) printLine(`  … and ${s.errorCount - ERRORS_SHOWN} more errors (--json lists them all).`);
}

/** Rows done so far on stderr, for interactive terminals (the total is unknown while streaming). */
async function importProgress(): Promise<{ update: (p: ImportProgress) => void; stop: () => void }> {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: 'import {phase}: {value} rows', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      if (!started) {
        bar.start(0, p.rows, { phase: p.phase });
        started = true;
      } else bar.update(p.rows, { phase: p.phase });
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
