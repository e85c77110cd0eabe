import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from '../logging.ts';
import type { SchemaCatalog } from './catalog.ts';

/**
 * Schema catalogs kept on disk between processes (the CLI: one process per command), so that a
 * question does not pay for a dozen introspection statements when nothing was written since.
 *
 * A file serves only the same database (address, name, user), the same collection scope and the
 * same stamp: the server's bookmark of the read that preceded the build, which changes with every
 * committed write by anyone (kgrag, another tool, cypher-shell). Anything else — another scope, a
 * newer stamp, a file that does not parse or lacks a catalog's shape — is ignored and replaced.
 * One file per database and scope (the newest build wins), written to a temporary name and renamed,
 * so a reader never sees half a file; readable by the owner only (it holds example values).
 */
export interface StoredCatalogKey {
  identity: { uri: string; database: string; user: string };
  /** The sorted collection set, or null for the whole graph. */
  scope: string[] | null;
  stamp: string;
}

interface StoredCatalog extends StoredCatalogKey {
  catalog: SchemaCatalog;
}

export class CatalogStore {
  constructor(
    private readonly dir: string,
    private readonly logger?: Logger,
  ) {}

  /** The stored catalog for exactly this key, or undefined (missing, stale, other scope, corrupt). */
  async load(key: StoredCatalogKey): Promise<SchemaCatalog | undefined> {
    let text: string;
    try {
      text = await readFile(this.file(key), 'utf8');
    } catch {
      return undefined;
    }
    try {
      const stored = JSON.parse(text) as Partial<StoredCatalog>;
      if (sameKey(stored, key) && isCatalog(stored.catalog) && JSON.stringify(stored.catalog.collections) === JSON.stringify(key.scope)) {
        return stored.catalog;
      }
      this.logger?.debug({ file: this.file(key) }, 'stored schema catalog is stale: rebuilding');
    } catch (err) {
      this.logger?.debug({ file: this.file(key), err: (err as Error).message }, 'stored schema catalog unreadable: rebuilding');
    }
    return undefined;
  }

  /** Saves a catalog built after the read that gave `key.stamp`; failures only cost the next process a build. */
  async save(key: StoredCatalogKey, catalog: SchemaCatalog): Promise<void> {
    const file = this.file(key);
    try {
      await writeCacheFile(file, JSON.stringify({ ...key, catalog } satisfies StoredCatalog));
    } catch (err) {
      this.logger?.debug({ file, err: (err as Error).message }, 'schema catalog not saved');
    }
  }

  /** `catalog-<database>-<scope>.json`, both parts hashed: names and collections may hold any character. */
  file(key: Pick<StoredCatalogKey, 'identity' | 'scope'>): string {
    const { uri, database, user } = key.identity;
    return path.join(this.dir, `catalog-${digest([uri, database, user])}-${digest(key.scope)}.json`);
  }
}

/**
 * Writes a cache file readable by its owner only, under a temporary name renamed into place: a
 * concurrent reader sees the old file or the new one, never half of one.
 */
export async function writeCacheFile(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(tmp, text, { mode: 0o600 });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => undefined);
    throw err;
  }
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

function sameKey(stored: Partial<StoredCatalog>, key: StoredCatalogKey): boolean {
  return JSON.stringify([stored.identity, stored.scope, stored.stamp]) === JSON.stringify([key.identity, key.scope, key.stamp]);
}

function isCatalog(value: unknown): value is SchemaCatalog {
  const c = value as Partial<SchemaCatalog> | undefined;
  return (
    typeof c === 'object' && c !== null &&
    Array.isArray(c.labels) && Array.isArray(c.relationships) && Array.isArray(c.warnings) &&
    typeof c.internal === 'object' && c.internal !== null &&
    Array.isArray(c.internal.labels) && Array.isArray(c.internal.relationships)
  );
}
