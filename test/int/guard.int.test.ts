import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { GraphError, UnsafeQueryError } from '../../src/errors.ts';
import { quoteName } from '../../src/graph/cypher.ts';
import { GraphExecutor, type Params } from '../../src/graph/executor.ts';
import { silentLogger } from '../../src/logging.ts';
import { checkPlan, runReadOnly, scopeToCollections, type GuardOptions } from '../../src/planner/guard.ts';
import { uniqueCollection } from '../helpers.ts';

// The database is shared: this file's data lives in its own two collections (one of them holding
// a secret that scoped queries must never return), and write attempts target a label of its own.

const hex = randomBytes(4).toString('hex');
const A = uniqueCollection('guard');
const B = uniqueCollection('guard-secret');
const SECRET = `TOPSECRET-${hex}`;
const PROBE = `GuardProbe${hex}`;
const PROBE_KEY = `guardProbe${hex}`;
const INJECTION = "x' OR 1=1 //";

let db: GraphExecutor;

const guard = (o: Partial<GuardOptions> = {}): GuardOptions => ({ collections: [A], limit: 50, timeoutMs: 10_000, ...o });

async function snapshot(): Promise<string> {
  const nodes = await db.read(
    'MATCH (n) WHERE n.collection IN $c RETURN labels(n) AS l, properties(n) AS p ORDER BY n.collection, n.name',
    { c: [A, B] },
  );
  const rels = await db.read('MATCH (a)-[r]->(b) WHERE a.collection IN $c RETURN type(r) AS t, a.name AS a, b.name AS b ORDER BY a, b', { c: [A, B] });
  const probes = await db.read(`MATCH (n:${quoteName(PROBE)}) RETURN count(n) AS c`);
  const keys = await db.read('CALL db.propertyKeys() YIELD propertyKey WHERE propertyKey = $k RETURN count(*) AS c', { k: PROBE_KEY });
  return JSON.stringify({ nodes, rels, probes, keys });
}

/** Scopes untrusted Cypher to `collections` and runs it under the guard. */
async function untrusted(query: string, collections: string[], params: Params = {}, opts: Partial<GuardOptions> = {}) {
  return runReadOnly(db, scopeToCollections(query), params, guard({ collections, ...opts }));
}

beforeAll(async () => {
  db = await GraphExecutor.connect(loadConfig().neo4j, silentLogger());
  await db.write(
    `UNWIND range(1, 30) AS i
     CREATE (:Person {collection: $a, name: 'Person ' + right('0' + toString(i), 2), age: 20 + i})`,
    { a: A },
  );
  await db.write(
    `MATCH (p:Person {collection: $a, name: 'Person 01'})
     CREATE (p)-[:WORKS_ON]->(:Project {collection: $a, name: 'Apollo'}),
            (:Person {collection: $a, name: $injection, age: 99})`,
    { a: A, injection: INJECTION },
  );
  await db.write(
    `CREATE (:Secret {collection: $b, name: $secret, secret: $secret}),
            (:Person {collection: $b, name: $secret, age: 1})-[:WORKS_ON]->(:Project {collection: $b, name: $secret})`,
    { b: B, secret: SECRET },
  );
});

afterAll(async () => {
  await db.write('MATCH (n) WHERE n.collection IN $c DETACH DELETE n', { c: [A, B] });
  await db.write(`MATCH (n:${quoteName(PROBE)}) DETACH DELETE n`);
  await db.close();
});

