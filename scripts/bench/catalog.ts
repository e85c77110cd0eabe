/**
 * Schema-catalog build time on a generated graph of people, organisations and tasks (at scale 1:
 * 100k nodes, 150k relationships), cold, warm and over all collections. The integration test
 * builds the same graph at a tenth of the size and checks what the catalog says, not how fast.
 */
import { randomBytes } from 'node:crypto';
import { buildCatalog, type SchemaCatalog } from '../../src/graph/catalog.ts';
import { quoteName } from '../../src/graph/cypher.ts';
import { int, type GraphExecutor } from '../../src/graph/executor.ts';

export interface CatalogGraph {
  collection: string;
  /** Nodes and relationships created. */
  nodes: number;
  relationships: number;
}

/**
 * Creates, in `collection`, 0.6·N people, 0.1·N organisations and 0.3·N tasks (N = 100k × scale),
 * each person WORKS_FOR an organisation and REPORTS_TO another person, each task ASSIGNED_TO a person.
 */
export async function createCatalogGraph(db: GraphExecutor, collection: string, scale = 1): Promise<CatalogGraph> {
  const n = Math.round(100_000 * scale);
  const [orgs, people, tasks] = [n / 10, (n * 6) / 10, (n * 3) / 10].map(Math.round) as [number, number, number];
  const suffix = randomBytes(4).toString('hex');
  const [pl, ol, tl] = [`PerfPerson${suffix}`, `PerfOrg${suffix}`, `PerfTask${suffix}`].map((l) => quoteName('Kgrag_' + l));
  const P = collection;
  await db.write(
    `UNWIND range(0, $orgs - 1) AS i CREATE (:KgragEntity:${ol} {collection: $P, id: $P + ':o' + i, name: 'Org ' + i, founded: 1900 + i % 120, sector: ['tech', 'retail', 'energy'][i % 3]})`,
    { P, orgs: int(orgs) },
  );
  const batch = 10_000;
  for (let from = 0; from < people; from += batch) {
    await db.write(
      `MATCH (o:${ol}) WHERE o.collection = $P
       WITH collect(o) AS orgs
       UNWIND range($from, $to - 1) AS i
       WITH orgs[i % size(orgs)] AS o, i
       CREATE (p:KgragEntity:${pl} {collection: $P, id: $P + ':p' + i, name: 'Person ' + i, age: 20 + i % 50, hired: date('2000-01-01') + duration({days: i % 8000})})
       CREATE (p)-[:WORKS_FOR {since: 2000 + i % 24}]->(o)`,
      { P, from: int(from), to: int(Math.min(people, from + batch)) },
    );
  }
  await db.write(
    `MATCH (p:${pl}) WHERE p.collection = $P
     WITH collect(p) AS people
     UNWIND range(0, size(people) - 1) AS i
     WITH people, i, people[i] AS p, people[(i * 7919 + 13) % size(people)] AS boss
     CREATE (p)-[:REPORTS_TO]->(boss)
     WITH people, i, p WHERE i < $tasks
     CREATE (t:KgragEntity:${tl} {collection: $P, id: $P + ':t' + i, title: 'Task ' + i, status: ['open', 'done', 'blocked'][i % 3], due: date('2024-01-01') + duration({days: i % 365})})
     CREATE (t)-[:ASSIGNED_TO]->(p)`,
    { P, tasks: int(tasks) },
  );
  return { collection, nodes: orgs + people + tasks, relationships: people * 2 + tasks };
}

/** Deletes the graph in batches: one transaction for 250k deletions is needlessly heavy on a shared database. */
export async function dropCatalogGraph(db: GraphExecutor, collection: string): Promise<void> {
  for (;;) {
    const [row] = await db.write('MATCH (n) WHERE n.collection = $P WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS n', { P: collection });
    if (!row || Number(row.n) === 0) break;
  }
}

export interface CatalogTimings {
  nodes: number;
  relationships: number;
  /** Build time (ms): first build, a second build, and the whole graph (no collection filter). */
  cold: number;
  warm: number;
  all: number;
  warnings: string[];
}

/** Times catalog builds on a fresh generated graph, then removes it. */
export async function measureCatalog(db: GraphExecutor, scale = 1): Promise<CatalogTimings> {
  const collection = `bench-catalog-${randomBytes(4).toString('hex')}`;
  try {
    const graph = await createCatalogGraph(db, collection, scale);
    const time = async (collections?: string[]): Promise<[number, SchemaCatalog]> => {
      const t0 = performance.now();
      const catalog = await buildCatalog(db, collections ? { collections } : {});
      return [Math.round(performance.now() - t0), catalog];
    };
    const [cold, first] = await time([collection]);
    const [warm] = await time([collection]);
    const [all] = await time();
    return { nodes: graph.nodes, relationships: graph.relationships, cold, warm, all, warnings: first.warnings };
  } finally {
    await dropCatalogGraph(db, collection);
  }
}
