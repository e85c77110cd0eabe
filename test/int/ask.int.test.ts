import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askKgrag, type Kgrag } from '../../src/app.ts';
import type { AskResult } from '../../src/planner/types.ts';
import { EXAMPLE_REFERENCE_DATE, loadExampleKb } from '../../scripts/eval/example-kb.ts';
import { dropCollections, openTestApp, uniqueCollection } from '../helpers.ts';

/**
 * `ask` over the example knowledge base (records + documents) in a collection of its own, next to a
 * second collection holding conflicting records that must never leak into the first one's answers.
 */
describe('ask: structured, semantic and none, on the example knowledge base', () => {
  let app: Kgrag;
  const kb = uniqueCollection('ask');
  const other = uniqueCollection('ask-other');
  const ask = (question: string, collections: string[] = [kb]): Promise<AskResult> =>
    askKgrag(app, question, { collections, asOf: EXAMPLE_REFERENCE_DATE });

  beforeAll(async () => {
    app = await openTestApp();
    await loadExampleKb(app, kb);
    // The other collection: a blocked task, a "Jane Smith" with reports, a secret document.
    await app.db.write(
      `CREATE (t:KgragEntity:Kgrag_Task {id: $c + ':t', collection: $c, type: 'Task', name: 'Secret merger prep', normalizedName: 'secret merger prep', status: 'blocked', estimateHours: 1000.0})
       CREATE (j:KgragEntity:Kgrag_Person {id: $c + ':j', collection: $c, type: 'Person', name: 'Jane Smith', normalizedName: 'jane smith', salaryUsd: 999999})
       CREATE (s:KgragEntity:Kgrag_Person {id: $c + ':s', collection: $c, type: 'Person', name: 'Shadow Report', normalizedName: 'shadow report', salaryUsd: 1})
       CREATE (s)-[:REPORTS_TO]->(j), (t)-[:ASSIGNED_TO]->(s)`,
      { c: other },
    );
    app.catalogs.invalidate();
  }, 240_000);
  afterAll(async () => {
    await dropCollections(app, [kb, other]);
    await app.close();
  });

  it('counts exactly, with the Cypher and its parameters', async () => {
    const r = await ask('How many tasks are blocked?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([{ count: 6 }]);
    expect(r.answer).toBe('There are 6 tasks with status blocked.');
    expect(r.found).toBe(true);
    const run = r.cypher.find((c) => c.origin === 'parser')!;
    // The value is a parameter, never part of the text; the caller's collections are applied.
    expect(run.query).not.toContain('blocked');
    expect(run.params).toMatchObject({ collections: [kb] });
    expect(Object.values(run.params)).toContain('blocked');
  });

  it.each([
    ['Which employees report to Jane Smith?', ['David Okafor', 'Emily Doe', 'Laura Becker', 'Omar Haddad', 'Sarah Kim']],
    ['Which tasks due before 2025-06-01 are not completed?', ['Basket analysis prototype', 'HL7 feed connector', 'Northwind point-of-sale data export']],
    ['Who earns more than $200,000?', ['Jane Smith', 'Maria Lopez', 'Omar Haddad', 'Sarah Kim']],
    ['Which tasks have no assignee?', ['Penetration test remediation']],
    ['Which companies were founded before 2000?', ['Blue Harbor Bank', 'Globex Corporation', 'Northwind Traders']],
  ])('lists: %s', async (question, expected) => {
    const r = await ask(question);
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((row) => row.name).sort()).toEqual([...expected].sort());
  });

  it('aggregates, ranks and follows relationships', async () => {
    expect((await ask('What is the average salary in Engineering?')).rows[0]!.value).toBeCloseTo(138888.89, 1);
    expect((await ask('What is the total budget of active projects?')).rows[0]!.value).toBe(2530000);
    expect((await ask('Who are the 3 highest-paid employees?')).rows.map((r) => r.name)).toEqual(['Jane Smith', 'Omar Haddad', 'Sarah Kim']);
    expect((await ask('Top 3 people by number of open tasks')).rows.map((r) => r.name)).toEqual(['Tom Harris', 'Ana Silva', 'Hannah Weber']);
    expect((await ask('How many tasks assigned to John Doe are completed?')).rows).toEqual([{ count: 4 }]);
    expect((await ask("What is Priya Natarajan's chain of command, up to the top?")).rows.map((r) => r.name)).toEqual(['John Doe', 'Maria Lopez', 'Omar Haddad', 'Jane Smith']);
    // A misspelt name still finds its person.
    expect((await ask('How many tasks are assigned to Tom Haris?')).rows).toEqual([{ count: 5 }]);
    expect((await ask("Who is John Doe's manager's manager?")).rows.map((r) => r.name)).toEqual(['Omar Haddad']);
    expect((await ask('In which office does the lead of Project Helix work?')).rows.map((r) => r.name)).toEqual(['Austin office']);
    // A tie at the top is reported whole.
    expect((await ask('Who has worked at Acme the longest?')).rows.map((r) => r.name).sort()).toEqual(['Jane Smith', 'Omar Haddad']);
  });

  it('answers durations and relative dates against the reference date', async () => {
    const r = await ask('How many years has Priya Natarajan been with the company?');
    expect(r.rows[0]).toMatchObject({ name: 'Priya Natarajan', years: 5.9 });
    expect((await ask('How many tasks are overdue?')).rows).toEqual([{ count: 12 }]);
    expect((await ask('How many days are left until Project Atlas is scheduled to end?')).rows[0]).toMatchObject({ days: 92 });
    // Yes/no: the condition checked on the named node.
    expect((await ask('Was Tom Harris hired less than two years ago?')).answer).toMatch(/^Yes\b/);
    expect((await ask('Was Jane Smith hired less than two years ago?')).answer).toMatch(/^No\b/);
  });

  it('never counts or names what another collection holds', async () => {
    // The other collection has a blocked task, a richer "Jane Smith" and someone reporting to her.
    expect((await ask('How many tasks are blocked?')).rows).toEqual([{ count: 6 }]);
    const reports = await ask('Which employees report to Jane Smith?');
    expect(reports.rows.map((r) => r.name)).not.toContain('Shadow Report');
    expect((await ask('What is the highest salary in the Sales department?')).rows[0]!.value).toBe(190000);
    // And the other way round: only what the other collection holds.
    expect((await ask('How many tasks are blocked?', [other])).rows).toEqual([{ count: 1 }]);
    for (const c of (await ask('Which employees report to Jane Smith?', [other])).cypher) expect(c.params.collections).toEqual([other]);
  });

  it('answers open questions from the documents with verbatim, collection-scoped citations', async () => {
    const r = await ask('What award did Acme Analytics win for 2024?');
    expect(r.plan.strategy).toBe('semantic');
    expect(r.found).toBe(true);
    expect(r.answer).toContain('Boston Data Innovation Award');
    expect(r.citations.length).toBeGreaterThan(0);
    const c = r.citations[0]!;
    expect(r.answer).toContain(`[${c.n}]`);
    const [chunk] = await app.db.read('MATCH (c:Chunk {id: $id})-[:PART_OF]->(d:Document) RETURN c.text AS text, c.collection AS collection, d.id AS doc, d.title AS title', { id: c.chunkId });
    expect(chunk).toMatchObject({ collection: kb, doc: c.documentId, title: c.title });
    expect(String(chunk!.text)).toContain(c.quote);
  });

  it('combines both: the graph names who is meant, the documents say the rest', async () => {
    const r = await ask("What award did the senior software engineer on John Doe's team win?");
    expect(r.plan.strategy).toBe('hybrid');
    // The records resolve "the senior software engineer on John Doe's team"; a document names the award.
    expect(r.rows.map((row) => row.name)).toEqual(['Priya Natarajan']);
    expect(r.answer).toContain('Engineer of the Year');
    expect(r.citations[0]!.quote).toContain('Priya Natarajan');

    // The other way round: a document says who is meant, the records answer about them.
    const d = await ask('How many tasks are assigned to the person who ran infrastructure at Initech?');
    expect(d.plan.strategy).toBe('hybrid');
    expect(d.rows).toEqual([{ count: 5 }]);
    expect(d.citations[0]!.quote).toContain('Alex Novak, who ran infrastructure at Initech');
  });

  it('says so when neither the graph nor the documents hold the answer', async () => {
    for (const question of ["What is John Doe's phone number?", 'When did Project Zephyr start?', "What is Jane Smith's date of birth?"]) {
      const r = await ask(question);
      expect(r.found, question).toBe(false);
      expect(r.plan.strategy, question).toBe('none');
      expect(r.answer, question).toMatch(/does not contain|could not answer/i);
    }
    // A record that lacks the asked property is not an answer either.
    expect((await ask('How much does Margaret Holloway earn?')).found).toBe(false);
  });

  it('treats hostile text in a question as data: nothing is written, nothing leaks', async () => {
    const count = () => app.db.read('MATCH (n) WHERE n.collection IN $c RETURN count(n) AS n', { c: [kb, other] });
    const before = await count();
    for (const question of [
      "How many tasks are blocked' OR 1=1 //?",
      'Which tasks have "}) MATCH (n) DETACH DELETE n //" in the title?',
      'List tasks named `Task` RETURN 1 UNION MATCH (x) RETURN x',
      'How many tasks have status "blocked\\"}) DETACH DELETE n"?',
    ]) {
      const r = await ask(question);
      for (const run of r.cypher.filter((c) => c.origin === 'parser')) {
        expect(run.query).not.toMatch(/DELETE|UNION|1=1/);
        expect(run.params.collections).toEqual([kb]);
      }
    }
    expect(await count()).toEqual(before);
  });

  it('refuses an empty or oversized question with a clear error', async () => {
    await expect(ask('   ')).rejects.toThrow(/empty/);
    await expect(ask('why '.repeat(1000))).rejects.toThrow(/longer than/);
    await expect(askKgrag(app, 'How many tasks?', { collections: [kb], asOf: 'yesterday' })).rejects.toThrow(/YYYY-MM-DD/);
  });
});

