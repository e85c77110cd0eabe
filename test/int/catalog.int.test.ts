import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import {
  buildCatalog,
  catalogType,
  CatalogCache,
  fillNames,
  guessNameProperty,
  hasCollections,
  patternName,
  type LabelInfo,
  type PropertyInfo,
  type SchemaCatalog,
} from '../../src/graph/catalog.ts';
import { cypher, quoteName } from '../../src/graph/cypher.ts';
import { GraphExecutor, int } from '../../src/graph/executor.ts';
import { silentLogger } from '../../src/logging.ts';
import { createCatalogGraph, dropCatalogGraph } from '../../scripts/bench/catalog.ts';
import { uniqueCollection } from '../helpers.ts';

// The database is shared with other tests running at the same time: every assertion is about
// this file's own collections and labels, never about the whole label list.

const suffix = () => randomBytes(4).toString('hex');

function label(catalog: SchemaCatalog, name: string): LabelInfo {
  const found = [...catalog.labels, ...catalog.internal.labels].find((l) => l.label === name);
  if (!found) throw new Error(`label ${name} not in catalog: ${catalog.labels.map((l) => l.label).join(', ')}`);
  return found;
}

function property(info: { properties: PropertyInfo[] }, name: string): PropertyInfo {
  const found = info.properties.find((p) => p.name === name);
  if (!found) throw new Error(`property ${name} missing: ${info.properties.map((p) => p.name).join(', ')}`);
  return found;
}

function patterns(catalog: SchemaCatalog, type: string): string[] {
  return catalog.relationships.filter((r) => r.type === type).map(patternName).sort();
}

describe('catalog helpers', () => {
  it('spells types the catalog way and guesses the display-name property', () => {
    expect(catalogType('ZONED DATETIME NOT NULL')).toBe('DATE_TIME');
    expect(catalogType('LOCAL DATETIME NOT NULL')).toBe('LOCAL_DATE_TIME');
    expect(catalogType('LIST<STRING NOT NULL> NOT NULL')).toBe('LIST<STRING>');
    const prop = (name: string, count: number, types = ['STRING']): PropertyInfo => ({ name, types, count, samples: [] });
    expect(guessNameProperty([prop('id', 10), prop('title', 10), prop('name', 10)], 10)).toBe('name');
    expect(guessNameProperty([prop('name', 2), prop('title', 9)], 10)).toBe('title'); // name on too few nodes
    expect(guessNameProperty([prop('surname', 10), prop('movieTitle', 10)], 10)).toBe('movieTitle');
    expect(guessNameProperty([prop('PRODUCT_NAME', 10)], 10)).toBe('PRODUCT_NAME');
    expect(guessNameProperty([prop('name', 10, ['INTEGER'])], 10)).toBeUndefined();
  });

  it('quotes names into statements in one pass, so a name cannot smuggle in another placeholder', () => {
    const filled = fillNames('MATCH (:__FROM__)-[:__TYPE__]->(:__TO__)', { __FROM__: 'A__TYPE__`x', __TYPE__: 'T $& `', __TO__: 'B' });
    expect(filled).toBe('MATCH (:`A__TYPE__``x`)-[:`T $& ```]->(:`B`)');
    expect(() => fillNames('MATCH (n:__LABEL__)', {})).toThrow();
  });
});

