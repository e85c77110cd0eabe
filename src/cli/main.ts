import { Command } from 'commander';
import { registerAskCommand } from './commands/ask.ts';
import { registerChatCommand } from './commands/chat.ts';
import { registerCommunitiesCommand } from './commands/communities.ts';
import { registerDbCommands } from './commands/db.ts';
import { registerDocumentCommands } from './commands/documents.ts';
import { registerEntityCommands } from './commands/entities.ts';
import { registerImportCommand } from './commands/import.ts';
import { registerIngestCommand } from './commands/ingest.ts';
import { registerSchemaCommand } from './commands/schema.ts';
import { registerSearchCommand } from './commands/search.ts';
import { registerKeysCommands } from './commands/keys.ts';
import { registerMcpCommand } from './commands/mcp.ts';
import { registerReembedCommand } from './commands/reembed.ts';
import { registerServeCommand } from './commands/serve.ts';
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
registerImportCommand(context);
registerSearchCommand(context);
registerAskCommand(context);
registerChatCommand(context);
registerDocumentCommands(context);
registerEntityCommands(context);
registerSchemaCommand(context);
registerReembedCommand(context);
registerCommunitiesCommand(context);
registerServeCommand(context);
registerKeysCommands(context);
registerMcpCommand(context);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  printError(err, jsonOutput);
  process.exitCode = 1;
}
