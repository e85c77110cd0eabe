import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
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
 * Every scope asked about leaves a file, so the folder keeps the MAX_FILES used most recently.
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

/** Catalog files kept: one per database and collection scope asked about recently. */
export const MAX_FILES = 64;
/** A temporary file this old was left by a writer that died before renaming it. */
const STALE_TMP_MS = 60 * 60 * 1000;

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
        // Marks it used: pruning keeps the files used most recently, not the ones built most recently.
        const now = new Date();
        await utimes(this.file(key), now, now).catch(() => undefined);
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
      await this.prune();
    } catch (err) {
      this.logger?.debug({ file, err: (err as Error).message }, 'schema catalog not saved');
    }
  }

  /** Removes all but the MAX_FILES catalogs used most recently, and temporary files writers left behind. */
  private async prune(): Promise<void> {
    const names = await readdir(this.dir);
    const now = Date.now();
    const files = await Promise.all(
      names
        .filter((n) => n.startsWith('catalog-'))
        .map(async (name) => ({ name, mtime: (await stat(path.join(this.dir, name)).catch(() => undefined))?.mtimeMs })),
    );
    const catalogs = files.filter((f) => f.mtime !== undefined && f.name.endsWith('.json')).sort((a, b) => b.mtime! - a.mtime!);
    const leftovers = files.filter((f) => f.mtime !== undefined && f.name.endsWith('.tmp') && now - f.mtime > STALE_TMP_MS);
    // A concurrent process may remove the same file first: that is fine.
    await Promise.all([...catalogs.slice(MAX_FILES), ...leftovers].map((f) => rm(path.join(this.dir, f.name), { force: true })));
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
