import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { ground } from '../../src/planner/grounding.ts';
import { openTestApp } from '../helpers.ts';

/**
 * Grounding reads a label's values into memory the second time the label is asked about (for as
 * long as its catalog lives): the third question must find exactly what a scan finds — names,
 * aliases, values matched by their initials — and a new catalog must see the graph as it is now.
 */
describe('grounding: values kept in memory per catalog', () => {
  let app: Kgrag;
  const wipe = () => app.db.write('MATCH (n:Vessel) DETACH DELETE n');

  beforeAll(async () => {
    app = await openTestApp();
    await wipe();
    await app.db.write(`
      CREATE (:Vessel {name: 'Northern Tern', code: 'NT-7', owner: 'Deep Ocean Research', aliases: ['Old Tern']}),
             (:Vessel {name: 'Grey Heron', code: 'GH-2', owner: 'Deep Ocean Research', aliases: []}),
             (:Vessel {name: 'Little Auk', code: 'LA-1', owner: 'Harbour Survey', aliases: ['Auk']})`);
    app.catalogs.invalidate();
  });
  afterAll(async () => {
    await wipe();
    await app.close();
  });

  const values = async (question: string) => {
    const catalog = await app.catalogs.get(undefined);
    const g = await ground(app.db, catalog, question, { collections: null });
    return g.values
      .filter((v) => v.label === 'Vessel')
      .map((v) => ({ property: v.property, value: v.value, count: v.count, ids: v.ids.length, span: v.span, isName: v.isName }))
      .sort((a, b) => `${a.property}${a.value}`.localeCompare(`${b.property}${b.value}`));
  };

  it('finds the same names, aliases and values from memory as by scanning', async () => {
    const question = "Which vessels owned by Deep Ocean Research sail with Old Tern and 'GH-2'?";
    const scanned = await values(question);
    expect(scanned).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ property: 'owner', value: 'Deep Ocean Research', count: 2, ids: 2 }),
        expect.objectContaining({ property: 'aliases', value: 'Old Tern', isName: true }),
        expect.objectContaining({ property: 'code', value: 'GH-2' }),
      ]),
    );
    expect(await values(question)).toEqual(scanned); // builds the dictionary
    expect(await values(question)).toEqual(scanned); // reads it
  });

  it('matches a value by its initials from memory, as the scan does', async () => {
    const question = 'Which vessels does DOR own?';
    const first = await values(question);
    expect(first).toEqual([expect.objectContaining({ property: 'owner', value: 'Deep Ocean Research', count: 2 })]);
    expect(await values(question)).toEqual(first);
  });

  it('sees values written outside kgrag when the catalog is rebuilt, as it sees labels', async () => {
    const question = 'Which vessels belong to Harbour Survey?';
    expect(await values(question)).toEqual([expect.objectContaining({ value: 'Harbour Survey', count: 1 })]);
    expect(await values(question)).toEqual([expect.objectContaining({ value: 'Harbour Survey', count: 1 })]);
    await app.db.write("CREATE (:Vessel {name: 'Storm Petrel', code: 'SP-4', owner: 'Harbour Survey', aliases: []})");
    // Until the catalog is rebuilt (its TTL, or a kgrag writer's invalidate), the values kept with it answer.
    expect(await values(question)).toEqual([expect.objectContaining({ value: 'Harbour Survey', count: 1 })]);
    app.catalogs.invalidate();
    expect(await values(question)).toEqual([expect.objectContaining({ property: 'owner', value: 'Harbour Survey', count: 2 })]);
  });
});
