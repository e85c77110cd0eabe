import type { Kgrag } from '../../app.ts';
import { validateCollection, validateReadScope } from '../../domain/ids.ts';
import { ForbiddenError } from '../../errors.ts';
import { listCollections } from '../../graph/documents.ts';
import { ALL_COLLECTIONS, roleAtLeast, type Role } from './keys.ts';

/** Who is calling: the API key's id, role and the collections it may see. */
export interface Principal {
  keyId: string;
  role: Role;
  /** Named collections, or `*` for all. */
  collections: string[];
}

/** The caller when authentication is disabled for local use: the local user owns everything. */
export const LOCAL_PRINCIPAL: Principal = { keyId: 'local', role: 'admin', collections: [ALL_COLLECTIONS] };

export function requireRole(principal: Principal, needed: Role): void {
  if (!roleAtLeast(principal.role, needed)) {
    throw new ForbiddenError(`This needs the ${needed} role; the API key has ${principal.role}.`);
  }
}

function grantsAll(principal: Principal): boolean {
  return principal.collections.includes(ALL_COLLECTIONS);
}

export function mayAccess(principal: Principal, collection: string): boolean {
  return grantsAll(principal) || principal.collections.includes(collection);
}

/**
 * The collections a read runs over: the requested ones, each of which the key must grant, or
 * else every collection the key grants. A collection the key does not grant is refused whether
 * or not it exists, so the answer says nothing about other collections.
 */
export async function readScope(app: Kgrag, principal: Principal, requested: string[] | undefined): Promise<string[]> {
  if (requested && requested.length > 0) {
    const names = [...new Set(requested.map(validateReadScope))];
    for (const name of names) {
      if (!mayAccess(principal, name)) throw new ForbiddenError(`The API key does not grant collection "${name}".`);
    }
    return names;
  }
  if (grantsAll(principal)) return listCollections(app.db);
  return principal.collections;
}

/** The collection a write goes to: must be named and granted, and the key must be an editor. */
export function writeScope(principal: Principal, collection: string | undefined, configDefault: string): string {
  requireRole(principal, 'editor');
  // Without a name: the key's only collection, else the configured default.
  const fallback = !grantsAll(principal) && principal.collections.length === 1 ? principal.collections[0]! : configDefault;
  const name = validateCollection(collection ?? fallback);
  if (!mayAccess(principal, name)) throw new ForbiddenError(`The API key does not grant collection "${name}".`);
  return name;
}
