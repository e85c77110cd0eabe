import type { CliContext } from '../context.ts';
import { printJson, printLine } from '../output.ts';

async function load() {
  const [{ loadConfig }, local] = await Promise.all([import('../../config/index.ts'), import('../../db/local.ts')]);
  return { config: loadConfig(), local };
}

export function registerDbCommands({ program, withKgrag, logger, setJson }: CliContext): void {
  const db = program.command('db').description('manage the local Neo4j database');
  db.command('start')
    .description('start the local Neo4j (fetching it on first run), apply the schema and wait until indexes are online')
    .option('--json', 'print the status as JSON')
    .action(async (opts: { json?: boolean }) => {
      setJson(opts.json);
      const { config, local } = await load();
      const status = config.neo4j.managed
        ? await local.startLocalDb(config, await logger(), { onProgress: (m: string) => opts.json || process.stderr.write(m + '\n') })
        : null;
      await withKgrag({ schema: true, embedder: true }, async () => undefined);
      if (opts.json) printJson(status ?? { running: true, managed: false, boltUrl: config.neo4j.uri });
      else if (status) printLine(`Neo4j ${status.version} is running at ${status.boltUrl} (pid ${status.pid}); schema applied, indexes online.`);
      else printLine(`Using Neo4j at ${config.neo4j.uri} (not managed by kgrag); schema applied, indexes online.`);
    });
  db.command('stop')
    .description('stop the local Neo4j')
    .action(async () => {
      const { config, local } = await load();
      await local.stopLocalDb(config, await logger());
      printLine('Neo4j stopped.');
    });
  db.command('status')
    .description('show whether the local Neo4j is running (exit code 3 when it is not)')
    .option('--json', 'print the status as JSON')
    .action(async (opts: { json?: boolean }) => {
      setJson(opts.json);
      const { config, local } = await load();
      if (!config.neo4j.managed) {
        if (opts.json) printJson({ managed: false, boltUrl: config.neo4j.uri });
        else printLine(`NEO4J_URI points at ${config.neo4j.uri}; kgrag does not manage that database.`);
        return;
      }
      const status = await local.localDbStatus(config);
      if (opts.json) printJson(status);
      else printLine(status.running ? `running at ${status.boltUrl} (pid ${status.pid})` : 'not running');
      if (!status.running) process.exitCode = 3;
    });
}
