import { positiveInt, type CliContext } from '../context.ts';
import { printLine } from '../output.ts';

export function registerServeCommand({ program, withKgrag }: CliContext): void {
  program
    .command('serve')
    .description('start the HTTP server: REST under /v1, GraphQL at /graphql, the web UI at /, /health and /ready')
    .option('-p, --port <n>', 'port (default KGRAG_API_PORT, 8080; 0 for any free port)', (v) => (v === '0' ? 0 : positiveInt(65535)(v)))
    .option('--host <address>', 'address to listen on (default KGRAG_API_HOST, 127.0.0.1)')
    .option('--no-auth', 'no API keys: for local use only, and then only on 127.0.0.1')
    .action(async (opts: { port?: number; host?: string; auth: boolean }) => {
      await withKgrag({ embedder: true, schema: true, extractor: true }, async (app) => {
        const config = { ...app.config.api, ...(opts.auth ? {} : { auth: 'disabled' as const }) };
        const { createApi } = await import('../../api/server.ts');
        const api = await createApi(app, { config });
        const { url } = await api.listen(opts.port ?? config.port, opts.host ?? config.host);
        printLine(`kgrag is serving on ${url} (REST ${url}/v1, GraphQL ${url}/graphql)${config.auth === 'disabled' ? ' without authentication' : ''}`);
        await new Promise<void>((resolve) => {
          const stop = (signal: string) => {
            printLine(`${signal}: finishing in-flight requests and jobs…`);
            process.off('SIGINT', onInt);
            process.off('SIGTERM', onTerm);
            void api.close().then(resolve);
          };
          const onInt = () => stop('SIGINT');
          const onTerm = () => stop('SIGTERM');
          process.on('SIGINT', onInt);
          process.on('SIGTERM', onTerm);
        });
      });
    });
}