describe('runReadOnly: reads', () => {
  const people = 'MATCH (p:Person) WHERE p.collection IN $collections RETURN p.name AS name ORDER BY name';

  it('returns rows of the caller\'s collections, capped at the limit with truncated set', async () => {
    const capped = await runReadOnly(db, people, {}, guard({ limit: 10 }));
    expect(capped.rows.map((r) => r.name)).toEqual(Array.from({ length: 10 }, (_, i) => `Person ${String(i + 1).padStart(2, '0')}`));
    expect(capped.truncated).toBe(true);
    expect(capped.query).toMatch(/LIMIT 11$/);

    const all = await runReadOnly(db, people, {}, guard({ limit: 31 }));
    expect(all.rows).toHaveLength(31);
    expect(all.truncated).toBe(false);
  });

  it('keeps a smaller LIMIT of the query, and caps a UNION as a whole', async () => {
    const own = await runReadOnly(db, `${people} LIMIT 3`, {}, guard({ limit: 10 }));
    expect(own.rows).toHaveLength(3);
    expect(own.truncated).toBe(false);
    const union = await runReadOnly(db, `${people} UNION ALL ${people}`, {}, guard({ limit: 40 }));
    expect(union.rows).toHaveLength(40);
    expect(union.truncated).toBe(true);
  });

  it('applies the caller\'s collections even when the params name others', async () => {
    const result = await runReadOnly(db, people, { collections: [B] }, guard({ limit: 100 }));
    expect(result.params.collections).toEqual([A]);
    expect(JSON.stringify(result.rows)).not.toContain(SECRET);
    expect(result.rows).toHaveLength(31);
  });

  it('refuses a query that reads the graph without the collections parameter', async () => {
    await expect(runReadOnly(db, 'MATCH (s:Secret) RETURN s.secret AS v', {}, guard())).rejects.toThrow(/collections/);
    // A graph without collections (collections: null) is read as it is.
    const open = await runReadOnly(db, 'MATCH (s:Secret {secret: $s}) RETURN s.secret AS v', { s: SECRET }, guard({ collections: null }));
    expect(open.rows).toEqual([{ v: SECRET }]);
  });

  it('lets variables, properties, labels and map keys share names with refused keywords', async () => {
    const q =
      "MATCH (p:Person) WHERE p.collection IN $collections AND p.name = 'Person 02' " +
      'WITH p.age AS start, p.age + 1 AS stop, {set: 1, create: 2} AS m, p.`delete` AS d RETURN start, stop, m.set AS s, d';
    const result = await runReadOnly(db, q, {}, guard());
    expect(result.rows).toEqual([{ start: 22, stop: 23, s: 1, d: null }]);
  });

  it('allows the allowlisted read procedures', async () => {
    const result = await runReadOnly(db, 'CALL db.labels() YIELD label WHERE label = $l RETURN label', { l: 'Secret' }, guard({ collections: null }));
    expect(result.rows).toEqual([{ label: 'Secret' }]);
  });
});

describe('runReadOnly: writes and other unsafe statements are refused and change nothing', () => {
  const attempts: Array<[string, string]> = [
    ['CREATE', `CREATE (n:${PROBE} {collection: $a}) RETURN n`],
    ['CREATE after MATCH', `MATCH (p:Person) WHERE p.collection IN $collections CREATE (p)-[:KNOWS]->(:${PROBE}) RETURN p`],
    ['MERGE', `MERGE (n:${PROBE} {collection: $a}) RETURN n`],
    ['SET', "MATCH (p:Person) WHERE p.collection IN $collections SET p.name = 'pwned' RETURN p.name AS name"],
    ['SET label', `MATCH (p:Person) WHERE p.collection IN $collections SET p:${PROBE} RETURN p.name AS name`],
    ['REMOVE', 'MATCH (p:Person) WHERE p.collection IN $collections REMOVE p.age RETURN p.name AS name'],
    ['DELETE', 'MATCH (p:Project) WHERE p.collection IN $collections DELETE p RETURN count(*) AS c'],
    ['DETACH DELETE', 'MATCH (p) WHERE p.collection IN $collections DETACH DELETE p RETURN count(*) AS c'],
    ['FOREACH', 'MATCH (p:Person) WHERE p.collection IN $collections FOREACH (x IN [1] | SET p.age = 0) RETURN p.name AS name'],
    ['CALL { write }', 'MATCH (p:Person) WHERE p.collection IN $collections CALL (p) { SET p.age = 0 } RETURN p.name AS name'],
    ['IN TRANSACTIONS', `UNWIND range(1, 3) AS i CALL (i) { CREATE (:${PROBE}) } IN TRANSACTIONS OF 1 ROW RETURN i`],
    ['db.createLabel', `CALL db.createLabel('${PROBE}')`],
    ['db.createProperty', `CALL db.createProperty('${PROBE_KEY}') RETURN 1 AS x`],
    ['apoc write procedure', `CALL apoc.create.node(['${PROBE}'], {}) YIELD node RETURN node`],
    ['apoc function running Cypher', `RETURN apoc.cypher.runFirstColumnSingle('CREATE (n:${PROBE}) RETURN n', {}) AS x`],
    ['apoc, backtick-quoted', "RETURN `apoc.text.join`(['a'], ',') AS x"],
    ['LOAD CSV', "LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line"],
    ['two statements', `MATCH (p:Person) WHERE p.collection IN $collections RETURN p.name AS n; CREATE (:${PROBE})`],
    ['USE', 'USE system MATCH (p) WHERE p.collection IN $collections RETURN p'],
    ['admin command', 'SHOW USERS YIELD user RETURN user'],
    ['create user', "CREATE USER guardprobe SET PASSWORD 'secret-password'"],
    ['procedure not allowlisted', 'CALL dbms.components() YIELD name RETURN name'],
    ['EXPLAIN prefix', 'EXPLAIN MATCH (p) WHERE p.collection IN $collections RETURN p'],
  ];

  it.each(attempts)('%s', async (_, query) => {
    const before = await snapshot();
    const err = await runReadOnly(db, query, { a: A }, guard()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsafeQueryError);
    expect(await snapshot()).toBe(before);
  });

  it('EXPLAIN alone tells writes, file reads and admin procedures apart, without running them', async () => {
    const before = await snapshot();
    const plan = async (q: string) => db.explain(q, { a: A });
    expect((await plan(`CREATE (n:${PROBE} {collection: $a})`)).queryType).toBe('w');
    expect(() => checkPlan({ queryType: 'r', operators: ['ProduceResults@neo4j', 'LoadCSV@neo4j'], procedures: [] })).toThrow(UnsafeQueryError);
    const loadCsv = await plan("LOAD CSV FROM 'file:///etc/passwd' AS line RETURN line");
    // LOAD CSV plans as a read: the operator check is what refuses it.
    expect(loadCsv.queryType).toBe('r');
    expect(() => checkPlan(loadCsv)).toThrow(/LoadCSV/);
    expect(() => checkPlan(loadCsv)).toThrow(UnsafeQueryError);
    for (const q of [`MERGE (n:${PROBE}) RETURN n`, `CALL db.createLabel('${PROBE}')`, 'CALL dbms.components() YIELD name RETURN name', 'CALL apoc.help("create") YIELD name RETURN name']) {
      const p = await plan(q);
      expect(() => checkPlan(p), q).toThrow(UnsafeQueryError);
    }
    expect(() => checkPlan({ queryType: 'r', operators: ['ProduceResults@neo4j', 'ProcedureCall@neo4j'], procedures: ['db.labels'] })).not.toThrow();
    expect(await snapshot()).toBe(before);
  });

  it('the READ transaction refuses a write on its own too', async () => {
    await expect(db.read(`CREATE (:${PROBE}) RETURN 1 AS x`)).rejects.toThrow(/read access mode/);
    expect((await db.read(`MATCH (n:${quoteName(PROBE)}) RETURN count(n) AS c`))[0]!.c).toBe(0);
  });
});

