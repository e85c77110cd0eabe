import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askKgrag, type Kgrag } from '../../src/app.ts';
import { openTestApp } from '../helpers.ts';

/** A made-up graph for one describe block: created before its tests, its labels' nodes deleted after. */
function madeUpGraph(labels: string[], create: string): { app: () => Kgrag; ask: (q: string) => ReturnType<typeof askKgrag> } {
  let app: Kgrag;
  const wipe = () => app.db.write(`MATCH (n) WHERE ${labels.map((l) => `n:${l}`).join(' OR ')} DETACH DELETE n`);
  beforeAll(async () => {
    app = await openTestApp();
    await wipe();
    await app.db.write(create);
  });
  afterAll(async () => {
    await wipe();
    await app.close();
  });
  return { app: () => app, ask: (q) => askKgrag(app, q, { collections: null, asOf: '2025-01-01' }) };
}

/**
 * More general English over a made-up graph kgrag did not build: a node's own designation (a
 * property named like its label) shown with its name, generic head nouns after a property's word
 * ("email addresses", "tank capacity"), plurals of acronyms ("PCs") and a lower-case name after
 * "named".
 */
describe('ask: property phrases and names on a graph kgrag did not build', () => {
  const { ask } = madeUpGraph(['Kiosk', 'Grade'], `
      CREATE (g1:Grade {id: 1, name: 'g-1/2', grade: 'gold', fee: 30}), (g2:Grade {id: 2, name: 's-4/8', grade: 'silver', fee: 20}),
             (g3:Grade {id: 3, name: 'b-9/9', grade: 'bronze', fee: 10})
      CREATE (k1:Kiosk {name: 'nimbus', email: 'nimbus@kiosk.test', pc: 'NB-1', tank: 800}),
             (k2:Kiosk {name: 'zephyr', email: 'zephyr@kiosk.test', pc: 'ZP-2', tank: 300}),
             (k3:Kiosk {name: 'boreal', email: 'boreal@kiosk.test', pc: 'BR-3', tank: 600})
      CREATE (k1)-[:RATED]->(g1), (k2)-[:RATED]->(g2), (k3)-[:RATED]->(g3)`);

  it('shows the property named like the label beside the display name, in lists and rankings', async () => {
    const list = await ask("What grades do kiosks with a tank over 500 have?");
    expect(list.plan.strategy).toBe('structured');
    expect(list.rows).toEqual(expect.arrayContaining([expect.objectContaining({ name: 'g-1/2', grade: 'gold' }), expect.objectContaining({ name: 'b-9/9', grade: 'bronze' })]));
    expect(list.rows).toHaveLength(2);
    const top = await ask('List the top 2 grades by fee.');
    expect(top.plan.strategy).toBe('structured');
    expect(top.rows.map((r) => [r.grade, r.value])).toEqual([['gold', 30], ['silver', 20]]);
  });

  it('reads a generic head noun after a property word as part of the property', async () => {
    const r = await ask('What are the email addresses of kiosks with a grade of silver?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([expect.objectContaining({ name: 'zephyr', email: 'zephyr@kiosk.test' })]);
    const big = await ask('Which kiosk has the largest tank capacity?');
    expect(big.plan.strategy).toBe('structured');
    expect(big.rows.map((x) => x.name)).toEqual(['nimbus']);
  });

  it('meets the plural of an acronym with its property', async () => {
    const r = await ask('List the PCs of kiosks with a tank below 700.');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.pc).sort()).toEqual(['BR-3', 'ZP-2']);
  });

  it('returns the names of related nodes the question asks for with "and their"', async () => {
    const r = await ask('List the kiosks and their respective grades.');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toContainEqual(expect.objectContaining({ name: 'nimbus', Grade: ['g-1/2'] }));
    expect(r.rows).toHaveLength(3);
  });

  it('reads "but" between two conditions as "and"', async () => {
    const r = await ask('Which kiosks have a tank over 500 but a PC of BR-3?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['boreal']);
    const small = await ask('Which kiosks have a tank below 700 but over 400?');
    expect(small.plan.strategy).toBe('structured');
    expect(small.rows.map((x) => x.name)).toEqual(['boreal']);
  });

  it('reads a lower-case word after "named" as a name', async () => {
    const r = await ask('What is the grade of the kiosk named boreal?');
    expect(r.plan.strategy).toBe('structured');
    expect(JSON.stringify(r.rows)).toContain('bronze');
  });
});

