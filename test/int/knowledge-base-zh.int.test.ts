import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import type { Kgrag } from '../../src/app.ts';
import { listEntities } from '../../src/graph/entities.ts';
import { dropCollections, loadExampleGraph, openTestApp, uniqueCollection } from '../helpers.ts';

const examples = path.resolve(import.meta.dirname, '../../examples/zh');

/** Chinese documents through the real offline extractor (LAC) into a graph that holds Chinese records. */
describe('Chinese records and documents in one graph (offline extractor, examples/zh)', () => {
  let app: Kgrag;
  const collection = uniqueCollection('kbzh');

  let entity: Awaited<ReturnType<typeof loadExampleGraph>>['entity'];

  beforeAll(async () => {
    app = await openTestApp();
    const loaded = await loadExampleGraph(app, collection, examples, ['companies.csv', 'offices.json', 'employees.csv'], ['mingde-acquisition.html', 'huaxia-partnership.html']);
    expect(loaded.summary.extraction.linked).toBeGreaterThan(3);
    entity = loaded.entity;
  });
  afterAll(async () => {
    await dropCollections(app, [collection]);
    await app.close();
  });

  it('gives people named only in the text a type and their relations to the imported companies', async () => {
    const founder = await entity('钱文华');
    expect(founder.entity.type).toBe('Person');
    // "明德软件由钱文华于2012年在南京创办": the short name in the text meets the record 明德软件有限公司.
    expect(founder.relationships).toContainEqual(
      expect.objectContaining({ type: 'FOUNDED', direction: 'out', other: expect.objectContaining({ name: '明德软件有限公司', type: 'Organization' }) }),
    );
    const vp = await entity('潘丽');
    expect(vp.relationships).toContainEqual(
      expect.objectContaining({ type: 'WORKS_FOR', other: expect.objectContaining({ name: '华夏零售集团' }), properties: expect.objectContaining({ role: '供应链副总裁' }) }),
    );
  });

  it('links the mentions of an imported company and keeps the English name the text gives it as an alias', async () => {
    const spruce = await entity('云杉数据科技有限公司');
    expect(spruce.entity.importKey).toBeDefined();
    expect(spruce.mentions.length).toBeGreaterThanOrEqual(2);
    expect(spruce.entity.aliases).toContain('Spruce Data');
    expect(spruce.relationships).toContainEqual(
      expect.objectContaining({ type: 'ACQUIRED', direction: 'out', other: expect.objectContaining({ name: '明德软件有限公司' }) }),
    );
  });

  it('links the people the articles name to their employee records, one node each', async () => {
    for (const name of ['周明远', '林晓峰', '郑凯', '张伟', '韩磊']) {
      const person = await entity(name);
      expect(person.entity.importKey, name).toBeDefined();
      expect(person.mentions.length, name).toBeGreaterThanOrEqual(1);
    }
  });

  it('leaves no entity without a type', async () => {
    const all = await listEntities(app.db, [collection], { limit: 1000 });
    expect(all.length).toBeGreaterThan(20);
    for (const e of all) expect(e.type, e.name).toMatch(/^[A-Z][A-Za-z]+$/);
  });
});
