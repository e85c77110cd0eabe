import { positiveInt, type CliContext } from '../context.ts';
import { printLine } from '../output.ts';

/** Resolves at SIGINT or SIGTERM, after `close` has finished in-flight work. */
function untilStopped(what: string, close: () => Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      printLine(`${signal}: finishing ${what}…`);
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
      void close().then(resolve);
    };
    const onInt = () => stop('SIGINT');
    const onTerm = () => stop('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
  });
}

export function registerServeCommand({ program, withKgrag }: CliContext): void {
  program
    .command('serve')
    .description('start the HTTP server: REST under /v1, GraphQL at /graphql, the web UI at /, /health and /ready')
    .option('-p, --port <n>', 'port (default KGRAG_API_PORT, 8080; 0 for any free port)', (v) => (v === '0' ? 0 : positiveInt(65535)(v)))
    .option('--host <address>', 'address to listen on (default KGRAG_API_HOST, 127.0.0.1)')
    .option('--no-auth', 'no API keys: for local use only, and then only on 127.0.0.1')
    .option('--no-jobs', 'queue ingest and import jobs but leave running them to `kgrag worker` processes')
    .action(async (opts: { port?: number; host?: string; auth: boolean; jobs: boolean }) => {
      await withKgrag({ embedder: true, schema: true, extractor: true, persistCatalogs: false }, async (app) => {
        const config = { ...app.config.api, ...(opts.auth ? {} : { auth: 'disabled' as const }) };
        const { createApi } = await import('../../api/server.ts');
        const api = await createApi(app, { config, runJobs: opts.jobs });
        const { url } = await api.listen(opts.port ?? config.port, opts.host ?? config.host);
        (await import('../../app.ts')).warmLocalModel(app);
        printLine(`kgrag is serving on ${url} (REST ${url}/v1, GraphQL ${url}/graphql)${config.auth === 'disabled' ? ' without authentication' : ''}${opts.jobs ? '' : '; jobs are left to workers'}`);
        await untilStopped(opts.jobs ? 'in-flight requests and jobs' : 'in-flight requests', () => api.close());
      });
    });

  program
    .command('worker')
    .description('run queued ingest and import jobs (no HTTP server): start several beside `kgrag serve` on one database')
    .action(async () => {
      await withKgrag({ embedder: true, schema: true, extractor: true, persistCatalogs: false }, async (app) => {
        const [{ JobQueue }, { jobRunner }, path] = await Promise.all([import('../../api/jobs/jobs.ts'), import('../../api/jobs/run.ts'), import('node:path')]);
        const logger = app.logger.child({ component: 'worker' });
        // Every server and worker re-reads the schema catalog after this version bump.
        const jobs = new JobQueue(app.db, path.join(app.config.home, 'jobs'), jobRunner(app, () => app.catalogs.invalidate()), logger, {
          maxAttempts: app.config.ingest.maxJobAttempts,
          leaseMs: app.config.ingest.jobLeaseMs,
        });
        await jobs.open();
        printLine(`kgrag worker ${jobs.workerId} is taking jobs from ${app.db.uri}`);
        await untilStopped('the running job', async () => {
          if (!(await jobs.close(app.config.api.shutdownGraceMs))) printLine('the running job was released; another worker resumes it');
        });
      });
    });
}