describe('runReadOnly: injection', () => {
  it('treats a parameter value as data, never as Cypher', async () => {
    const q = 'MATCH (p:Person) WHERE p.collection IN $collections AND p.name = $name RETURN p.name AS name, p.age AS age';
    const exact = await runReadOnly(db, q, { name: INJECTION }, guard());
    expect(exact.rows).toEqual([{ name: INJECTION, age: 99 }]);
    for (const name of ["' OR true RETURN 1 AS name //", '" OR 1=1 //', `x'}) MATCH (s:Secret) RETURN s.secret AS name //`]) {
      expect((await runReadOnly(db, q, { name }, guard())).rows).toEqual([]);
    }
  });

  it('keeps a label from data inside its backticks', async () => {
    const evil = 'Secret` WHERE true OR (s:Secret)-->() RETURN s.secret AS v //';
    const q = `MATCH (n:${quoteName(evil)}) WHERE n.collection IN $collections RETURN n.name AS v`;
    const result = await runReadOnly(db, q, {}, guard({ collections: [A, B] }));
    expect(result.rows).toEqual([]);
  });
});

describe('scopeToCollections: untrusted queries cannot read another collection', () => {
  // Each query would return the secret without scoping: run with both collections as the control.
  const tricks: Array<[string, string, Params?]> = [
    ['plain MATCH', 'MATCH (s:Secret) RETURN s.secret AS v'],
    ['label-less MATCH', 'MATCH (n) WHERE n.name = $secret RETURN n.name AS v', { secret: SECRET }],
    ['OR true', "MATCH (s:Secret) WHERE s.secret = 'nothing' OR true RETURN s.secret AS v"],
    ['own collection filter widened', "MATCH (s) WHERE s.collection IN $collections OR s.collection <> '' RETURN s.name AS v"],
    ['anonymous node', 'MATCH (:Project)<-[:WORKS_ON]-(p) RETURN p.name AS v'],
    ['relationship only', 'MATCH ()-[:WORKS_ON]->(x) RETURN x.name AS v'],
    ['second MATCH', 'MATCH (p:Person) WITH p LIMIT 1 MATCH (s:Secret) RETURN s.secret AS v'],
    ['OPTIONAL MATCH', 'MATCH (p:Person) WITH p LIMIT 1 OPTIONAL MATCH (s:Secret) RETURN s.secret AS v'],
    ['WITH then MATCH', 'MATCH (p:Person) WITH count(p) AS c MATCH (s:Secret) WHERE c > 0 RETURN s.secret AS v'],
    ['UNION', 'MATCH (p:Person) RETURN p.name AS v UNION MATCH (s:Secret) RETURN s.secret AS v'],
    ['pattern comprehension with new variables', 'MATCH (p:Person) WITH p LIMIT 1 RETURN [(x:Person)-[:WORKS_ON]->(y) | x.name + y.name] AS v'],
    ['COLLECT subquery', 'MATCH (p:Person) WITH p LIMIT 1 RETURN COLLECT { MATCH (s:Secret) RETURN s.secret } AS v'],
    ['EXISTS subquery', 'MATCH (p:Person) WHERE EXISTS { MATCH (s:Secret) WHERE s.secret = p.name } OR p.name = $secret RETURN p.name AS v', { secret: SECRET }],
    ['shortestPath over unbound ends', 'MATCH path = shortestPath((a:Person)-[*..3]-(b:Project)) RETURN b.name AS v'],
    ['keywords hidden in comments and strings', "MATCH (p:Person) // MATCH (x)\nWITH count(p) AS c /* MATCH (y) */ MATCH (s:Secret) WHERE s.secret <> '*/ MATCH (z)' RETURN s.secret AS v"],
    ['backtick names', 'MATCH (`s`:`Secret`) RETURN `s`.`secret` AS `v`'],
    ['element id', 'MATCH (n) WHERE elementId(n) = $id RETURN n.secret AS v'],
  ];

  let secretId: string;
  beforeAll(async () => {
    secretId = String((await db.read('MATCH (s:Secret {secret: $s}) RETURN elementId(s) AS id', { s: SECRET }))[0]!.id);
  });

  it.each(tricks)('%s', async (_, query, params = {}) => {
    const p = { ...params, ...(query.includes('$id') ? { id: secretId } : {}) };
    const control = await untrusted(query, [A, B], p);
    expect(JSON.stringify(control.rows)).toContain(SECRET);
    const scoped = await untrusted(query, [A], p);
    expect(JSON.stringify(scoped.rows)).not.toContain(SECRET);
  });

  it('COUNT subqueries count only the caller\'s collections', async () => {
    const q = 'MATCH (p:Person) WITH p LIMIT 1 RETURN COUNT { MATCH (s:Secret) } AS v';
    expect((await untrusted(q, [A, B])).rows).toEqual([{ v: 1 }]);
    expect((await untrusted(q, [A])).rows).toEqual([{ v: 0 }]);
  });

  it('still answers within the caller\'s collections', async () => {
    const result = await untrusted(
      'MATCH (p:Person)-[:WORKS_ON]->(:Project {name: $project}) WHERE p.age > $age OR p.age IS NULL RETURN p.name AS name',
      [A],
      { project: 'Apollo', age: 1 },
    );
    expect(result.rows).toEqual([{ name: 'Person 01' }]);
  });

  it('refuses procedures and CALL subqueries that would read around the scope', () => {
    expect(() => scopeToCollections("CALL db.index.fulltext.queryNodes('x', $q) YIELD node RETURN node.secret AS v")).toThrow(UnsafeQueryError);
    expect(() => scopeToCollections('MATCH (p:Person) CALL { MATCH (s:Secret) RETURN s } RETURN s.secret AS v')).toThrow(UnsafeQueryError);
  });
});

describe('runReadOnly: runaway queries', () => {
  it('stops a query that runs past the timeout, with an error that says so', async () => {
    const started = Date.now();
    const err = await runReadOnly(
      db,
      'UNWIND range(1, 100000000) AS a UNWIND range(1, 100000000) AS b RETURN count(*) AS c',
      {},
      guard({ collections: null, timeoutMs: 300 }),
    ).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toBeInstanceOf(GraphError);
    expect((err as GraphError).code).toBe('QUERY_TIMEOUT');
    expect((err as Error).message).toMatch(/took too long.*300 ms/);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('stops a runaway cartesian product over the caller\'s own nodes', async () => {
    const err = await untrusted(
      'MATCH (a:Person), (b:Person), (c:Person), (d:Person) UNWIND range(1, 10000) AS x RETURN count(*) AS c',
      [A],
      {},
      { timeoutMs: 300 },
    ).catch((e: unknown) => e);
    // 32^4 × 10,000 rows cannot be counted within 300 ms.
    expect((err as GraphError).code).toBe('QUERY_TIMEOUT');
  });
});
