import { Command } from 'commander';
import { registerDbCommands } from './commands/db.ts';
import { registerDocumentCommands } from './commands/documents.ts';
import { registerIngestCommand } from './commands/ingest.ts';
import { registerSearchCommand } from './commands/search.ts';
import { createContext } from './context.ts';
import { printError } from './output.ts';

const program = new Command();
program
  .name('kgrag')
  .description('Knowledge-graph RAG over Neo4j: ingest documents and records, search them, and ask questions with citations.')
  .version('0.1.0')
  .showHelpAfterError()
  .option('-v, --verbose', 'log progress details to stderr');

let jsonOutput = false;
const context = createContext(program, (json) => {
  jsonOutput = json;
});
// One module per command group: src/cli/commands/<group>.ts
registerDbCommands(context);
registerIngestCommand(context);
registerSearchCommand(context);
registerDocumentCommands(context);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  printError(err, jsonOutput);
  process.exitCode = 1;
}
