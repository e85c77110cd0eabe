import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askKgrag, type Kgrag } from '../../src/app.ts';
import { KeyStore } from '../../src/api/auth/keys.ts';
import { createApi, type Api } from '../../src/api/server.ts';
import { GRAPH_SCOPE } from '../../src/domain/ids.ts';
import { deleteDocument, listCollections } from '../../src/graph/documents.ts';
import { applySchema } from '../../src/graph/schema.ts';
import { silentLogger } from '../../src/logging.ts';
import { createOfflineExtractor } from '../../src/extraction/offline.ts';
import type { Extractor } from '../../src/extraction/types.ts';
import { ingest } from '../../src/ingest/pipeline.ts';
import { dropCollections, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

/**
 * A graph kgrag did not build (plain Cypher, no `collection` properties, its own constraints: a
 * uniqueness constraint on :Person(name), and banks labelled :Entity with a uniqueness constraint
 * on :Entity(id), as in the FinCEN example graph) in the same database as kgrag collections. It
 * is readable through the reserved scope @graph and nobody else's; documents link to its nodes by
 * their display name; and kgrag never changes it.
 */

type Json = Record<string, any>;

const GRAPH_LABELS = ['Starship', 'Person', 'Entity', 'Spaceport'];
const CONSTRAINTS = ['test_existing_person_name', 'test_existing_entity_id'];

/** Everything of the existing graph: nodes with labels and properties, relationships, constraints and indexes. */
async function snapshot(app: Kgrag): Promise<Json> {
  const nodes = await app.db.read(
    `MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels)
     RETURN elementId(n) AS id, labels(n) AS labels, properties(n) AS props ORDER BY id`,
    { labels: GRAPH_LABELS },
  );
  const rels = await app.db.read(
    `MATCH (a)-[r]->(b) WHERE any(l IN labels(a) WHERE l IN $labels) AND type(r) <> 'MENTIONS'
     RETURN elementId(r) AS id, type(r) AS type, elementId(a) AS a, elementId(b) AS b, properties(r) AS props ORDER BY id`,
    { labels: GRAPH_LABELS },
  );
  // The graph's own constraints and indexes (kgrag adds indexes of its own labels as collections come).
  const constraints = await app.db.read(
    'SHOW CONSTRAINTS YIELD name, type, labelsOrTypes, properties WHERE any(l IN labelsOrTypes WHERE l IN $labels) RETURN * ORDER BY name',
    { labels: GRAPH_LABELS },
  );
  const indexes = await app.db.read(
    'SHOW INDEXES YIELD name, type, labelsOrTypes, properties, state WHERE any(l IN labelsOrTypes WHERE l IN $labels) RETURN * ORDER BY name',
    { labels: GRAPH_LABELS },
  );
  return { nodes, rels, constraints, indexes };
}

async function dropGraph(app: Kgrag): Promise<void> {
  await app.db.write('MATCH (n) WHERE any(l IN labels(n) WHERE l IN $labels) AND n.collection IS NULL DETACH DELETE n', { labels: GRAPH_LABELS });
  for (const name of CONSTRAINTS) await app.db.runSchema(`DROP CONSTRAINT ${name} IF EXISTS`);
}

describe('an existing graph beside kgrag collections', () => {
  let app: Kgrag;
  let api: Api;
  let base: string;
  const C = uniqueCollection('exC');
  const D = uniqueCollection('exD');
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-existing-'));
  const keys: Record<'collection' | 'graph' | 'both' | 'all', string> = {} as never;
  let files: ReturnType<typeof tempFiles>;
  let before: Json;
  let keanuId = '';
  let extractor: Extractor;
  const ingestDocs = (inputs: string[], collection: string) =>
    ingest(inputs, { db: app.db, embedder: app.embedder!, extractor, config: app.config, logger: app.logger }, { collection });

  beforeAll(async () => {
    app = await openTestApp((c) => {
      c.api = { ...c.api, keysFile: path.join(home, 'keys.json') };
    });
    extractor = await createOfflineExtractor({}, app.logger);
    await dropGraph(app);
    await app.db.runSchema('CREATE CONSTRAINT test_existing_person_name FOR (p:Person) REQUIRE p.name IS UNIQUE');
    await app.db.runSchema('CREATE CONSTRAINT test_existing_entity_id FOR (e:Entity) REQUIRE e.id IS UNIQUE');
    await app.db.write(`
      CREATE (lis:Spaceport {portName: 'Lisbon Orbital'}), (ank:Spaceport {portName: 'Ankara Deep'})
      CREATE (keanu:Person {name: 'Keanu Reeves', born: 1964}), (carrie:Person {name: 'Carrie Moss', born: 1967})
      CREATE (:Entity {id: 'mora-banc-grup-sa-andorra-and', name: 'Mora Banc Grup SA', country: 'AND'})
      CREATE (:Entity {id: 'afghanistan-international-bank', name: 'Afghanistan International Bank', country: 'AFG'})
      WITH lis, ank, keanu, carrie
      UNWIND range(1, 11) AS i
      WITH i, keanu, carrie, CASE WHEN i % 2 = 0 THEN lis ELSE ank END AS port, CASE i WHEN 1 THEN keanu ELSE carrie END AS pilot
      CREATE (s:Starship {shipName: 'Vessel ' + i, status: CASE WHEN i IN [2, 5, 9] THEN 'decommissioned' ELSE 'active' END, crew: i * 10})
      CREATE (s)-[:BASED_AT]->(port)
      WITH s, i, pilot WHERE i <= 2
      CREATE (pilot)-[:PILOTS {since: 2019 + i}]->(s)`);
    // A kgrag collection beside it: the question must see both.
    files = tempFiles({
      'academy.md':
        '# Flight academy\n\nKeanu Reeves trained pilots at the Lisbon flight academy for three years, said Ada Quill. ' +
        'Ada Quill met Keanu Reeves in 2021. Mora Banc Grup SA financed the academy.\n',
      'quill.md': '# Quill\n\nAda Quill flew with Carrie Moss to the outer moons, said Bo Lindqvist.\n',
    });
    before = await snapshot(app);
    await ingestDocs([files.path('academy.md')], C);
    // The same new person in a second collection: kgrag's two Person entities must not meet the graph's :Person(name) constraint.
    await ingestDocs([files.path('academy.md'), files.path('quill.md')], D);
    app.catalogs.invalidate();
    const store = new KeyStore(app.db);
    keys.collection = (await store.create({ name: 'C', role: 'reader', collections: [C] })).key;
    keys.graph = (await store.create({ name: 'graph', role: 'reader', collections: [GRAPH_SCOPE] })).key;
    keys.both = (await store.create({ name: 'C and graph', role: 'reader', collections: [C, GRAPH_SCOPE] })).key;
    keys.all = (await store.create({ name: 'all', role: 'reader', collections: ['*'] })).key;
    api = await createApi(app, { jobsDir: path.join(home, 'jobs') });
    base = (await api.listen(0, '127.0.0.1')).url;
    const [keanu] = await app.db.read("MATCH (p:Person {name: 'Keanu Reeves'}) RETURN elementId(p) AS id");
    keanuId = keanu!.id as string;
  }, 300_000);

  afterAll(async () => {
    await api?.close();
    await dropCollections(app, [C, D]);
    await dropGraph(app);
    await app.close();
    files?.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  async function call(method: 'get' | 'post', url: string, key: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const res = await fetch(`${base}${url}`, {
      method: method.toUpperCase(),
      headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Json };
  }

  async function gql(query: string, key: string): Promise<Json> {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return (await res.json()) as Json;
  }

  it('the local user reads it by default: ask counts its nodes and the schema lists them', async () => {
    const scope = await listCollections(app.db);
    expect(scope).toEqual(expect.arrayContaining([C, D, GRAPH_SCOPE]));
    const r = await askKgrag(app, 'How many starships are decommissioned?', { collections: scope });
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([{ count: 3 }]);
    expect(r.answer).toMatch(/\b3\b/);
    const catalog = await app.catalogs.get(scope);
    expect(catalog.labels.find((l) => l.label === 'Starship')?.count).toBe(11);
    expect(catalog.labels.find((l) => l.label === 'Starship')?.nameProperty).toBe('shipName');
    // kgrag's own people and the graph's are one label to questions, stored apart.
    expect(catalog.labels.find((l) => l.label === 'Person')?.stored).toEqual(['Person', 'Kgrag_Person']);
  });

  it('a collection alone does not see it', async () => {
    const catalog = await app.catalogs.get([C]);
    expect(catalog.labels.map((l) => l.label)).not.toContain('Starship');
    const r = await askKgrag(app, 'How many starships are decommissioned?', { collections: [C] });
    expect(r.rows).not.toEqual([{ count: 3 }]);
    expect(JSON.stringify(r)).not.toMatch(/Vessel \d/);
  });

  it('links mentions to the graph\'s nodes by display name and writes nothing else there', async () => {
    const mentions = await app.db.read(
      `MATCH (c:Chunk)-[m:MENTIONS]->(p:Person {name: 'Keanu Reeves'}) RETURN c.collection AS collection, m.method AS method ORDER BY collection`,
    );
    expect(mentions).toEqual([{ collection: C, method: 'graph' }, { collection: D, method: 'graph' }]);
    expect((await app.db.read("MATCH (:Chunk {collection: $D})-[:MENTIONS]->(p:Person {name: 'Carrie Moss'}) RETURN count(p) AS n", { D }))[0]!.n).toBe(1);
    // No kgrag entity was made for them, and the people kgrag did make are its own, in each collection.
    expect((await app.db.read("MATCH (e:KgragEntity) WHERE e.name IN ['Keanu Reeves', 'Carrie Moss'] RETURN count(e) AS n"))[0]!.n).toBe(0);
    const ada = await app.db.read("MATCH (e {name: 'Ada Quill'}) RETURN e.collection AS collection, labels(e) AS labels ORDER BY collection");
    expect(ada).toEqual([
      { collection: C, labels: expect.arrayContaining(['KgragEntity', 'Kgrag_Person']) },
      { collection: D, labels: expect.arrayContaining(['KgragEntity', 'Kgrag_Person']) },
    ]);
    for (const row of ada) expect(row.labels).not.toContain('Person');
    // The bank the documents name is the graph's :Entity, never taken for one of kgrag's.
    expect((await app.db.read("MATCH (e:Entity {name: 'Mora Banc Grup SA'}) RETURN count(e) AS n"))[0]!.n).toBe(1);
    // Byte for byte the same: nodes, labels, properties, relationships, constraints, indexes.
    expect(await snapshot(app)).toEqual(before);
  });

  it('re-extraction and deletion withdraw only kgrag\'s mentions', async () => {
    const [doc] = await app.db.read('MATCH (d:Document {collection: $C}) RETURN d.id AS id', { C });
    await deleteDocument(app.db, doc!.id as string, [C]);
    expect((await app.db.read('MATCH (:Chunk {collection: $C})-[m:MENTIONS]->() RETURN count(m) AS n', { C }))[0]!.n).toBe(0);
    expect(await snapshot(app)).toEqual(before);
    await ingestDocs([files.path('academy.md')], C);
    app.catalogs.invalidate();
  });

  it('a question combines the graph\'s facts with the document\'s passages', async () => {
    const r = await askKgrag(app, 'Where did Keanu Reeves train pilots?', { collections: [C, GRAPH_SCOPE] });
    expect(r.found).toBe(true);
    expect(r.answer).toMatch(/Lisbon flight academy/);
    expect(r.facts.some((f) => f.subject === 'Keanu Reeves' && f.predicate === 'PILOTS' && f.object === 'Vessel 1')).toBe(true);
    // Without the graph's scope, no fact of it comes along.
    const alone = await askKgrag(app, 'Where did Keanu Reeves train pilots?', { collections: [C] });
    expect(JSON.stringify(alone.facts)).not.toMatch(/PILOTS|Vessel/);
  });

  it('keys: only holders of @graph read it, on every interface', async () => {
    // Schema.
    const labelsOf = async (key: string) => ((await call('get', '/v1/schema', key)).body.labels as Json[]).map((l) => l.label);
    expect(await labelsOf(keys.collection)).not.toContain('Starship');
    expect(await labelsOf(keys.graph)).toContain('Starship');
    expect(await labelsOf(keys.both)).toContain('Starship');
    // Ask.
    const ask = (key: string) => call('post', '/v1/ask', key, { question: 'How many starships are decommissioned?' });
    expect((await ask(keys.both)).body.rows).toEqual([{ count: 3 }]);
    expect((await ask(keys.all)).body.rows).toEqual([{ count: 3 }]);
    expect((await ask(keys.graph)).body.rows).toEqual([{ count: 3 }]);
    expect(JSON.stringify((await ask(keys.collection)).body)).not.toMatch(/"count":3|Vessel/);
    // Entities: listing, detail, neighbourhood.
    const listed = await call('get', '/v1/entities?type=Starship&limit=50', keys.both);
    expect(listed.body.items).toHaveLength(11);
    expect(listed.body.items[0]).toMatchObject({ collection: GRAPH_SCOPE, type: 'Starship' });
    expect((await call('get', '/v1/entities?type=Starship', keys.collection)).body.items).toEqual([]);
    const keanu = await call('get', `/v1/entities/${encodeURIComponent(keanuId)}`, keys.both);
    expect(keanu.status).toBe(200);
    expect(keanu.body.entity).toMatchObject({ name: 'Keanu Reeves', type: 'Person', collection: GRAPH_SCOPE });
    expect(keanu.body.mentions.length).toBeGreaterThan(0);
    expect(keanu.body.relationships.map((r: Json) => `${r.type} ${r.other.name}`)).toContain('PILOTS Vessel 1');
    expect((await call('get', `/v1/entities/${encodeURIComponent(keanuId)}`, keys.collection)).status).toBe(404);
    // The graph alone: Keanu, but not the passages of C that mention him.
    expect((await call('get', `/v1/entities/${encodeURIComponent(keanuId)}`, keys.graph)).body.mentions).toEqual([]);
    const hood = await call('get', `/v1/entities/${encodeURIComponent(keanuId)}/neighbourhood?hops=2`, keys.graph);
    expect(hood.status).toBe(200);
    expect((hood.body.nodes as Json[]).map((n) => n.name)).toEqual(expect.arrayContaining(['Keanu Reeves', 'Vessel 1', 'Ankara Deep']));
    expect((await call('get', `/v1/entities/${encodeURIComponent(keanuId)}/neighbourhood`, keys.collection)).status).toBe(404);
    // Search reads documents: the graph's scope alone holds none.
    expect((await call('post', '/v1/search', keys.graph, { text: 'Keanu Reeves flight academy' })).body.results).toEqual([]);
    expect((await call('post', '/v1/search', keys.collection, { text: 'Keanu Reeves flight academy' })).body.results.length).toBeGreaterThan(0);
    // Typed GraphQL.
    const typed = await gql('{ starships(where: { status: { eq: "decommissioned" } }) { shipName } }', keys.both);
    expect(typed.errors).toBeUndefined();
    expect((typed.data.starships as Json[]).map((s) => s.shipName).sort()).toEqual(['Vessel 2', 'Vessel 5', 'Vessel 9']);
    const denied = await gql('{ starships { shipName } }', keys.collection);
    expect(denied.errors?.[0]?.message).toMatch(/starships/);
  });

  it('refuses @graph as a collection to write to', async () => {
    await expect(ingestDocs([files.path('quill.md')], GRAPH_SCOPE)).rejects.toThrow(/Invalid collection name/);
  });
});

describe('a database kgrag wrote before it had labels of its own', () => {
  it('moves its entities under kgrag\'s labels at start, once, and keeps them answerable', async () => {
    const app = await openTestApp();
    const L = uniqueCollection('legacy');
    try {
      await app.db.write(
        `CREATE (:Entity:Person {id: $c + ':p', collection: $c, type: 'Person', name: 'Old Timer', normalizedName: 'old timer'})
           -[:WORKS_FOR]->(:Entity:Organization {id: $c + ':o', collection: $c, type: 'Organization', name: 'Old Works', normalizedName: 'old works'})
         MERGE (m:KgragMeta {key: 'schema'}) SET m.version = 1`,
        { c: L },
      );
      await applySchema(app.db, undefined, silentLogger());
      const rows = await app.db.read('MATCH (n {collection: $c}) RETURN n.name AS name, labels(n) AS labels ORDER BY name', { c: L });
      expect(rows.map((r) => ({ name: r.name, labels: (r.labels as string[]).sort() }))).toEqual([
        { name: 'Old Timer', labels: ['KgragEntity', 'Kgrag_Person'] },
        { name: 'Old Works', labels: ['KgragEntity', 'Kgrag_Organization'] },
      ]);
      expect((await app.db.read("MATCH (m:KgragMeta {key: 'schema'}) RETURN m.version AS v"))[0]!.v).toBe(2);
      app.catalogs.invalidate();
      const r = await askKgrag(app, 'Who works for Old Works?', { collections: [L] });
      expect(r.rows.map((x) => x.name)).toEqual(['Old Timer']);
    } finally {
      await dropCollections(app, [L]);
      await app.close();
    }
  });
});
