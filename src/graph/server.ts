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