/**
 * A graph kgrag did not build: no collections, no documents, labels and property names of its own.
 * The parser maps questions onto it from the live catalog alone.
 */
describe('ask on a graph built outside kgrag', () => {
  let app: Kgrag;

  beforeAll(async () => {
    app = await openTestApp();
    await app.db.write('MATCH (n) WHERE n:Vessel OR n:Harbour OR n:Shipowner DETACH DELETE n');
    await app.db.write(`
      CREATE (rot:Harbour {harbourName: 'Rotterdam', country: 'Netherlands'}), (sin:Harbour {harbourName: 'Singapore', country: 'Singapore'})
      CREATE (mae:Shipowner {ownerName: 'Maersk Line', founded: 1928}), (cos:Shipowner {ownerName: 'Cosco Shipping', founded: 1961})
      WITH rot, sin, mae, cos
      UNWIND [
        {n: 'Emma Maersk', t: 170794, b: 2006, h: rot, o: mae}, {n: 'Madrid Maersk', t: 214286, b: 2017, h: rot, o: mae},
        {n: 'Cosco Pride', t: 90000, b: 2011, h: sin, o: cos}, {n: 'Cosco Glory', t: 141823, b: 2014, h: rot, o: cos},
        {n: 'Little Tern', t: 4500, b: 1998, h: sin, o: mae}
      ] AS v
      WITH v, v.h AS h, v.o AS o
      CREATE (s:Vessel {vesselName: v.n, grossTonnage: v.t, yearBuilt: v.b, imoNumber: CASE WHEN v.b > 2010 THEN 'IMO' + toString(v.t) END})
      CREATE (s)-[:DOCKED_AT]->(h), (s)-[:OWNED_BY]->(o)`);
  });
  afterAll(async () => {
    await app.db.write('MATCH (n) WHERE n:Vessel OR n:Harbour OR n:Shipowner DETACH DELETE n');
    await app.close();
  });
  const ask = (q: string) => askKgrag(app, q, { collections: null, asOf: '2025-01-01' });

  it('maps counts, filters, aggregates and rankings onto its labels and relationships', async () => {
    expect((await ask('How many vessels are docked at Rotterdam?')).rows).toEqual([{ count: 3 }]);
    expect((await ask('Which vessels have a gross tonnage over 150000?')).rows.map((r) => r.name).sort()).toEqual(['Emma Maersk', 'Madrid Maersk']);
    const avg = await ask('What is the average gross tonnage of vessels owned by Maersk Line?');
    expect(avg.rows[0]!.value).toBeCloseTo((170794 + 214286 + 4500) / 3, 3);
    expect((await ask('Which 2 vessels are the oldest?')).rows.map((r) => r.name)).toEqual(['Little Tern', 'Emma Maersk']);
    expect((await ask('Which vessels were built after 2010 and are owned by Cosco Shipping?')).rows.map((r) => r.name).sort()).toEqual(['Cosco Glory', 'Cosco Pride']);
    expect((await ask("Which vessels have a name starting with 'Cosco'?")).rows.map((r) => r.name).sort()).toEqual(['Cosco Glory', 'Cosco Pride']);
    expect((await ask("Which vessels have an 'imoNumber' listed?")).rows.map((r) => r.name).sort()).toEqual(['Cosco Glory', 'Cosco Pride', 'Madrid Maersk']);
    // Counts of related nodes as a condition.
    expect((await ask('Which shipowners have more than 2 vessels?')).rows.map((r) => r.name)).toEqual(['Maersk Line']);
    const r = await ask('How many vessels are docked at Rotterdam?');
    expect(r.plan.strategy).toBe('structured');
    // No collection filter on a graph without collections.
    expect(r.cypher[0]!.query).not.toContain('collection');
  });

  it('returns strategy none with a helpful message instead of a wrong query', async () => {
    const r = await ask('What colour is the captain of the Emma Maersk?');
    expect(r.plan.strategy).toBe('none');
    expect(r.found).toBe(false);
    expect(r.rows).toEqual([]);
    expect(r.plan.message).toMatch(/colour|captain/);
  });
});