describe('ask: "N times" after a verb counts its relationships, on a graph kgrag did not build', () => {
  // A property named with the same verb ("borrowedCopies") must not take the number.
  const { ask, app } = madeUpGraph(['Reader', 'Tome'], `
      CREATE (r1:Reader {name: 'Quill'}), (r2:Reader {name: 'Rhea'}), (r3:Reader {name: 'Soren'})
      CREATE (t1:Tome {title: 'Kelp Atlas', borrowedCopies: 1}), (t2:Tome {title: 'Moth Ledger', borrowedCopies: 9})
      CREATE (r1)-[:BORROWED]->(t1), (r2)-[:BORROWED]->(t1), (r3)-[:BORROWED]->(t1), (r1)-[:BORROWED]->(t1), (r2)-[:BORROWED]->(t2)`);

  it('reads "borrowed more than 2 times" as a count of BORROWED, every borrowing counted', async () => {
    const r = await ask('Which tomes have been borrowed more than 2 times?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['Kelp Atlas']);
    // Four borrowings by three readers: "times" counts the relationships, not the readers.
    const four = await ask('Which tomes were borrowed more than 3 times?');
    expect(four.rows.map((x) => x.name)).toEqual(['Kelp Atlas']);
  });

  it('ranks by how often the verb before "the most times" occurs', async () => {
    const r = await ask('Which tome has been borrowed the most times?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['Kelp Atlas']);
    expect(r.rows[0]!.value).toBe(4);
  });

  it('says a list cut at the row cap is longer, not that it has that many', async () => {
    const cut = await askKgrag(app(), 'List the readers.', { collections: null, limit: 2 });
    expect(cut.plan.strategy).toBe('structured');
    expect(cut.rows).toHaveLength(2);
    expect(cut.answer).toMatch(/^More than 2 readers\b/);
    const whole = await askKgrag(app(), 'List the readers.', { collections: null, limit: 3 });
    expect(whole.rows).toHaveLength(3);
    expect(whole.answer).toMatch(/^3 readers\b/);
  });

  it('does not read "N times the …" as a count', async () => {
    const r = await ask('Which tomes were borrowed 3 times the average?');
    expect(r.plan.strategy).toBe('none');
  });
});

describe('ask: a verb between two nouns joins them, on a graph kgrag did not build', () => {
  // Agents keep a stale copy of an outlet number (`outlets`), and chores also run on servers and
  // feed outlets (busier relationships than the agents' RUNS): only RUNS then FEEDS answers right.
  const { ask } = madeUpGraph(['Server', 'Agent', 'Chore', 'Outlet'], `
      CREATE (s1:Server {name: 'sv-1'}), (s2:Server {name: 'sv-2'}), (s3:Server {name: 'sv-3'})
      CREATE (a1:Agent {name: 'ag-1', outlets: '9'}), (a2:Agent {name: 'ag-2', outlets: '7'})
      CREATE (c1:Chore {name: 'ch-1'}), (c2:Chore {name: 'ch-2'}), (c3:Chore {name: 'ch-3'}), (c4:Chore {name: 'ch-4'})
      CREATE (o5:Outlet {outlet: 5}), (o7:Outlet {outlet: 7}), (o9:Outlet {outlet: 9})
      CREATE (s1)-[:RUNS]->(a1), (s2)-[:RUNS]->(a2), (s3)-[:RUNS]->(a2),
             (s3)-[:RUNS]->(c1), (s1)-[:RUNS]->(c2), (s2)-[:RUNS]->(c3), (s2)-[:RUNS]->(c4),
             (a1)-[:FEEDS]->(o7), (a1)-[:FEEDS]->(o5), (a1)-[:FEEDS]->(o9), (a2)-[:FEEDS]->(o9), (a2)-[:FEEDS]->(o5),
             (c1)-[:FEEDS]->(o7), (c2)-[:FEEDS]->(o9), (c3)-[:FEEDS]->(o5), (c4)-[:FEEDS]->(o5)`);

  it.each([
    // "outlet 7" after a verb linking the two labels is the Outlet, not an Agent's `outlets`.
    ['Which agents feed outlet 7?', 'ag-1'],
    // The verb after a noun joins it to the noun that follows, not to the path before.
    ['Which servers are running agents that feed outlet 7?', 'sv-1'],
  ])('answers "%s" through the verbs', async (question, name) => {
    const r = await ask(question);
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual([name]);
  });
});

describe('ask: a count filtered through the counted nodes, on a graph kgrag did not build', () => {
  // Quill owns more ovens; Orla owns more Hestia ovens.
  const { ask } = madeUpGraph(['Baker', 'Oven', 'Brand'], `
      CREATE (h:Brand {name: 'Hestia'}), (v:Brand {name: 'Vulcana'})
      CREATE (o:Baker {name: 'Orla'}), (q:Baker {name: 'Quill'})
      CREATE (o)-[:OWNS]->(:Oven {name: 'o1'})-[:MADE_BY]->(h), (o)-[:OWNS]->(:Oven {name: 'o2'})-[:MADE_BY]->(h),
             (q)-[:OWNS]->(:Oven {name: 'q1'})-[:MADE_BY]->(h), (q)-[:OWNS]->(:Oven {name: 'q2'})-[:MADE_BY]->(v),
             (q)-[:OWNS]->(:Oven {name: 'q3'})-[:MADE_BY]->(v)`);

  it('counts only the related nodes the question filters', async () => {
    const r = await ask("Which baker owns the most ovens made by 'Hestia'?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([expect.objectContaining({ name: 'Orla', value: 2 })]);
    const all = await ask('Which baker owns the most ovens?');
    expect(all.rows).toEqual([expect.objectContaining({ name: 'Quill', value: 3 })]);
  });
});

describe('ask: choosing a path between labels on a graph kgrag did not build', () => {
  const { ask } = madeUpGraph(['Item', 'Book', 'Edition', 'Relay', 'Lamp', 'Zone', 'Crate', 'Parcel', 'Host', 'Job', 'Daemon', 'Socket', 'Cart', 'Size', 'Depot'], `
      CREATE (saw:Tool:Item {name: 'saw'}), (drill:Tool:Item {name: 'drill'}), (bolt:Part:Item {name: 'bolt'}), (kit:Part:Item {name: 'kit'})
      CREATE (saw)-[:NEEDS]->(bolt), (drill)-[:NEEDS]->(kit), (kit)-[:NEEDS]->(bolt)
      CREATE (dune:Book {name: 'Dune'})
      CREATE (dune)-[:EDITION]->(:Edition {name: 'First print'}), (dune)-[:CITES]->(:Edition {name: 'Other print'})
      CREATE (r1:Relay {name: 'R-1'}), (r2:Relay {name: 'R-2'})
      CREATE (a:Lamp {name: 'a'}), (b:Lamp {name: 'b'}), (c:Lamp {name: 'c'})
      CREATE (r1)-[:FEEDS]->(a), (r2)-[:FEEDS]->(b), (r2)-[:FEEDS]->(c), (a)-[:LINKS]->(b)
      CREATE (crate:Crate {name: 'c1'})-[:ZONE]->(:Zone {name: 'Z1'})
      CREATE (:Parcel {name: 'p1'})-[:PACKS]->(crate), (:Parcel {name: 'q1'})-[:SHIPS]->(crate)
      CREATE (h1:Host {name: 'h1'}), (h2:Host {name: 'h2'}), (s9:Socket {name: 's9'}), (s8:Socket {name: 's8'})
      CREATE (h1)-[:HOSTS]->(:Job {name: 'j1'})-[:USES]->(s9), (h2)-[:HOSTS]->(:Job {name: 'j2'})-[:USES]->(s9), (h2)-[:HOSTS]->(:Job {name: 'j3'})-[:USES]->(s8)
      CREATE (h2)-[:HOSTS]->(d:Daemon {name: 'd1'})-[:USES]->(s9), (:Daemon {name: 'd2'})-[:USES]->(s8)
      CREATE (big:Size {name: 'big'}), (d1:Depot {name: 'D1'}), (d2:Depot {name: 'D2'})
      CREATE (d1)-[:STORES]->(:Cart {name: 'cart-a'})-[:SIZE]->(big), (d2)-[:STORES]->(:Cart {name: 'cart-b'})-[:SIZE]->(big)`);

  it('takes the direct relationship a verb names, not a longer walk repeating it', async () => {
    const r = await ask("Which tools need the part 'bolt'?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['saw']);
  });

  it('reads a relationship named like the label the question names as that label’s link', async () => {
    const r = await ask("What editions does the book 'Dune' have?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['First print']);
  });

  it('still declines when the only cue is a relationship named like a label that every path shares', async () => {
    const r = await ask('Which zones have the most parcels?');
    expect(r.plan.strategy).toBe('none');
    expect(r.plan.message).toMatch(/More than one relationship/);
  });

  it('lets a label noun cue its like-named relationship only on the path of the node it names', async () => {
    const r = await ask("List the carts and their sizes in depot 'D1'.");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([expect.objectContaining({ name: 'cart-a', Size: ['big'] })]);
  });

  it('declines a path that goes out and back along one relationship type where a shorter one exists', async () => {
    const r = await ask("Which hosts are hosting daemons that use the socket 's9'?");
    expect(r.plan.strategy).toBe('none');
    expect(r.plan.message).toMatch(/More than one relationship/);
  });

  it('declines when a verb leads through a detour while a shorter relationship exists, offering both', async () => {
    const r = await ask("How many lamps are linked to relay 'R-1'?");
    expect(r.plan.strategy).toBe('none');
    expect(r.plan.message).toMatch(/More than one relationship/);
    const cyphers = (r.plan.alternatives ?? []).map((a) => a.cypher).join('\n');
    expect(cyphers).toMatch(/FEEDS/);
    expect(cyphers).toMatch(/LINKS/);
  });
});

describe('ask: a property word that owns its value, on a graph kgrag did not build', () => {
  const { ask } = madeUpGraph(['Gizmo'], `
      CREATE (:Gizmo {name: 'sprocket', color: 'red', state: 'shipped'}), (:Gizmo {name: 'widget', color: 'red', state: 'packed'}),
             (:Gizmo {name: 'gear', color: 'blue', state: 'packed'}), (:Gizmo {name: 'cog', color: 'red', state: 'lost'})`);

  it('does not let a property word that owns the value after it claim a later value of another property', async () => {
    const r = await ask("Which gizmos with color 'red' are not 'shipped'?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name).sort()).toEqual(['cog', 'widget']);
  }, 60_000);

  it('still doubts a value coordinated with the property word’s own value', async () => {
    const r = await ask("Which gizmos have color 'blue' or 'lost'?");
    expect(r.plan.strategy).not.toBe('structured');
  }, 60_000);
});

describe('ask: a list that finds nothing, on a graph kgrag did not build', () => {
  const { ask } = madeUpGraph(['Widget', 'Maker'], `
      CREATE (a:Maker {name: 'acme'}), (b:Maker {name: 'bolt'})
      CREATE (:Widget {name: 'w1', size: 'big'})-[:MADE_BY]->(a), (:Widget {name: 'w2', size: 'small'})-[:MADE_BY]->(a)`);

  it('offers a list reading that finds nothing instead of asserting there is none', async () => {
    const r = await ask("Which widgets are made by 'bolt'?");
    expect(r.plan.strategy).toBe('none');
    expect(r.found).toBe(false);
    expect(r.plan.alternatives).toHaveLength(1);
    expect(r.plan.alternatives![0]!.description).toMatch(/Maker/);
  }, 60_000);

  it('still answers zero to a count', async () => {
    const r = await ask("How many widgets are made by 'bolt'?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([{ count: 0 }]);
  }, 60_000);
});

describe('ask: one stored value of a named node, on a graph kgrag did not build', () => {
  const { ask } = madeUpGraph(['Beacon'], `CREATE (:Beacon {name: 'lumen', startTime: 100, channel: 4}), (:Beacon {name: 'lumen', startTime: 300, channel: 9}), (:Beacon {name: 'orbit', startTime: 500, channel: 2})`);

  it('does not show a named node’s stored value while leaving out a comparison the question makes', async () => {
    const r = await ask("What is the channel of the beacon named 'lumen' that started after 200?");
    expect(r.plan.strategy).toBe('none');
    const plain = await ask("What is the channel of the beacon named 'orbit'?");
    expect(plain.plan.strategy).toBe('structured');
    expect(plain.rows.map((x) => x.value)).toEqual([2]);
  }, 60_000);
});

describe('ask: "top N" without a criterion, a total of a related label\'s property, a node named by a property and a number, on a graph kgrag did not build', () => {
  // Brine has two lanterns, Gale four. Keepers and lanterns both have a code.
  const { ask } = madeUpGraph(['Lantern', 'Harbor', 'Keeper', 'Dock'], `
      CREATE (brine:Harbor {name: 'Brine'}), (gale:Harbor {name: 'Gale'})
      CREATE (d2:Dock {name: 'D-two', dock: 2}), (d5:Dock {name: 'D-five', dock: 5})
      CREATE (k7:Keeper {name: 'Ada', code: 7}), (k8:Keeper {name: 'Bo', code: 8})
      CREATE (l1:Lantern {name: 'amber', code: 8, watts: 100}), (l2:Lantern {name: 'beryl', code: 7, watts: 90}), (l3:Lantern {name: 'coral', code: 3, watts: 10}),
             (l4:Lantern {name: 'dusk', code: 4, watts: 10}), (l5:Lantern {name: 'ember', code: 5, watts: 10}), (l6:Lantern {name: 'flint', code: 6, watts: 10})
      CREATE (brine)-[:MOORS]->(l1), (brine)-[:MOORS]->(l2), (gale)-[:MOORS]->(l3), (gale)-[:MOORS]->(l4), (gale)-[:MOORS]->(l5), (gale)-[:MOORS]->(l6)
      CREATE (k7)-[:TENDS]->(l1), (k7)-[:TENDS]->(l3), (k8)-[:TENDS]->(l2)
      CREATE (l1)-[:HANGS_AT]->(d2), (l2)-[:HANGS_AT]->(d5), (l3)-[:HANGS_AT]->(d2)`);

  it('answers "the top 3" with no criterion when no more than 3 nodes qualify, and declines when more do', async () => {
    const few = await ask("What are the names of the top 3 lanterns moored in harbor 'Brine'?");
    expect(few.plan.strategy).toBe('structured');
    expect(few.rows.map((x) => x.name).sort()).toEqual(['amber', 'beryl']);
    const many = await ask("What are the names of the top 3 lanterns moored in harbor 'Gale'?");
    expect(many.plan.strategy).toBe('none');
    expect(many.plan.message).toMatch(/ranking/);
  }, 60_000);

  it('ranks by the total of a number property that only a related label has', async () => {
    const r = await ask('Show the top 2 harbors by total watts.');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => [x.name, x.value])).toEqual([['Brine', 190], ['Gale', 40]]);
  }, 60_000);

  it('reads a property word followed by a number as the value of the node named just before', async () => {
    const r = await ask('Which lanterns are tended by the keeper with code 7?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name).sort()).toEqual(['amber', 'coral']);
    // A number a comparison holds is compared, not matched.
    const compared = await ask('Which lanterns have watts 90 or above?');
    expect(compared.plan.strategy).toBe('structured');
    expect(compared.rows.map((x) => x.name).sort()).toEqual(['amber', 'beryl']);
  }, 60_000);

  it('reads "number" between a noun and a number as naming the node by that number', async () => {
    const r = await ask('Which lanterns hang at dock number 2?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name).sort()).toEqual(['amber', 'coral']);
  }, 60_000);
});

describe('ask: a relationship named by a role noun, counts in a state, totals read off a verb, on a graph kgrag did not build', () => {
  const { ask } = madeUpGraph(['Film', 'Studio', 'Gadget', 'Lender'], `
      CREATE (a:Studio {name: 'Arcadia'}), (b:Studio {name: 'Borealis'})
      CREATE (:Film {name: 'f1'})-[:DISTRIBUTOR]->(a), (:Film {name: 'f2'})-[:DISTRIBUTOR]->(b), (:Film {name: 'f3'})-[:DISTRIBUTOR]->(b)
      CREATE (ned:Lender {name: 'Ned'})
      CREATE (ned)-[:LOANED {pieces: 5}]->(:Gadget {name: 'lathe', unitsOnLoan: 3}), (ned)-[:LOANED {pieces: 1}]->(:Gadget {name: 'drill', unitsOnLoan: 0}),
             (:Gadget {name: 'press', unitsOnLoan: 2})`);

  it('reads a relationship type that is a role noun as naming its end node', async () => {
    const r = await ask('Which distributor has the most films?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([expect.objectContaining({ name: 'Borealis', value: 2 })]);
  }, 60_000);

  it('reads a count named "<noun> on <noun>" said of a node by its phrase alone as above zero', async () => {
    const r = await ask('Which gadgets are still on loan?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name).sort()).toEqual(['lathe', 'press']);
  }, 60_000);

  it('doubts a total of a property named with a verb of a relationship', async () => {
    const r = await ask("What is the total number of units loaned for gadgets by 'Ned'?");
    expect(r.plan.strategy).toBe('none');
    expect(r.plan.message).toMatch(/verb/);
  }, 60_000);
});

describe('ask: sums of money, participles, property names holding a label word and long lists, on a graph kgrag did not build', () => {
  // Grants carry an amount beside two other numbers (a latitude, a count) that a sum of money must not meet.
  const graph = madeUpGraph(
    ['Grant', 'Lab', 'Crate', 'Depot', 'Transit', 'Beacon'],
    `CREATE (x:Lab {name: 'Xylo'}), (y:Lab {name: 'Yarrow'}), (z:Lab {name: 'Zinnia'})
     CREATE (:Grant {name: 'g1', amount: 3000000, lat: 5000000.5, reviewers: 4000000})-[:AWARDED_TO]->(x),
            (:Grant {name: 'g2', amount: 2500000, lat: 10.5, reviewers: 3})-[:AWARDED_TO]->(x),
            (:Grant {name: 'g3', amount: 500000, lat: 9000000.5, reviewers: 9000000})-[:AWARDED_TO]->(y),
            (:Grant {name: 'g4', amount: 400000, lat: 9000000.5, reviewers: 9000000})-[:AWARDED_TO]->(y),
            (:Grant {name: 'g5', amount: 1200000, lat: 1.5, reviewers: 2})-[:AWARDED_TO]->(y),
            (:Grant {name: 'g6', amount: 100000, lat: 2.5, reviewers: 5})-[:AWARDED_TO]->(z)
     CREATE (n:Depot {name: 'North'}), (s:Depot {name: 'South'}), (t:Transit {name: 'van-1'})
     CREATE (:Crate {name: 'c1', boxesInTransit: 9})-[:STORED_IN]->(n), (:Crate {name: 'c2', boxesInTransit: 7})-[:STORED_IN]->(n),
            (:Crate {name: 'c3', boxesInTransit: 1})-[:STORED_IN]->(s), (:Crate {name: 'c4', boxesInTransit: 2})-[:STORED_IN]->(s),
            (:Crate {name: 'c5', boxesInTransit: 8})-[:STORED_IN]->(s)
     WITH t MATCH (c:Crate) CREATE (c)-[:MOVED_BY]->(t)
     WITH DISTINCT t UNWIND range(1, 150) AS i CREATE (:Beacon {name: 'beacon-' + right('00' + toString(i), 3)})`,
  );
  const ask = graph.ask;

  it('compares a sum of money with the one property named for money, whatever noun the amount is said of', async () => {
    const r = await ask('List the top 2 labs by the number of grants involving payments over $1 million.');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => [x.name, x.value])).toEqual([['Xylo', 2], ['Yarrow', 1]]);
    expect(r.cypher.map((c) => c.query).join('\n')).toMatch(/`amount` > /);
  }, 60_000);

  it('reads a participle after a number property as how the quantity came about', async () => {
    const r = await ask('List the top 2 labs by the total amount received from grants.');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => [x.name, x.value])).toEqual([['Xylo', 5500000], ['Yarrow', 2100000]]);
  }, 60_000);

  it('reads a label word inside a property named in full as part of that property', async () => {
    const r = await ask('Which depots have the most crates with boxes in transit greater than 5?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([expect.objectContaining({ name: 'North', value: 2 })]);
  }, 60_000);

  it('reads "the most" before a quantity only a related label has as its largest total', async () => {
    const r = await ask('Which depot has the most boxes in transit?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([expect.objectContaining({ name: 'North', value: 16 })]);
  }, 60_000);

  it('compares a property with its own average over the label, and only when the question names the property', async () => {
    const above = await ask('Which grants have an amount above the average?');
    expect(above.plan.strategy).toBe('structured');
    expect(above.rows.map((x) => x.name).sort()).toEqual(['g1', 'g2']);
    expect(above.answer).toMatch(/above the average/);
    const below = await ask('How many grants have an amount lower than the average amount?');
    expect(below.rows[0]?.count).toBe(4);
    // Labs have no amount of their own: nothing to compare with its average.
    expect((await ask('Which labs have a budget above the average?')).plan.strategy).toBe('none');
  }, 60_000);

  it('takes the average over the caller\'s collections only', async () => {
    await graph.app().db.write(`UNWIND [['avg-a', 10], ['avg-a', 20], ['avg-a', 90], ['avg-b', 1000], ['avg-b', 2000]] AS x
      CREATE (:Grant {name: x[0] + '-' + toString(x[1]), amount: x[1], collection: x[0]})`);
    try {
      const r = await askKgrag(graph.app(), 'Which grants have an amount above the average?', { collections: ['avg-a'], asOf: '2025-01-01' });
      expect(r.plan.strategy).toBe('structured');
      // The average of 10, 20 and 90 is 40; with the other collection's grants it would be 624.
      expect(r.rows.map((x) => x.name)).toEqual(['avg-a-90']);
    } finally {
      await graph.app().db.write("MATCH (g:Grant) WHERE g.collection IN ['avg-a', 'avg-b'] DELETE g");
    }
  }, 60_000);

  it('computes a total or an average per node of the label after "each" / "per", and declines one over all of them', async () => {
    const r = await ask('What is the total amount of grants per lab?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => [x.name, x.value])).toEqual([['Xylo', 5500000], ['Yarrow', 2100000], ['Zinnia', 100000]]);
    // Without the related noun nothing says what the amounts are of: not one average over every grant.
    const bare = await ask('What is the average amount per lab?');
    expect(bare.plan.strategy).toBe('none');
  }, 60_000);

  it('lists every node a "list all" question asks for, naming only the first ones in the sentence', async () => {
    const r = await ask('List all beacons.');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toHaveLength(150);
    expect(r.answer).toMatch(/^150 beacons: beacon-001, .* and 130 more \(all in the rows\)\.$/);
  }, 60_000);
});

describe('ask: limits before nouns, years kept as numbers, decades, averages over relationships, "the most <participle>" and quoted relationship text, on a graph kgrag did not build', () => {
  const { ask } = madeUpGraph(
    ['Author', 'Book', 'Reader'],
    `CREATE (a1:Author {name: 'Ada Stone', born: 1961}), (a2:Author {name: 'Ben Crowe', born: 1975}), (a3:Author {name: 'Cy Mills', born: 1968}),
            (a4:Author {name: 'Dee Park', born: 1982}), (a5:Author {name: 'Eli Ross', born: 1955})
     CREATE (b1:Book {title: 'Salt Roads', published: 1999}), (b2:Book {title: 'Glass Hours', published: 2004}),
            (b3:Book {title: 'Iron Bloom', published: 2011}), (b4:Book {title: 'Quiet Ash', published: 1994})
     CREATE (r1:Reader {name: 'Rae', city: 'Oslo'}), (r2:Reader {name: 'Sol', city: 'Oslo'}), (r3:Reader {name: 'Tam', city: 'Rome'})
     CREATE (a1)-[:WROTE]->(b1), (a2)-[:WROTE]->(b2), (a3)-[:WROTE]->(b3), (a1)-[:WROTE]->(b4), (a4)-[:WROTE]->(b3)
     CREATE (a3)-[:EDITED]->(b1), (a1)-[:EDITED]->(b2), (a3)-[:EDITED]->(b3), (a5)-[:EDITED]->(b4)
     CREATE (r1)-[:RATED {stars: 95, note: 'Dark, but compelling'}]->(b1), (r2)-[:RATED {stars: 60, note: 'Slow'}]->(b1),
            (r1)-[:RATED {stars: 88, note: 'Bright'}]->(b2), (r3)-[:RATED {stars: 91, note: 'Sharp'}]->(b3), (r2)-[:RATED {stars: 70, note: 'Fine'}]->(b4)`,
  );

  it('reads a number before the asked-for noun as how many, beside a comparison', async () => {
    const r = await ask('List the names of 2 authors who were born after 1960.');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toHaveLength(2);
    expect(r.cypher.map((c) => c.query).join('\n')).not.toMatch(/`born` = /);
  }, 60_000);

  it('ranks "the oldest" by a year kept as a plain number, and reads "the 1960s" as ten years', async () => {
    const old = await ask('Who are the top 2 oldest authors?');
    expect(old.plan.strategy).toBe('structured');
    expect(old.rows.map((x) => x.name)).toEqual(['Eli Ross', 'Ada Stone']);
    const sixties = await ask('Which authors were born in the 1960s?');
    expect(sixties.plan.strategy).toBe('structured');
    expect(sixties.rows.map((x) => x.name).sort()).toEqual(['Ada Stone', 'Cy Mills']);
  }, 60_000);

  it('ranks by the average of a relationship property when the question says average', async () => {
    const r = await ask('Which book has the highest average rating stars?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([expect.objectContaining({ name: 'Iron Bloom', value: 91 })]);
  }, 60_000);

  it('counts the relationship a participle after "most" names', async () => {
    const r = await ask('Which book is the most rated?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([expect.objectContaining({ name: 'Salt Roads', value: 2 })]);
  }, 60_000);

  it('meets an irregular verb form with the relationship named by another form ("write", WROTE)', async () => {
    const r = await ask('How many books did Ada Stone write?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows[0]?.count).toBe(2);
  }, 60_000);

  it('returns the named node\'s property a second question asks for ("… and what year was it published?")', async () => {
    const r = await ask("Who wrote 'Salt Roads' and what year was it published?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([expect.objectContaining({ name: 'Ada Stone', published: [1999] })]);
    expect(r.answer).toMatch(/Published: 1999\./);
  }, 60_000);

  it('joins two verbs with "and" on one end node when the question says "the same", else on one each', async () => {
    const same = await ask('Which authors both wrote and edited the same book?');
    expect(same.plan.strategy).toBe('structured');
    expect(same.rows.map((x) => x.name)).toEqual(['Cy Mills']);
    const each = await ask('Which authors wrote and edited books?');
    expect(each.plan.strategy).toBe('structured');
    expect(each.rows.map((x) => x.name).sort()).toEqual(['Ada Stone', 'Cy Mills']);
  }, 60_000);

  it('ranks the values of a property asked for after "which" by how many nodes hold each', async () => {
    const r = await ask('Which city has the most readers?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([expect.objectContaining({ name: 'Oslo', value: 2 })]);
  }, 60_000);

  it('matches quoted text after a relationship property whole, commas included', async () => {
    const r = await ask("Which book got the note 'Dark, but compelling'?");
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows.map((x) => x.name)).toEqual(['Salt Roads']);
  }, 60_000);
});
