import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askKgrag, type Kgrag } from '../../src/app.ts';
import { openTestApp } from '../helpers.ts';

/**
 * English over a small graph built outside kgrag, whose names none of the parser's word lists
 * mention: nouns in -ie ("smoothies" / Smoothie), role nouns derived from relationship types
 * ("tasters" from TASTED), quoted values kept whole, a second asked-for column, and calibrated
 * abstention ("did you mean") when a number or a ranking criterion is left unplaced.
 */
describe('ask: general English on a graph kgrag did not build', () => {
  let app: Kgrag;
  const wipe = () => app.db.write('MATCH (n) WHERE n:Cook OR n:Smoothie DETACH DELETE n');

  beforeAll(async () => {
    app = await openTestApp();
    await wipe();
    await app.db.write(`
      CREATE (ana:Cook {name: 'Ana Ruiz', born: 1971}), (ben:Cook {name: 'Ben Okafor', born: 1985}), (cy:Cook {name: 'Cy Park', born: 1992})
      CREATE (g:Smoothie {title: 'Green Dream', year: 2019, tagline: 'Sweet, but sharp'}),
             (m:Smoothie {title: 'Mango Tide', year: 2021, tagline: 'Sunny and thick'}),
             (b:Smoothie {title: 'Berry Storm', year: 2015, tagline: 'Dark, deep, tart'}),
             (o:Smoothie {title: 'Oat Cloud', year: 2023, tagline: 'Soft and mild'})
      CREATE (ana)-[:BLENDED]->(g), (ana)-[:BLENDED]->(b), (ben)-[:BLENDED]->(m), (cy)-[:BLENDED]->(o)
      CREATE (ben)-[:TASTED {score: 80}]->(g), (cy)-[:TASTED {score: 95}]->(g), (ana)-[:TASTED {score: 60}]->(m)`);
  });
  afterAll(async () => {
    await wipe();
    await app.close();
  });
  const ask = (q: string) => askKgrag(app, q, { collections: null, asOf: '2025-01-01' });

  it('meets plural nouns in -ie with their label', async () => {
    const r = await ask('How many smoothies are there?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([{ count: 4 }]);
  });

  it('reads role nouns derived from a relationship type, from both ends', async () => {
    const tasters = await ask("Who are the tasters of 'Green Dream'?");
    expect(tasters.plan.strategy).toBe('structured');
    expect(tasters.rows.map((r) => r.name).sort()).toEqual(['Ben Okafor', 'Cy Park']);
    const count = await ask('How many tasters are there?');
    expect(count.rows).toEqual([{ count: 3 }]);
  });

  it('keeps a quoted value whole, commas included, and matches it on the property that holds it', async () => {
    const r = await ask("Which smoothie has the tagline 'Sweet, but sharp'?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['Green Dream']);
  });

  it('returns a second column the question asks for', async () => {
    const r = await ask('List the smoothies and their years.');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toContainEqual(expect.objectContaining({ name: 'Oat Cloud', year: 2023 }));
  });

  it('declines a ranking without a criterion and offers its reading with Cypher instead', async () => {
    const r = await ask('List the top 2 smoothies.');
    expect(r.plan.strategy).toBe('none');
    expect(r.rows).toEqual([]);
    expect(r.plan.alternatives?.length).toBeGreaterThan(0);
    expect(r.plan.alternatives![0]!.cypher).toMatch(/MATCH \(n0:`Smoothie`\)/);
    expect(r.plan.alternatives![0]!.description).toMatch(/rank/);
  });

  it('declines when a number is left unplaced, rather than dropping it', async () => {
    const r = await ask('Which cooks blended smoothie 7?');
    expect(r.plan.strategy).toBe('none');
    expect(r.plan.message).toMatch(/7/);
    expect(r.cypher.filter((c) => c.origin === 'parser' && c.rows !== undefined)).toEqual([]);
  });

  it('declines when two relationship types join the same labels and no word picks one, offering each path', async () => {
    const r = await ask("List the cooks of 'Green Dream'.");
    expect(r.plan.strategy).toBe('none');
    expect(r.rows).toEqual([]);
    expect(r.plan.message).toMatch(/More than one relationship/);
    const cyphers = (r.plan.alternatives ?? []).map((a) => a.cypher);
    expect(cyphers.some((c) => c.includes('`BLENDED`'))).toBe(true);
    expect(cyphers.some((c) => c.includes('`TASTED`'))).toBe(true);
    // A verb of the question names the type: then it is an answer.
    const tasted = await ask("Which cooks tasted 'Green Dream'?");
    expect(tasted.plan.strategy).toBe('structured');
    expect(tasted.rows.map((x) => x.name).sort()).toEqual(['Ben Okafor', 'Cy Park']);
  });

  it('answers with the reading the asker chose among those offered, and refuses one it did not offer', async () => {
    const offered = await ask("List the cooks of 'Green Dream'.");
    const tastedAt = (offered.plan.alternatives ?? []).findIndex((a) => a.cypher.includes('`TASTED`'));
    expect(tastedAt).toBeGreaterThanOrEqual(0);
    const chosen = await askKgrag(app, "List the cooks of 'Green Dream'.", { collections: null, asOf: '2025-01-01', reading: tastedAt });
    expect(chosen.plan.strategy).toBe('structured');
    expect(chosen.found).toBe(true);
    expect(chosen.rows.map((x) => x.name).sort()).toEqual(['Ben Okafor', 'Cy Park']);
    expect(chosen.plan.steps.some((s) => s.detail.startsWith('Reading chosen by the asker'))).toBe(true);
    await expect(askKgrag(app, "List the cooks of 'Green Dream'.", { collections: null, asOf: '2025-01-01', reading: 7 })).rejects.toThrow(/no reading 7/);
  });
});

/**
 * Answers that say what they rest on: a count the question filtered on is returned with the rows,
 * a ranking of records names each by its key (display names repeat), the head of an English noun
 * compound is the target, and a property named outright beats a word that only shares its root.
 */
describe('ask: what the rows of an answer carry, on a graph kgrag did not build', () => {
  let app: Kgrag;
  const wipe = () => app.db.write('MATCH (n) WHERE n:Gardener OR n:Seedling OR n:Tray OR n:Spade DETACH DELETE n');

  beforeAll(async () => {
    app = await openTestApp();
    await wipe();
    await app.db.write(`
      CREATE (ida:Gardener {name: 'Ida Lund', contactName: 'Ida', homePage: 'https://lund.example'}),
             (olu:Gardener {name: 'Olu Ade', contactName: 'Olu', homePage: 'none'})
      CREATE (t1:Tray {trayId: 'T1', name: 'Bench tray', capacity: 12}),
             (t2:Tray {trayId: 'T2', name: 'Bench tray', capacity: 30}),
             (t3:Tray {trayId: 'T3', name: 'Window tray', capacity: 8})
      CREATE (s1:Seedling {name: 'Basil'}), (s2:Seedling {name: 'Chard'}), (s3:Seedling {name: 'Kale'}), (s4:Seedling {name: 'Leek'})
      CREATE (ida)-[:PLANTED]->(s1), (ida)-[:PLANTED]->(s2), (ida)-[:PLANTED]->(s3), (olu)-[:PLANTED]->(s4)
      CREATE (s1)-[:GROWS_IN]->(t1), (s2)-[:GROWS_IN]->(t1), (s3)-[:GROWS_IN]->(t2), (s4)-[:GROWS_IN]->(t3)
      CREATE (ida)-[:USES]->(:Spade {spade: 7, weight: 2}), (olu)-[:USES]->(:Spade {spade: 9, weight: 3})`);
  });
  afterAll(async () => {
    await wipe();
    await app.close();
  });
  const ask = (q: string) => askKgrag(app, q, { collections: null, asOf: '2025-01-01' });

  it('returns the count a list was filtered on', async () => {
    const r = await ask('Which gardeners planted more than 2 seedlings?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([expect.objectContaining({ name: 'Ida Lund', count: 3 })]);
  });

  it('names each ranked record by its key beside a display name that repeats', async () => {
    const r = await ask('Which 2 trays have the largest capacity?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([
      { name: 'Bench tray', key: 'T2', value: 30 },
      { name: 'Bench tray', key: 'T1', value: 12 },
    ]);
  });

  it('takes the last noun of a noun compound as the target', async () => {
    const r = await ask('How many seedling trays are there?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([{ count: 3 }]);
  });

  it('names a node without a name by the property named like its label, not by an internal id', async () => {
    const r = await ask("Which spades does 'Ida Lund' use?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual([7]);
  });

  it('declines a ranking by a measure it cannot place instead of listing the first rows', async () => {
    const r = await ask('List the first 2 trays by the number of visitors.');
    expect(r.plan.strategy).toBe('none');
    expect(r.rows).toEqual([]);
  });

  it('filters on the property the question names, not on a word that shares its root', async () => {
    const r = await ask("Which gardeners have a home page containing 'lund'?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['Ida Lund']);
  });
});

/**
 * Every constraint of the question placed, or no answer: a qualifier the query would drop, a total
 * compared; and the English that places them: "at least" is a comparison, not a superlative, a
 * relationship property named next to its value owns the comparison, "2 million" is one number,
 * "starting with 'AB'" is a pattern, "IDs" names identifiers, and a name shared by more nodes than
 * a lookup returns still finds them all.
 */
describe('ask: every constraint placed or declined, on a graph kgrag did not build', () => {
  let app: Kgrag;
  const wipe = () => app.db.write('MATCH (n) WHERE n:Gizmo OR n:Bin OR n:Buyer OR n:Zone DETACH DELETE n');

  beforeAll(async () => {
    app = await openTestApp();
    await wipe();
    await app.db.write(`
      CREATE (b1:Bin {name: 'North bin', binId: 'B1', zone: 1, gizmoSlots: 5}), (b2:Bin {name: 'South bin', binId: 'B2', zone: 2, gizmoSlots: 9})
      CREATE (:Zone {zone: 1, name: 'Zone one'}), (:Zone {zone: 2, name: 'Zone two'})
      CREATE (g1:Gizmo {name: 'Sprocket', code: 'AB', weight: 2, stockCount: 0, unitsBought: 0, price: 1500000, origin: 'ID', tags: ['metal', 'small'], payerNote: 'cash'}),
             (g2:Gizmo {name: 'Flange', code: 'AB-7', weight: 2, stockCount: 5, unitsBought: 3, price: 3000000, origin: 'NZ'}),
             (g3:Gizmo {name: 'Gasket', code: 'XY', weight: 9, stockCount: 1, unitsBought: 0, price: 20, origin: 'NZ'})
      CREATE (g1)-[:STORED_IN]->(b1), (g2)-[:STORED_IN]->(b1), (g3)-[:STORED_IN]->(b2)
      CREATE (u1:Buyer {name: 'Vera Holm'}), (u2:Buyer {name: 'Tom Reed'})
      CREATE (u1)-[:BOUGHT {discount: 0}]->(g2), (u1)-[:BOUGHT {discount: 4}]->(g3), (u2)-[:BOUGHT {discount: 4}]->(g3), (u2)-[:BOUGHT {discount: 3}]->(g1)
      CREATE (:Buyer {name: 'Ola Berg'})-[:BOUGHT {discount: 1}]->(g1)
      SET u1.payments = [10, 20] CREATE (u1)-[:PAYS]->(g2)
      WITH b2 UNWIND range(1, 60) AS i
      CREATE (:Gizmo {name: 'Clone', code: 'CL-' + toString(i), weight: 1, stockCount: 1, unitsBought: 0, price: 1, origin: 'NZ'})-[:STORED_IN]->(:Bin {name: 'Clone bin ' + toString(i), binId: 'C' + toString(i)})`);
  });
  afterAll(async () => {
    await wipe();
    await app.close();
  });
  const ask = (q: string) => askKgrag(app, q, { collections: null, asOf: '2025-01-01' });

  it('declines when a property the question names is left out of the query ("still in stock")', async () => {
    const r = await ask('Which gizmos have a weight of 2 and are still in stock?');
    expect(r.plan.strategy).toBe('none');
    expect(r.plan.message).toMatch(/stock/);
    expect(r.rows).toEqual([]);
  });

  it('reads "at least one" as a comparison, not as a ranking by the fewest', async () => {
    const r = await ask('Which bins have at least one gizmo with a weight over 5?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['South bin']);
  });

  it('compares the relationship property named next to the value, not a node property sharing a root with the verb', async () => {
    const r = await ask('Which gizmos have been bought with a discount of 0?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['Flange']);
  });

  it('declines a comparison of a total it would apply to each value', async () => {
    const r = await ask('Which buyers bought gizmos with a total discount greater than 5?');
    expect(r.plan.strategy).toBe('none');
    expect(r.plan.message).toMatch(/total/i);
    expect(r.rows).toEqual([]);
  });

  it('reads "2 million" as one number', async () => {
    const r = await ask('Which gizmos have a price over 2 million?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['Flange']);
  });

  it('reads quoted text after "starting with" as a prefix, even when a value equals it', async () => {
    const r = await ask("Which gizmos have a code starting with 'AB'?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name).sort()).toEqual(['Flange', 'Sprocket']);
  });

  it('reads "IDs" as identifiers, not as a stored value', async () => {
    const r = await ask('What are the bin IDs?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toHaveLength(62);
  });

  it('finds every node of a name that more nodes share than a lookup returns', async () => {
    const r = await ask("How many bins store a gizmo named 'Clone'?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([{ count: 60 }]);
  });

  it('counts per node of the label after "each", every group listed', async () => {
    const r = await ask('How many gizmos are there in each bin?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toHaveLength(62);
    expect(r.rows[0]).toMatchObject({ name: 'North bin', value: 2 });
  });

  it('ranks the values of a property by how many nodes share them ("most common")', async () => {
    const r = await ask('What are the 2 most common origins of gizmos?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([{ name: 'NZ', value: 62 }, { name: 'ID', value: 1 }]);
  });

  it('lists nodes without a key whose names repeat once per name, with how many', async () => {
    const r = await ask('List the gizmos.');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([{ name: 'Clone', nodes: 60 }, { name: 'Flange', nodes: 1 }, { name: 'Gasket', nodes: 1 }, { name: 'Sprocket', nodes: 1 }]);
    expect(r.answer).toMatch(/63 gizmos/i);
  });

  it('counts related nodes from each target for a count filter', async () => {
    const r = await ask('Which buyers bought gizmos stored in more than one bin?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name).sort()).toEqual(['Tom Reed', 'Vera Holm']);
  });

  it('declines to rank nodes by a property of their many relationships without a total or average', async () => {
    const r = await ask('Which buyer has the highest discount?');
    expect(r.plan.strategy).toBe('none');
    expect(r.rows).toEqual([]);
  });

  it('declines "the most bought" read as a property that only shares the verb', async () => {
    const r = await ask('What are the 2 most bought gizmos?');
    expect(r.plan.strategy).toBe('none');
    expect(r.rows).toEqual([]);
  });

  it('reads a noun and its number as a property of the node before it ("bins in zone 2")', async () => {
    const r = await ask('Which bins are in zone 2?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['South bin']);
  });

  it('ranks by the average that a superlative qualifies ("the highest average price")', async () => {
    const r = await ask('Which bin has the highest average price of gizmos?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows[0]).toMatchObject({ name: 'North bin', value: 2250000 });
  });

  it('declines a count of a stored value instead of showing the value', async () => {
    const r = await ask("What is the total number of tags of 'Sprocket'?");
    expect(r.plan.strategy).toBe('none');
    expect(r.rows).toEqual([]);
  });

  it('declines a noun that names both a property and a relationship of the node', async () => {
    const r = await ask("What are the payments of 'Vera Holm'?");
    expect(r.plan.strategy).toBe('none');
    expect(r.plan.message).toMatch(/PAYS/);
  });

  it('counts the nodes of a label the word names, not a property that shares the word', async () => {
    const r = await ask('Which bin has the most gizmos?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows[0]).toMatchObject({ name: 'North bin', value: 2 });
  });

  it('takes a role noun before any label noun as the target ("the payers of gizmos")', async () => {
    const r = await ask('List the payers of gizmos.');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['Vera Holm']);
  });

  it('scopes a negation over the node a negated role noun joins', async () => {
    const r = await ask('How many buyers have not been a payer of any gizmos?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([{ count: 2 }]);
  });

  it('reads a role noun that modifies a property phrase as part of the phrase ("a payer note")', async () => {
    const r = await ask("Which gizmos have a payer note 'cash'?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['Sprocket']);
  });
});