describe('schema catalog of the live graph', () => {
  let db: GraphExecutor;
  const A = uniqueCollection('cat-a');
  const B = uniqueCollection('cat-b');
  const C = uniqueCollection('cat-c');
  const secret = `Zebulon-${suffix()}`;
  const secretLabel = `Secret${suffix()}`;
  const secretType = `LEAKS_${suffix().toUpperCase()}`;
  const weirdLabel = `Odd \`Label ${suffix()}`;
  const weirdType = `ODD \`REL ${suffix()}`;
  const movie = `Movie_${suffix()}`;
  const actor = `Actor_${suffix()}`;
  const person = `Person_${suffix()}`;
  const follows = `FOLLOWS_${suffix().toUpperCase()}`;
  const foreignLabels = [movie, actor, person];

  beforeAll(async () => {
    db = await GraphExecutor.connect(loadConfig().neo4j, silentLogger());
    await db.write(
      `CREATE (ada:KgragEntity:Kgrag_Person {collection: $A, id: $A + ':ada', name: 'Ada Byron', title: 'CTO', hireDate: date('2019-03-01'), normalizedName: 'ada byron', embedding: [0.1, 0.2]})
       CREATE (bob:KgragEntity:Kgrag_Person {collection: $A, id: $A + ':bob', name: 'Bob Stone', title: 'Engineer', hireDate: date('2021-06-15'), tags: ['backend', 'oncall']})
       CREATE (cy:KgragEntity:Kgrag_Person {collection: $A, id: $A + ':cy', name: 'Cy Young', title: 'Engineer', hireDate: date('2023-01-09'), tags: ['frontend']})
       CREATE (acme:KgragEntity:Kgrag_Organization {collection: $A, id: $A + ':acme', name: 'Acme', founded: 1999})
       CREATE (bob)-[:REPORTS_TO]->(ada), (cy)-[:REPORTS_TO]->(ada)
       CREATE (ada)-[:WORKS_FOR {since: date('2019-03-01'), role: 'executive'}]->(acme)
       CREATE (bob)-[:WORKS_FOR {since: date('2021-06-15'), role: 'staff'}]->(acme)
       WITH bob, cy
       UNWIND range(1, 6) AS i
       CREATE (t:KgragEntity:Kgrag_Task {collection: $A, id: $A + ':t' + i, title: 'Task ' + i, status: CASE WHEN i % 2 = 0 THEN 'completed' ELSE 'open' END,
                              due: date('2024-01-01') + duration({days: i}), priority: i % 3,
                              description: CASE WHEN i = 1 THEN $longText END})
       WITH t, CASE WHEN i % 2 = 0 THEN bob ELSE cy END AS assignee
       CREATE (t)-[:ASSIGNED_TO]->(assignee)`,
      { A, longText: 'A very long description of the task. '.repeat(20) },
    );
    // Collection B: the same labels with a value only B has, plus a label, type and property only B has.
    await db.write(
      `CREATE (z:KgragEntity:Kgrag_Person {collection: $B, id: $B + ':z', name: $secret, title: $secret, hireDate: date('1901-01-01'), codename: $secret})
       CREATE (t:KgragEntity:Kgrag_Task {collection: $B, id: $B + ':t', title: $secret, status: $secret + '-status', due: date('1900-01-01'), priority: 99})
       CREATE (t)-[:ASSIGNED_TO {note: $secret}]->(z)
       CREATE (s:KgragEntity:${quoteName('Kgrag_' + secretLabel)} {collection: $B, id: $B + ':s', name: $secret})
       CREATE (z)-[:${quoteName(secretType)}]->(s)`,
      { B, secret },
    );
  });

  afterAll(async () => {
    await db.write('MATCH (n) WHERE n.collection IN $collections DETACH DELETE n', { collections: [A, B, C] });
    for (const l of foreignLabels) await db.write(`MATCH (n:${quoteName(l)}) DETACH DELETE n`);
    await db.close();
  });

  it('describes a collection: labels, counts, property types, samples and directed patterns', async () => {
    const catalog = await buildCatalog(db, { collections: [A] });
    expect(catalog.collections).toEqual([A]);
    expect(catalog.warnings).toEqual([]);

    const personInfo = label(catalog, 'Person');
    expect(personInfo.count).toBe(3);
    expect(personInfo.nameProperty).toBe('name');
    expect(property(personInfo, 'hireDate').types).toEqual(['DATE']);
    expect(property(personInfo, 'hireDate').min).toBe('2019-03-01');
    expect(property(personInfo, 'hireDate').max).toBe('2023-01-09');
    expect(property(personInfo, 'name').types).toEqual(['STRING']);
    expect(property(personInfo, 'title').samples).toEqual(['Engineer', 'CTO']); // most frequent first
    expect(property(personInfo, 'tags')).toMatchObject({ types: ['LIST<STRING>'], count: 2 });
    expect(property(personInfo, 'tags').samples).toEqual(expect.arrayContaining(['backend', 'oncall', 'frontend']));
    // Vectors and kgrag's bookkeeping are never part of the catalog.
    const names = personInfo.properties.map((p) => p.name);
    for (const hidden of ['embedding', 'normalizedName', 'collection']) expect(names).not.toContain(hidden);

    expect(label(catalog, 'Organization').count).toBe(1);
    expect(property(label(catalog, 'Organization'), 'founded')).toMatchObject({ types: ['INTEGER'], min: 1999, max: 1999 });
    // kgrag's umbrella label is bookkeeping; its types are shown without their stored prefix.
    expect(catalog.labels.map((l) => l.label)).not.toContain('KgragEntity');
    expect(label(catalog, 'Person').stored).toEqual(['Kgrag_Person']);

    const task = label(catalog, 'Task');
    expect(task.count).toBe(6);
    expect(property(task, 'status').samples.sort()).toEqual(['completed', 'open']);
    expect(property(task, 'status').distinct).toBe(2);
    expect(property(task, 'due').types).toEqual(['DATE']);
    expect(property(task, 'priority')).toMatchObject({ types: ['INTEGER'], min: 0, max: 2 });
    // A long text is typed and measured but never sampled.
    expect(property(task, 'description')).toMatchObject({ types: ['STRING'], count: 1, samples: [] });
    expect(property(task, 'description').maxLength).toBeGreaterThan(200);

    // Directions, and the type label rather than Entity at each end.
    expect(patterns(catalog, 'REPORTS_TO')).toEqual(['(:Person)-[:REPORTS_TO]->(:Person)']);
    expect(patterns(catalog, 'WORKS_FOR')).toEqual(['(:Person)-[:WORKS_FOR]->(:Organization)']);
    expect(patterns(catalog, 'ASSIGNED_TO')).toEqual(['(:Task)-[:ASSIGNED_TO]->(:Person)']);
    const worksFor = catalog.relationships.find((r) => r.type === 'WORKS_FOR')!;
    expect(worksFor.count).toBe(2);
    expect(worksFor.estimated).toBeUndefined();
    expect(property(worksFor, 'since').types).toEqual(['DATE']);
    expect(property(worksFor, 'role').samples.sort()).toEqual(['executive', 'staff']);
    expect(catalog.relationships.find((r) => r.type === 'ASSIGNED_TO')?.count).toBe(6);
  });

  it('never shows anything from a collection the caller did not ask for', async () => {
    const catalogA = await buildCatalog(db, { collections: [A] });
    const onlyA = JSON.stringify(catalogA);
    for (const leak of [secret, secretLabel, secretType, 'codename', '1901-01-01', '1900-01-01', '"note"']) {
      expect(onlyA).not.toContain(leak);
    }
    const priority = property(label(catalogA, 'Task'), 'priority');
    expect(priority.max).toBe(2);
    expect(priority.samples).not.toContain(99);
    // Positive control: the same values are there when B is readable.
    const both = await buildCatalog(db, { collections: [A, B] });
    const text = JSON.stringify(both);
    for (const shown of [secret, secretLabel, secretType, 'codename', '1900-01-01']) expect(text).toContain(shown);
    expect(label(both, 'Person').count).toBe(4);
    expect(both.relationships.find((r) => r.type === secretType)).toMatchObject({ from: 'Person', to: secretLabel });
  });

  it('counts exactly within collections when the sample is smaller than the data', async () => {
    const catalog = await buildCatalog(db, { collections: [A], sampleSize: 2, maxSamples: 1 });
    expect(label(catalog, 'Task')).toMatchObject({ count: 6, sampled: 2 });
    const assigned = catalog.relationships.find((r) => r.type === 'ASSIGNED_TO')!;
    expect(assigned).toMatchObject({ count: 6, sampled: 2 });
    expect(assigned.estimated).toBeUndefined();
    // A pattern the sample missed is still listed from the exact count, without property statistics.
    await db.write(
      `CREATE (p:KgragEntity:Kgrag_Person {collection: $C, id: $C + ':p', name: 'Pat'})
       CREATE (p)-[:MANAGES {since: 2020}]->(:KgragEntity:Kgrag_Organization {collection: $C, id: $C + ':o', name: 'Org'})
       CREATE (p)-[:MANAGES {since: 2021}]->(:KgragEntity:Kgrag_Task {collection: $C, id: $C + ':t', title: 'Plan'})`,
      { C },
    );
    const tiny = await buildCatalog(db, { collections: [C], sampleSize: 1 });
    const manages = tiny.relationships.filter((r) => r.type === 'MANAGES').sort((a, b) => b.sampled - a.sampled);
    expect(manages.map(patternName).sort()).toEqual(['(:Person)-[:MANAGES]->(:Organization)', '(:Person)-[:MANAGES]->(:Task)']);
    expect(manages.map((r) => [r.count, r.sampled, r.properties.length])).toEqual([[1, 1, 1], [1, 0, 0]]);
    expect(property(label(catalog, 'Person'), 'title').samples).toHaveLength(1);
  });

  it('types values the same way on servers without valueType() (Neo4j before 5.13)', async () => {
    const native = await buildCatalog(db, { collections: [A] });
    const fallback = await buildCatalog(db, { collections: [A], typeFunction: 'fallback' });
    const types = (c: SchemaCatalog) =>
      [...c.labels, ...c.relationships].flatMap((x) =>
        x.properties.map((p) => `${'label' in x ? x.label : patternName(x)}.${p.name}: ${p.types.join('|')}`),
      );
    expect(types(fallback)).toEqual(types(native));
    const [row] = await db.read(
      `WITH [datetime('2020-01-02T10:00:00[Europe/Berlin]'), localdatetime('2020-01-02T10:00'), time('10:00+01:00'),
             localtime('10:00'), duration('P1D'), point({x: 1, y: 2}), 2.0, -3, true, [1, 2], [1.5], ['a'], []] AS values
       RETURN [value IN values | valueType(value)] AS native,
              [value IN values | ${cypher('catalog/value-type-fallback')}] AS fallback`,
    );
    expect(row?.fallback).toEqual(row?.native);
  });

  it('reads a foreign graph without collections: its own labels, directions and types', async () => {
    await db.write(
      `CREATE (m1:${quoteName(movie)} {title: 'The Matrix', released: 1999, rating: 8.7, genres: ['Action', 'Sci-Fi']})
       CREATE (m2:${quoteName(movie)} {title: 'Speed', released: 1994, rating: 7.2, genres: ['Action']})
       CREATE (k:${quoteName(person)}:${quoteName(actor)} {name: 'Keanu Reeves', born: 1964})
       CREATE (s:${quoteName(person)}:${quoteName(actor)} {name: 'Sandra Bullock', born: 1964})
       CREATE (w:${quoteName(person)} {name: 'Lana Wachowski', born: 1965})
       CREATE (d:${quoteName(person)} {name: 'Jan de Bont', born: 1943})
       CREATE (k)-[:ACTED_IN {roles: ['Neo']}]->(m1), (k)-[:ACTED_IN {roles: ['Jack Traven']}]->(m2),
              (s)-[:ACTED_IN {roles: ['Annie']}]->(m2), (w)-[:DIRECTED]->(m1), (d)-[:DIRECTED]->(m2),
              (w)-[:${quoteName(follows)}]->(d), (d)-[:${quoteName(follows)}]->(w)`,
    );
    // This shared database holds kgrag data, so it cannot look foreign by itself (see collectionsInGraph).
    expect(await hasCollections(db)).toBe(true);
    const catalog = await buildCatalog(db, { collectionsInGraph: false });
    expect(catalog.collections).toBeNull();
    // A caller restricted to collections stays restricted even when the graph looks foreign (a
    // catalog built before any collection existed must not open the graph to that caller).
    const restricted = await buildCatalog(db, { collections: [A], collectionsInGraph: false });
    expect(restricted.collections).toEqual([A]);
    for (const l of foreignLabels) expect(JSON.stringify(restricted)).not.toContain(l);
    const movies = label(catalog, movie);
    expect(movies).toMatchObject({ count: 2, nameProperty: 'title' });
    expect(property(movies, 'released')).toMatchObject({ types: ['INTEGER'], min: 1994, max: 1999 });
    expect(property(movies, 'rating').types).toEqual(['FLOAT']);
    expect(property(movies, 'genres')).toMatchObject({ types: ['LIST<STRING>'], samples: ['Action', 'Sci-Fi'] });
    expect(label(catalog, actor).count).toBe(2);
    expect(label(catalog, person).count).toBe(4);
    // Actors are also persons: the relationship is a pattern of each of their labels.
    const actedIn = catalog.relationships.filter((r) => r.to === movie && r.type === 'ACTED_IN').sort((a, b) => patternName(a).localeCompare(patternName(b)));
    expect(actedIn.map(patternName)).toEqual([`(:${actor})-[:ACTED_IN]->(:${movie})`, `(:${person})-[:ACTED_IN]->(:${movie})`]);
    for (const p of actedIn) {
      expect(p).toMatchObject({ count: 3 });
      expect(property(p, 'roles').types).toEqual(['LIST<STRING>']);
    }
    const directed = catalog.relationships.filter((r) => r.to === movie && r.type === 'DIRECTED');
    expect(directed.map(patternName)).toEqual([`(:${person})-[:DIRECTED]->(:${movie})`]);

    // Beyond the sample on the whole graph, counts are the count store's bound, marked as estimates.
    const sampledOne = await buildCatalog(db, { collectionsInGraph: false, sampleSize: 1 });
    expect(sampledOne.relationships.find((r) => r.type === follows)).toMatchObject({ from: person, to: person, count: 2, sampled: 1, estimated: true });

    // On the (collection-holding) graph itself, a caller restricted to collections sees none of it.
    const scoped = JSON.stringify(await buildCatalog(db, { collections: [A] }));
    for (const l of foreignLabels) expect(scoped).not.toContain(l);
    // And unrestricted, the whole graph is there.
    const all = await buildCatalog(db, {});
    expect(all.collections).toBeNull();
    expect(label(all, movie).count).toBe(2);
  });

  it('knows the patterns of every label a node carries, beyond the first relationships sampled', async () => {
    const [gadget, beacon, device, signal] = ['Gadget', 'Beacon', 'Device', 'Signal'].map((l) => `${l}_${suffix()}`) as [string, string, string, string];
    const emits = `EMITS_${suffix().toUpperCase()}`;
    foreignLabels.push(gadget, beacon, device, signal);
    // Every gadget and beacon is a device; the first relationships of the type all leave gadgets.
    await db.write(
      `UNWIND range(1, 5) AS i
       CREATE (:${quoteName(gadget)}:${quoteName(device)} {name: 'g' + i})-[:${quoteName(emits)} {hz: i}]->(:${quoteName(signal)} {name: 's' + i})
       WITH count(*) AS done
       CREATE (:${quoteName(beacon)}:${quoteName(device)} {name: 'b1'})-[:${quoteName(emits)} {hz: 9}]->(:${quoteName(signal)} {name: 's9'})`,
    );
    const ofType = (c: SchemaCatalog) => c.relationships.filter((r) => r.type === emits);
    // A sample of 3 sees only gadgets; the beacon's pattern is still listed.
    const sampled = await buildCatalog(db, { collectionsInGraph: false, sampleSize: 3 });
    expect(ofType(sampled).map(patternName).sort()).toEqual([
      `(:${beacon})-[:${emits}]->(:${signal})`,
      `(:${device})-[:${emits}]->(:${signal})`,
      `(:${gadget})-[:${emits}]->(:${signal})`,
    ].sort());
    expect(ofType(sampled).find((p) => p.from === beacon)).toMatchObject({ count: 1, properties: [expect.objectContaining({ name: 'hz', types: ['INTEGER'] })] });
    expect(ofType(sampled).find((p) => p.from === device)?.count).toBe(6);
    // Whole sample: exact counts under each label.
    const whole = await buildCatalog(db, { collectionsInGraph: false });
    expect(Object.fromEntries(ofType(whole).map((p) => [p.from, p.count]))).toEqual({ [gadget]: 5, [beacon]: 1, [device]: 6 });
    expect(sampled.warnings).toEqual([]);
  });

  it('handles labels, types and property keys that need quoting', async () => {
    await db.write(
      `CREATE (a:KgragEntity:${quoteName('Kgrag_' + weirdLabel)} {collection: $A, id: $A + ':odd1', \`odd key\`: 'x', \`back\`\`tick\`: 1})
       CREATE (b:KgragEntity:${quoteName('Kgrag_' + weirdLabel)} {collection: $A, id: $A + ':odd2'})
       CREATE (a)-[:${quoteName(weirdType)} {\`odd key\`: 'y'}]->(b)`,
      { A },
    );
    const catalog = await buildCatalog(db, { collections: [A] });
    const odd = label(catalog, weirdLabel);
    expect(odd.count).toBe(2);
    expect(odd.properties.map((p) => p.name)).toEqual(expect.arrayContaining(['odd key', 'back`tick']));
    const rel = catalog.relationships.find((r) => r.type === weirdType)!;
    expect(rel).toMatchObject({ from: weirdLabel, to: weirdLabel, count: 1 });
    expect(patternName(rel)).toBe(`(:${quoteName(weirdLabel)})-[:${quoteName(weirdType)}]->(:${quoteName(weirdLabel)})`);
    await db.write(`MATCH (n:${quoteName(weirdLabel)}) WHERE n.collection = $A DETACH DELETE n`, { A });
  });

  it('caches per collection set until invalidated or expired', async () => {
    let now = 0;
    const cache = new CatalogCache(db, { ttlMs: 1000, now: () => now });
    const first = cache.get([A]);
    expect(cache.get([A])).toBe(first); // concurrent callers share one build
    const catalog = await first;
    expect(catalog.labels.map((l) => l.label)).not.toContain('Project');
    await db.write(`CREATE (:KgragEntity:Kgrag_Project {collection: $A, id: $A + ':p', name: 'Apollo'})`, { A });
    expect(await cache.get([A])).toBe(catalog); // still cached
    expect(await cache.get([B, A])).not.toBe(catalog); // another key
    cache.invalidate();
    const fresh = await cache.get([A]);
    expect(fresh).not.toBe(catalog);
    expect(label(fresh, 'Project').count).toBe(1);
    now += 1001;
    expect(await cache.get([A])).not.toBe(fresh); // expired
  });

  // Its build time at 100k nodes is measured by `npm run bench -- --parts catalog`, not asserted here.
  it('describes a graph larger than its sample exactly: counts of every label and relationship type, no warnings', { timeout: 180_000 }, async () => {
    const P = uniqueCollection('cat-large');
    try {
      const graph = await createCatalogGraph(db, P, 0.1);
      const catalog = await buildCatalog(db, { collections: [P] });
      expect(catalog.warnings).toEqual([]);
      expect(catalog.labels.reduce((n, l) => n + (l.label === 'Entity' ? 0 : l.count), 0)).toBe(graph.nodes);
      expect(catalog.relationships.reduce((n, r) => n + r.count, 0)).toBe(graph.relationships);
      const people = catalog.labels.find((l) => l.label.startsWith('PerfPerson'))!;
      // 6,000 people, 1,000 of them sampled: statistics from the sample, the count exact.
      expect(people.count).toBe(6000);
      expect(people.sampled).toBeLessThan(people.count);
      expect(people.properties.find((p) => p.name === 'hired')?.types).toEqual(['DATE']);
    } finally {
      await dropCatalogGraph(db, P);
    }
  });
});
