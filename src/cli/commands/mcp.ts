import type { CliContext } from '../context.ts';

export function registerMcpCommand({ program, withKgrag }: CliContext): void {
  program
    .command('mcp')
    .description('serve the Model Context Protocol over stdio (for Claude Desktop, IDE assistants and agent frameworks)')
    .option('--key <secret>', "act with this API key's role and collections (default KGRAG_API_KEY; none: the local user, all collections)")
    .action(async (opts: { key?: string }) => {
      const key = opts.key ?? process.env.KGRAG_API_KEY;
      // Loaded only for this command: the MCP SDK is not needed by the others.
      const { serveMcpStdio } = await import('../../api/mcp/stdio.ts');
      await withKgrag({ embedder: true, schema: true, extractor: true, persistCatalogs: false }, (app) => serveMcpStdio(app, { key }));
    });
}
