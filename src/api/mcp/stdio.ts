import path from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { Kgrag } from '../../app.ts';
import { AuthError } from '../../errors.ts';
import { KeyStore } from '../auth/keys.ts';
import { LOCAL_PRINCIPAL, type Principal } from '../auth/principal.ts';
import { JobQueue } from '../jobs/jobs.ts';
import { jobRunner } from '../jobs/run.ts';
import { createMcpServer } from './server.ts';

/**
 * MCP over stdio for one client process. Without a key the local user owns the database, as with
 * every CLI command; with one (KGRAG_API_KEY or --key) the session has exactly that key's role and
 * collections. Resolves when the client closes the connection.
 */
export async function serveMcpStdio(app: Kgrag, opts: { key?: string | undefined } = {}): Promise<void> {
  const keys = new KeyStore(app.db, { legacyFile: app.config.api.keysFile, logger: app.logger });
  const principal = opts.key ? await principalOfKey(keys, opts.key) : LOCAL_PRINCIPAL;
  const logger = app.logger.child({ component: 'mcp' });
  const onWrite = () => app.catalogs.invalidate();
  // Jobs go to the shared queue and their inputs to the shared folder (a server's worker may take
  // them); this process works on jobs too, so that a session alone still gets its ingests done.
  const jobs = new JobQueue(app.db, path.join(app.config.home, 'jobs'), jobRunner(app, onWrite), logger, {
    maxAttempts: app.config.ingest.maxJobAttempts,
    leaseMs: app.config.ingest.jobLeaseMs,
  });
  await jobs.open();
  const server = createMcpServer({ app, jobs, keys, onWrite, logger }, principal);
  const transport = new StdioServerTransport();
  try {
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
      process.stdin.once('end', () => resolve());
    });
    await server.connect(transport);
    logger.info({ key: principal.keyId, role: principal.role }, 'MCP server on stdio');
    await closed;
  } finally {
    await server.close();
    await jobs.close(app.config.api.shutdownGraceMs);
  }
}

async function principalOfKey(keys: KeyStore, secret: string): Promise<Principal> {
  const key = await keys.verify(secret);
  if (!key) throw new AuthError('The API key is unknown or revoked.');
  return { keyId: key.id, role: key.role, collections: key.collections };
}
