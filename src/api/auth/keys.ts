import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, rename } from 'node:fs/promises';
import { z } from 'zod';
import { validateReadScope } from '../../domain/ids.ts';
import { ConfigError, InputError, NotFoundError } from '../../errors.ts';
import { cypher } from '../../graph/cypher.ts';
import type { GraphExecutor } from '../../graph/executor.ts';
import { applySystemSchema } from '../../graph/schema.ts';
import type { Logger } from '../../logging.ts';
import { ROLES, type Role } from './roles.ts';

/**
 * API keys, stored hashed in the database as bookkeeping nodes (`_KgragKey`, collection
 * `@system`), so that every server on one Neo4j knows the same keys: a key created on one works on
 * all, a revocation holds everywhere within KEY_CACHE_MS. The `@system` scope keeps them out of
 * every read path the API exposes (no key can be granted it; the schema catalog skips `_Kgrag`
 * labels), so generated Cypher, GraphQL and schema listings never see a hash.
 *
 * A key looks like `kgr_<id>_<secret>`: the id finds the record, the secret (32 random bytes) is
 * compared by SHA-256 in constant time. A slow hash adds nothing for 256-bit random secrets.
 * Keys of an older key file (`.kgrag/api-keys.json`) are imported once; the file is then renamed.
 */
export { ROLES, type Role };
/** `*` grants every collection, present and future, and the graph kgrag did not build (`@graph`). */
export const ALL_COLLECTIONS = '*';

const KeyRecordSchema = z.object({
  id: z.string().regex(/^[a-f0-9]{12}$/),
  name: z.string().max(200),
  role: z.enum(ROLES),
  collections: z.array(z.string()).min(1),
  hash: z.string().regex(/^[a-f0-9]{64}$/),
  createdAt: z.string(),
  revokedAt: z.string().optional(),
});
const KeyFileSchema = z.object({ version: z.literal(1), keys: z.array(KeyRecordSchema) });

export type KeyRecord = z.infer<typeof KeyRecordSchema>;
/** What callers see of a key: never its hash. */
export type KeyInfo = Omit<KeyRecord, 'hash'>;

const KEY_FORMAT = /^kgr_([a-f0-9]{12})_([A-Za-z0-9_-]{43})$/;

/** A key node's properties (a missing one reads as null) as a record. */
function parseKey(value: unknown): KeyRecord {
  return KeyRecordSchema.parse(Object.fromEntries(Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== null)));
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function info({ hash: _hash, ...rest }: KeyRecord): KeyInfo {
  return rest;
}

export function validateKeyCollections(collections: string[]): string[] {
  if (collections.length === 0) throw new InputError('A key needs at least one collection (or * for all)');
  return [...new Set(collections.map((c) => (c === ALL_COLLECTIONS ? c : validateReadScope(c))))];
}

/** How long a server trusts what it read of a key: the delay before a revocation elsewhere holds. */
export const KEY_CACHE_MS = 2000;

export class KeyStore {
  private readonly cache = new Map<string, { at: number; record: KeyRecord | undefined }>();
  private ready: Promise<void> | undefined;

  constructor(
    private readonly db: GraphExecutor,
    private readonly opts: { legacyFile?: string; logger?: Logger; cacheMs?: number } = {},
  ) {}

  /** Where keys live, for messages. */
  get location(): string {
    return `the database at ${this.db.uri}`;
  }

  /** Every key, revoked ones included. */
  async all(): Promise<KeyRecord[]> {
    await this.open();
    return (await this.db.read(cypher('keys/list'))).map((row) => parseKey(row.key));
  }

  async list(): Promise<KeyInfo[]> {
    return (await this.all()).map(info);
  }

  async hasActiveKeys(): Promise<boolean> {
    await this.open();
    const [row] = await this.db.read(cypher('keys/any-active'));
    return row?.any === true;
  }

  /** The active key a presented secret belongs to, or undefined. */
  async verify(presented: string): Promise<KeyInfo | undefined> {
    const match = KEY_FORMAT.exec(presented.trim());
    if (!match) return undefined;
    const record = await this.get(match[1]!);
    if (!record || record.revokedAt) return undefined;
    const expected = Buffer.from(record.hash, 'hex');
    const actual = Buffer.from(sha256(presented.trim()), 'hex');
    return timingSafeEqual(expected, actual) ? info(record) : undefined;
  }

  /** Creates a key; the secret is returned once and never stored. */
  async create(input: { name: string; role: Role; collections: string[] }): Promise<{ key: string; info: KeyInfo }> {
    const collections = validateKeyCollections(input.collections);
    if (!ROLES.includes(input.role)) throw new InputError(`role must be one of ${ROLES.join(', ')}`);
    await this.open();
    const id = randomBytes(6).toString('hex');
    const key = `kgr_${id}_${randomBytes(32).toString('base64url')}`;
    const record: KeyRecord = {
      id,
      name: input.name.slice(0, 200),
      role: input.role,
      collections,
      hash: sha256(key),
      createdAt: new Date().toISOString(),
    };
    await this.db.write(cypher('keys/create'), { key: record });
    this.cache.delete(id);
    return { key, info: info(record) };
  }

  async revoke(id: string): Promise<KeyInfo> {
    await this.open();
    const [row] = await this.db.write(cypher('keys/revoke'), { id, at: new Date().toISOString() });
    this.cache.delete(id);
    if (!row) throw new NotFoundError(`No active key ${id}`);
    return info(parseKey(row.key));
  }

  /** One key by id, cached for a moment: authentication must not cost a query per request under load. */
  private async get(id: string): Promise<KeyRecord | undefined> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < (this.opts.cacheMs ?? KEY_CACHE_MS)) return hit.record;
    await this.open();
    const [row] = await this.db.read(cypher('keys/get'), { id });
    const record = row ? parseKey(row.key) : undefined;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(id, { at: Date.now(), record });
    return record;
  }

  /** Constraints, then the one-time import of a legacy key file. */
  private open(): Promise<void> {
    this.ready ??= (async () => {
      await applySystemSchema(this.db);
      await this.importLegacy();
    })();
    this.ready.catch(() => {
      this.ready = undefined;
    });
    return this.ready;
  }

  private async importLegacy(): Promise<void> {
    const file = this.opts.legacyFile;
    if (!file) return;
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return;
    }
    let parsed;
    try {
      parsed = KeyFileSchema.safeParse(JSON.parse(text));
    } catch (err) {
      throw new ConfigError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (!parsed.success) throw new ConfigError(`${file} is not a valid key file: ${parsed.error.issues[0]?.message}`);
    const keys = parsed.data.keys.map(({ revokedAt, ...k }) => (revokedAt ? { ...k, revokedAt } : k));
    await this.db.write(cypher('keys/import'), { keys });
    // Renamed, not deleted: the hashes stay recoverable, and the import never runs twice.
    await rename(file, `${file}.imported`);
    this.opts.logger?.info({ file, keys: keys.length }, 'API keys imported into the database');
  }
}
