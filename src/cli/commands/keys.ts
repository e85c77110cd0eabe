import { Option } from 'commander';
import { ROLES, type Role } from '../../api/auth/roles.ts';
import type { CliContext } from '../context.ts';
import { printJson, printLine, table } from '../output.ts';

/** API keys for `kgrag serve`. Works on the key file directly: no database needed. */
export function registerKeysCommands({ program, setJson }: CliContext): void {
  const keys = program.command('keys').description('manage API keys of the HTTP server (stored hashed in .kgrag/api-keys.json)');
  const store = async () => {
    const [{ KeyStore }, { loadConfig }] = await Promise.all([import('../../api/auth/keys.ts'), import('../../config/index.ts')]);
    return new KeyStore(loadConfig().api.keysFile);
  };

  keys
    .command('create')
    .description('create a key; its secret is printed once')
    .requiredOption('--name <name>', 'who or what the key is for')
    .addOption(new Option('--role <role>', 'reader: query; editor: also ingest and delete; admin: also manage keys').choices([...ROLES]).default('reader'))
    .requiredOption('-c, --collection <name>', "collection the key may see (repeatable; '*' for all)", (v: string, prev: string[] = []) => [...prev, v])
    .option('--json', 'print as JSON')
    .action(async (opts: { name: string; role: Role; collection: string[]; json?: boolean }) => {
      setJson(opts.json);
      const { key, info } = await (await store()).create({ name: opts.name, role: opts.role, collections: opts.collection });
      if (opts.json) printJson({ key, ...info });
      else printLine(`${key}\n\nKey ${info.id} (${info.role}; ${info.collections.join(', ')}). Keep the secret above: it is not stored and cannot be shown again.`);
    });

  keys
    .command('list')
    .description('list keys (never their secrets)')
    .option('--json', 'print as JSON')
    .action(async (opts: { json?: boolean }) => {
      setJson(opts.json);
      const list = await (await store()).list();
      if (opts.json) printJson({ keys: list });
      else if (list.length === 0) printLine('No keys.');
      else printLine(table(list.map((k) => ({ ...k, collections: k.collections.join(','), revokedAt: k.revokedAt ?? '' })), ['id', 'name', 'role', 'collections', 'createdAt', 'revokedAt']));
    });

  keys
    .command('revoke')
    .description('revoke a key; a running server refuses it from its next request on')
    .argument('<id>', 'key id (as listed)')
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { json?: boolean }) => {
      setJson(opts.json);
      const info = await (await store()).revoke(id);
      if (opts.json) printJson(info);
      else printLine(`Revoked key ${info.id} (${info.name}).`);
    });
}
