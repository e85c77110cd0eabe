import { Option } from 'commander';
import { ROLES, type Role } from '../../api/auth/roles.ts';
import type { KeyStore } from '../../api/auth/keys.ts';
import type { CliContext } from '../context.ts';
import { printJson, printLine, table } from '../output.ts';

/** API keys for `kgrag serve`, kept hashed in the database: every server on it shares them. */
export function registerKeysCommands({ program, setJson, withKgrag }: CliContext): void {
  const keys = program.command('keys').description('manage API keys of the HTTP servers (stored hashed in the database)');
  const withStore = <T>(run: (store: KeyStore) => Promise<T>) =>
    withKgrag({}, async (app) => {
      const { KeyStore } = await import('../../api/auth/keys.ts');
      return run(new KeyStore(app.db, { legacyFile: app.config.api.keysFile, logger: app.logger }));
    });

  keys
    .command('create')
    .description('create a key; its secret is printed once')
    .requiredOption('--name <name>', 'who or what the key is for')
    .addOption(new Option('--role <role>', 'reader: query; editor: also ingest and delete; admin: also manage keys').choices([...ROLES]).default('reader'))
    .requiredOption('-c, --collection <name>', "collection the key may see (repeatable; '*' for all)", (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print as JSON')
    .action(async (opts: { name: string; role: Role; collection: string[]; json?: boolean }) => {
      setJson(opts.json);
      const { key, info } = await withStore((store) => store.create({ name: opts.name, role: opts.role, collections: opts.collection }));
      if (opts.json) printJson({ key, ...info });
      else printLine(`${key}\n\nKey ${info.id} (${info.role}; ${info.collections.join(', ')}). Keep the secret above: it is not stored and cannot be shown again.`);
    });

  keys
    .command('list')
    .description('list keys (never their secrets)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      setJson(opts.json);
      const list = await withStore((store) => store.list());
      if (opts.json) printJson({ keys: list });
      else if (list.length === 0) printLine('No keys.');
      else printLine(table(list.map((k) => ({ ...k, collections: k.collections.join(','), revokedAt: k.revokedAt ?? '' })), ['id', 'name', 'role', 'collections', 'createdAt', 'revokedAt']));
    });

  keys
    .command('revoke')
    .description('revoke a key; every server refuses it within seconds')
    .argument('<id>', 'key id (as listed)')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      setJson(opts.json);
      const info = await withStore((store) => store.revoke(id));
      if (opts.json) printJson(info);
      else printLine(`Revoked key ${info.id} (${info.name}).`);
    });
}
