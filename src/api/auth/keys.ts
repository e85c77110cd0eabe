import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { validateReadScope } from '../../domain/ids.ts';
import { ConfigError, InputError, NotFoundError } from '../../errors.ts';
import { ROLES, type Role } from './roles.ts';

/**
 * API keys, stored hashed in one JSON file (`.kgrag/api-keys.json`, mode 0600).
 *
 * Why a file and not bookkeeping nodes in the graph: everything in the graph is reachable by the
 * read paths the API exposes to untrusted callers (schema catalog, typed GraphQL, generated Cypher);
 * keeping credentials out of it means no bug in those paths can ever surface a key hash. Keys
 * belong to a server deployment, not to the data, and a file is what `kgrag keys` can edit while
 * the database is down. The server re-reads the file when it changes, so `kgrag keys revoke`
 * takes effect without a restart. (Several servers on one database share keys by sharing the file.)
 *
 * A key looks like `kgr_<id>_<secret>`: the id finds the record, the secret (32 random bytes) is
 * compared by SHA-256 in constant time. A slow hash adds nothing for 256-bit random secrets.
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

export class KeyStore {
  private cache: { mtimeMs: number; keys: KeyRecord[] } | undefined;

  constructor(readonly file: string) {}

  /** Every key, revoked ones included, re-read when the file changed. */
  async all(): Promise<KeyRecord[]> {
    const info = await stat(this.file).catch(() => undefined);
    if (!info) return [];
    if (this.cache && this.cache.mtimeMs === info.mtimeMs) return this.cache.keys;
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(this.file, 'utf8'));
    } catch (err) {
      throw new ConfigError(`${this.file} is not valid JSON: ${(err as Error).message}`);
    }
    const result = KeyFileSchema.safeParse(parsed);
    if (!result.success) throw new ConfigError(`${this.file} is not a valid key file: ${result.error.issues[0]?.message}`);
    this.cache = { mtimeMs: info.mtimeMs, keys: result.data.keys };
    return result.data.keys;
  }

  async list(): Promise<KeyInfo[]> {
    return (await this.all()).map(info);
  }

  async hasActiveKeys(): Promise<boolean> {
    return (await this.all()).some((k) => !k.revokedAt);
  }

  /** The active key a presented secret belongs to, or undefined. */
  async verify(presented: string): Promise<KeyInfo | undefined> {
    const match = KEY_FORMAT.exec(presented.trim());
    if (!match) return undefined;
    const record = (await this.all()).find((k) => k.id === match[1]);
    if (!record || record.revokedAt) return undefined;
    const expected = Buffer.from(record.hash, 'hex');
    const actual = Buffer.from(sha256(presented.trim()), 'hex');
    return timingSafeEqual(expected, actual) ? info(record) : undefined;
  }

  /** Creates a key; the secret is returned once and never stored. */
  async create(input: { name: string; role: Role; collections: string[] }): Promise<{ key: string; info: KeyInfo }> {
    const collections = validateKeyCollections(input.collections);
    if (!ROLES.includes(input.role)) throw new InputError(`role must be one of ${ROLES.join(', ')}`);
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
    await this.save([...(await this.all()), record]);
    return { key, info: info(record) };
  }

  async revoke(id: string): Promise<KeyInfo> {
    const keys = await this.all();
    const record = keys.find((k) => k.id === id && !k.revokedAt);
    if (!record) throw new NotFoundError(`No active key ${id}`);
    const revoked = { ...record, revokedAt: new Date().toISOString() };
    await this.save(keys.map((k) => (k === record ? revoked : k)));
    return info(revoked);
  }

  /** Atomic replace (write then rename), readable by the owner only. */
  private async save(keys: KeyRecord[]): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(tmp, JSON.stringify({ version: 1, keys }, null, 2) + '\n', { mode: 0o600 });
    await rename(tmp, this.file);
    this.cache = undefined;
  }
}
