import { InvalidArgumentError } from 'commander';
import type { AskResult } from '../../planner/types.ts';
import { collectionOption, positiveInt, readableCollections, type CliContext } from '../context.ts';
import { printJson, printLine, truncate } from '../output.ts';

const isoDate = (value: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) throw new InvalidArgumentError('expected a date as YYYY-MM-DD');
  return value;
};

export function registerAskCommand({ program, withKgrag, setJson }: CliContext): void {
  program
    .command('ask')
    .description('answer a question from the knowledge graph: exact where the graph can count or filter, with cited passages where it cannot')
    .argument('<question>', 'the question, in plain English')
    .option('-c, --collection <name>', 'collection to ask (repeatable; default: all)', collectionOption)
    .option('--as-of <date>', 'reference date for "overdue", "next month", "how long" (default: today)', isoDate)
    .option('--limit <n>', 'rows of a structured answer, at most', positiveInt(10_000), 1000)
    .option('--no-expand', 'answer open questions from search hits only, without graph expansion')
    .option('--json', 'print the full result as JSON')
    .option('--explain', 'also print the plan, the Cypher that ran and the timings')
    .option('--reading <n>', 'answer with reading n of those a previous ask of this question offered under "Did you mean"', positiveInt(10))
    .option('--conversation <id>', 'ask as the next turn of a stored conversation (see `kgrag chat`): follow-ups refer to its previous answers')
    .action(async (question: string, opts: { collection?: string[]; asOf?: string; limit: number; expand: boolean; json?: boolean; explain?: boolean; conversation?: string; reading?: number }) => {
      setJson(opts.json);
      // The model loads only if the answer needs passages: an exact answer never waits for it.
      await withKgrag({ embedder: 'lazy' }, async (app) => {
        // Readings are printed from 1; the planner counts from 0.
        const reading = opts.reading !== undefined ? { reading: opts.reading - 1 } : {};
        if (opts.conversation) {
          const conversations = await import('../../conversation/cli.ts');
          const result = await conversations.askTurn(app, opts.conversation, question, { collections: opts.collection, ...(opts.asOf ? { asOf: opts.asOf } : {}), ...reading });
          if (opts.json) printJson(result);
          else printResult(result, !!opts.explain);
          if (!result.found) process.exitCode = 2;
          return;
        }
        // A graph without collections (one kgrag did not build) is read whole.
        const [{ askKgrag }, scope] = await Promise.all([import('../../app.ts'), readableCollections(app, opts.collection)]);
        const result = await askKgrag(app, question, {
          collections: scope.length ? scope : null,
          limit: opts.limit,
          expand: opts.expand,
          ...(opts.asOf ? { asOf: opts.asOf } : {}),
          ...reading,
        });
        if (opts.json) printJson(result);
        else printResult(result, !!opts.explain);
        if (!result.found) process.exitCode = 2;
      });
    });
}

/** `answered`: the answer text was already shown (streamed). */
export function printResult(r: AskResult & { standaloneQuestion?: string }, explain: boolean, answered = false): void {
  if (r.standaloneQuestion) printLine(`(read as: ${r.standaloneQuestion})`);
  if (!answered) printLine(r.answer);
  if (r.plan.alternatives?.length) {
    printLine('\nDid you mean:');
    r.plan.alternatives.forEach((a, i) => printLine(`  ${i + 1}. ${a.description}\n     ${a.cypher.replace(/\n/g, '\n     ')}\n     params: ${JSON.stringify(a.params)}`));
  }
  if (r.citations.length) {
    printLine('\nSources:');
    for (const c of r.citations) printLine(`  [${c.n}] ${c.title}${c.page ? `, p. ${c.page}` : ''} (${c.source})\n      "${truncate(c.quote, 200)}"`);
  }
  if (!explain) return;
  printLine(`\nStrategy: ${r.plan.strategy}${r.plan.message ? ` — ${r.plan.message}` : ''}`);
  for (const s of r.plan.steps) printLine(`  ${s.kind}: ${s.detail}`);
  for (const c of r.cypher) {
    printLine(`\nCypher (${c.origin}${c.rows !== undefined ? `, ${c.rows} rows` : ''}${c.error ? `, refused: ${c.error}` : ''}):\n${c.query}`);
    printLine(`params: ${JSON.stringify(c.params)}`);
  }
  printLine(`\nTimings (ms): ${Object.entries(r.timings).map(([k, v]) => `${k} ${v}`).join(', ')}`);
}
