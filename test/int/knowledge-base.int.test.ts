import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Kgrag } from '../../src/app.ts';
import { dropCollections, loadExampleGraph, openTestApp, uniqueCollection } from '../helpers.ts';

const examples = path.resolve(import.meta.dirname, '../../examples');

/** The real offline extractor over the example knowledge base: records and documents meet on one node. */
describe('records and documents in one graph (offline extractor, example data)', () => {
  let app: Kgrag;
  const collection = uniqueCollection('kb');

  let entity: Awaited<ReturnType<typeof loadExampleGraph>>['entity'];

  beforeAll(async () => {
    app = await openTestApp();
    const loaded = await loadExampleGraph(app, collection, examples, ['companies.csv', 'offices.json', 'employees.csv'], ['acme-partnership.html', 'initech-acquisition.html', 'team-directory.md']);
    expect(loaded.summary.extraction.linked).toBeGreaterThan(5);
    entity = loaded.entity;
  });
  afterAll(async () => {
    await dropCollections(app, [collection]);
    await app.close();
  });

  it('links what articles say about people and companies to the imported records', async () => {
    const jane = await entity('Jane Smith');
    expect(jane.entity.importKey).toBeDefined();
    expect(jane.mentions.length).toBeGreaterThanOrEqual(2);
    const acme = await entity('Acme Analytics');
    expect(acme.entity.importKey).toBeDefined();
    expect(acme.mentions.map((m) => m.title)).toEqual(expect.arrayContaining([expect.stringMatching(/Globex/)]));
    // A relationship stated only in text, between two imported records.
    expect(jane.relationships).toContainEqual(
      expect.objectContaining({ type: 'WORKS_FOR', direction: 'out', other: expect.objectContaining({ name: 'Acme Analytics' }), properties: expect.objectContaining({ role: 'CEO' }) }),
    );
  });

  it('keeps the two Does apart', async () => {
    const john = await entity('John Doe');
    const emily = await entity('Emily Doe');
    expect(john.entity.id).not.toBe(emily.entity.id);
    expect(john.entity.title).not.toBe(emily.entity.title);
  });

  it('keeps a document\'s claim that disagrees with the record, beside the record, with both sources', async () => {
    const john = await entity('John Doe');
    expect(john.entity.hireDate).toBe('2017-06-12');
    const worksFor = john.relationships.find((r) => r.type === 'WORKS_FOR' && r.other.name === 'Acme Analytics');
    expect(worksFor?.facts).toContainEqual(expect.objectContaining({ property: 'since', value: expect.stringMatching(/^2016/), source: expect.stringMatching(/^chunk:/) }));
    expect(john.facts).toContainEqual(expect.objectContaining({ property: 'hireDate', source: expect.stringMatching(/^import:employees\.csv#row/) }));
  });
});
