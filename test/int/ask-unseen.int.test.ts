import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askKgrag, type Kgrag } from '../../src/app.ts';
import { openTestApp } from '../helpers.ts';

/**
 * More general English over a made-up graph kgrag did not build: a node's own designation (a
 * property named like its label) shown with its name, generic head nouns after a property's word
 * ("email addresses", "tank capacity"), plurals of acronyms ("PCs") and a lower-case name after
 * "named".
 */
describe('ask: property phrases and names on a graph kgrag did not build', () => {
  let app: Kgrag;
  const wipe = () => app.db.write('MATCH (n) WHERE n:Kiosk OR n:Grade DETACH DELETE n');

  beforeAll(async () => {
    app = await openTestApp();
    await wipe();
    await app.db.write(`
      CREATE (g1:Grade {id: 1, name: 'g-1/2', grade: 'gold', fee: 30}), (g2:Grade {id: 2, name: 's-4/8', grade: 'silver', fee: 20}),
             (g3:Grade {id: 3, name: 'b-9/9', grade: 'bronze', fee: 10})
      CREATE (k1:Kiosk {name: 'nimbus', email: 'nimbus@kiosk.test', pc: 'NB-1', tank: 800}),
             (k2:Kiosk {name: 'zephyr', email: 'zephyr@kiosk.test', pc: 'ZP-2', tank: 300}),
             (k3:Kiosk {name: 'boreal', email: 'boreal@kiosk.test', pc: 'BR-3', tank: 600})
      CREATE (k1)-[:RATED]->(g1), (k2)-[:RATED]->(g2), (k3)-[:RATED]->(g3)`);
  });
  afterAll(async () => {
    await wipe();
    await app.close();
  });
  const ask = (q: string) => askKgrag(app, q, { collections: null, asOf: '2025-01-01' });

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

  it('reads a lower-case word after "named" as a name', async () => {
    const r = await ask('What is the grade of the kiosk named boreal?');
    expect(r.plan.strategy).toBe('structured');
    expect(JSON.stringify(r.rows)).toContain('bronze');
  });
});
