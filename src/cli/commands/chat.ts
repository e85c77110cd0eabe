import { createInterface } from 'node:readline/promises';
import { KgragError } from '../../errors.ts';
import { collectionOption, type CliContext } from '../context.ts';
import { printLine } from '../output.ts';
import { printResult } from './ask.ts';

/**
 * `kgrag chat`: questions one after another in one conversation, so that follow-ups ("which of
 * them…", "and in 2024?") refer to the previous answers. Written answers are printed as they are
 * generated; Ctrl-C stops the answer being written (a second Ctrl-C, /quit or end of input exits).
 */
export function registerChatCommand({ program, withKgrag }: CliContext): void {
  program
    .command('chat')
    .description('ask questions in a conversation: follow-ups refer to previous answers; answers stream as they are written')
    .option('-c, --collection <name>', 'collection to ask (repeatable; default: all)', collectionOption)
    .option('--conversation <id>', 'continue a stored conversation')
    .option('--as-of <date>', 'reference date for "overdue", "next month", "how long" (default: today)')
    .action(async (opts: { collection?: string[]; conversation?: string; asOf?: string }) => {
      await withKgrag({ embedder: 'lazy' }, async (app) => {
        const { ConversationStore } = await import('../../conversation/store.ts');
        const { askTurn, LOCAL_OWNER } = await import('../../conversation/cli.ts');
        (await import('../../app.ts')).warmLocalModel(app);
        const store = new ConversationStore(app.db);
        const start = async () => (await store.create(LOCAL_OWNER, { collections: opts.collection ?? [] })).id;
        let id = opts.conversation ?? (await start());
        printLine(`Conversation ${id}. /new starts another, /history lists its turns, /quit exits; Ctrl-C stops an answer.`);
        const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY });
        let current: AbortController | undefined;
        const answer = async (question: string) => {
          current = new AbortController();
          let streamed = '';
          try {
            const result = await askTurn(app, id, question, {
              collections: opts.collection,
              signal: current.signal,
              ...(opts.asOf ? { asOf: opts.asOf } : {}),
              onToken: (text) => {
                streamed += text;
                process.stdout.write(text);
              },
            });
            if (streamed) process.stdout.write('\n');
            // The streamed text stands unless the answer became something else: not grounded (not
            // shown), or replaced by the context's own sentences. Citation numbers may be renumbered.
            const kept = streamed !== '' && result.found && withoutMarkers(streamed) === withoutMarkers(result.answer);
            if (streamed && !kept) printLine(result.found ? 'Answer:' : '(that answer cited no passage)');
            printResult(result, false, kept);
          } catch (err) {
            if (streamed) process.stdout.write('\n');
            if (current.signal.aborted) printLine('(stopped)');
            else if (err instanceof KgragError) printLine(`error: ${err.message}`);
            else throw err;
          } finally {
            current = undefined;
          }
        };
        rl.on('SIGINT', () => {
          if (current) current.abort();
          else rl.close();
        });
        rl.setPrompt('> ');
        rl.prompt();
        // Lines are read through the iterator, which keeps those typed (or piped) while an answer runs.
        for await (const input of rl) {
          const line = input.trim();
          if (line === '/quit' || line === '/exit') break;
          if (line === '/new') {
            id = await start();
            printLine(`Conversation ${id}.`);
          } else if (line === '/history') {
            const c = await store.get(LOCAL_OWNER, id);
            for (const [i, t] of (c?.turns ?? []).entries()) printLine(`${i + 1}. ${t.question}${t.standaloneQuestion ? `  (read as: ${t.standaloneQuestion})` : ''}\n   ${t.result.answer.split('\n')[0]}`);
          } else if (line) {
            await answer(line);
          }
          rl.prompt();
        }
        rl.close();
      });
    });
}

function withoutMarkers(text: string): string {
  return text.replace(/\[\s*\d+(?:\s*,\s*\d+)*\s*\]/g, '').replace(/\s+/g, ' ').trim();
}
