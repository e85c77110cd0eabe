import { cypher } from './cypher.ts';
import type { GraphExecutor } from './executor.ts';

export interface ServerFeatures {
  /** The kernel version, e.g. "5.26.19" or "2026.08.1". */
  version: string;
  /**
   * Vector search that filters by a property stored in the index (Cypher 25 `SEARCH … WHERE`,
   * the filter property declared with `WITH [n.prop]`): Neo4j 2026.01 and later.
   */
  vectorFilter: boolean;
}

const known = new WeakMap<GraphExecutor, Promise<ServerFeatures>>();

/** What the server behind `db` supports, asked once per connection. */
export function serverFeatures(db: GraphExecutor): Promise<ServerFeatures> {
  let features = known.get(db);
  if (!features) {
    features = (async () => {
      const rows = await db.read(cypher('system/server-version'));
      const kernel = rows.find((r) => r.name === 'Neo4j Kernel');
      const version = String((kernel?.versions as string[] | undefined)?.[0] ?? '');
      const cypherVersions = ((rows.find((r) => r.name === 'Cypher')?.versions as string[] | undefined) ?? []).map(String);
      return { version, vectorFilter: cypherVersions.includes('25') && calendarVersion(version) >= 202601 };
    })();
    features.catch(() => known.delete(db));
    known.set(db, features);
  }
  return features;
}

/** 2026.08.1 → 202608; 5.26.19 (and anything else) → 0. Aura's "2026.01-aura" counts too. */
function calendarVersion(version: string): number {
  const m = /^(\d{4})\.(\d{2})/.exec(version);
  return m ? Number(m[1]) * 100 + Number(m[2]) : 0;
}

/**
 * Whether searches filter inside the shared index where the server can (2026.01+) instead of
 * using the collections' own indexes. Measured on 2026.08.1 (README, *Benchmarks*): the own
 * indexes answered as fast or faster in 6 of 8 cases, and 1.2–1.5× faster at p50 for the
 * smallest collection (the case isolation is for); the filter won only for a collection holding
 * half of 100k chunks. So not yet: both stay built and measured (scripts/bench/isolation.ts).
 */
export const PREFER_INDEX_FILTER = false;

const filterOnline = new WeakSet<GraphExecutor>();

/**
 * The shared `chunk_embedding` index's collection filter on this connection: `declared` when the
 * server filters in the index and the index stores `collection` (applySchema creates it so on
 * 2026.01+; one created by an earlier kgrag or on 5.26 does not, until applySchema recreates
 * it), `online` once it can be searched. Only the final state is remembered, so that a server
 * never pays a look-up per search: 5.26 answers from serverFeatures, 2026.01+ once online.
 */
export async function collectionFilterIndex(db: GraphExecutor): Promise<{ declared: boolean; online: boolean }> {
  if (filterOnline.has(db)) return { declared: true, online: true };
  if (!(await serverFeatures(db)).vectorFilter) return { declared: false, online: false };
  const [index] = await db.read(cypher('schema/show-vector-index'));
  const declared = ((index?.properties as string[] | undefined) ?? []).includes('collection');
  const online = declared && index?.state === 'ONLINE';
  if (online) filterOnline.add(db);
  return { declared, online };
}
