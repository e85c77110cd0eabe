import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import type { Kgrag } from '../../src/app.ts';
import { documentId } from '../../src/domain/ids.ts';
import type { ChunkExtraction, Extractor, ExtractionInput } from '../../src/extraction/types.ts';
import { deleteDocument } from '../../src/graph/documents.ts';
import { getEntity, listEntities } from '../../src/graph/entities.ts';
import { entityId } from '../../src/resolution/normalize.ts';
import { ingest } from '../../src/ingest/pipeline.ts';
import { rerunExtraction } from '../../src/extraction/rerun.ts';
import { dropCollections, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

/**
 * A deterministic stand-in for the real extractors (which have their own tests): it recognises
 * a fixed vocabulary and "<Person> works for <Organization>" / "<Person> is the <ROLE> of <Org>",
 * so these tests are about resolution and the graph writes only.
 */
class ScriptedExtractor implements Extractor {
  readonly name = 'scripted';
  constructor(private readonly vocabulary: Record<string, 'Person' | 'Organization'>) {}
  async extract(inputs: ExtractionInput[]) {
    const extractions: ChunkExtraction[] = inputs.map((input) => {
      const entities = Object.entries(this.vocabulary)
        .filter(([name]) => new RegExp(`\\b${name.replace(/[.]/g, '\\.')}\\b`).test(input.text))
        .map(([name, type]) => ({ name, type, confidence: 0.9 }));
      const relations = [...input.text.matchAll(/([A-Z][a-z]+ [A-Z][a-z]+) (works for|is the (\w+) of) ([A-Z][\w ]*[a-z])/g)].map((m) => ({
        type: m[3] ? 'HAS_ROLE_AT' : 'WORKS_FOR',
        source: { name: m[1]!, type: 'Person' },
        target: { name: m[4]!, type: 'Organization' },
        ...(m[3] ? { properties: { role: m[3] } } : {}),
        confidence: 0.8,
      }));
      return { chunkId: input.chunkId, entities, relations };
    });
    return { extractions, failures: [] };
  }
}

const extractor = new ScriptedExtractor({
  'Jane Smith': 'Person', Smith: 'Person', 'John Doe': 'Person', 'Emily Doe': 'Person', Doe: 'Person',
  'Acme Analytics': 'Organization', 'Globex': 'Organization', 'International Business Machines': 'Organization', IBM: 'Organization',
});

describe('knowledge graph from documents', () => {
  let app: Kgrag;
  const A = uniqueCollection('kg');
  const B = uniqueCollection('kg');
  const together = uniqueCollection('kg');
  const apart = uniqueCollection('kg');
  const files = tempFiles({
    // Two small documents, new to the collection: one group, resolved in one transaction.
    'hire.md': '# Hire\n\nAcme Analytics hired Priya Natarajan in March.\n',
    'visit.md': '# Visit\n\nPriya Natarajan visited Acme in May.\n',
    'memo.md': '# Memo\n\nJane Smith is the CEO of Acme Analytics. Smith said the year went well. John Doe works for Acme Analytics.\n',
    'news.md': '# News\n\nEmily Doe works for Globex. Doe declined to comment.\n',
    'ibm.md': '# Vendors\n\nInternational Business Machines (IBM) supplies the servers. IBM also runs support.\n',
  });
  const run = (inputs: string[], collection: string, options: { with?: Extractor; documentsPerTransaction?: number } = {}) =>
    ingest(inputs, { db: app.db, embedder: app.embedder!, extractor: options.with ?? extractor, config: app.config, logger: app.logger }, {
      collection,
      ...(options.documentsPerTransaction ? { documentsPerTransaction: options.documentsPerTransaction } : {}),
    });
  const imported = entityId(A, 'Person', 'Person:E1');

  beforeAll(async () => {
    app = await openTestApp();
    // An imported employee record, as `kgrag import` writes it.
    await app.db.write(
      `CREATE (:KgragEntity:Kgrag_Person {id: $id, collection: $c, type: 'Person', name: 'Jane Smith', normalizedName: 'jane smith',
        aliases: [], importKey: 'Person:E1', importSources: ['employees.csv'], title: 'CEO'})`,
      { id: imported, c: A },
    );
  });
  afterAll(async () => {
    await dropCollections(app, [A, B, together, apart]);
    await app.close();
    files.cleanup();
  });

  it('links mentions to the imported record, within and across documents', async () => {
    const summary = await run([files.path('memo.md'), files.path('news.md')], A);
    expect(summary.failed).toBe(0);
    expect(summary.extraction).toMatchObject({ extractor: 'scripted', failedChunks: 0 });
    const jane = await getEntity(app.db, imported, [A]);
    expect(jane?.entity.aliases).toContain('Smith');
    expect(jane?.mentions).toHaveLength(1);
    expect(jane?.mentions[0]).toMatchObject({ title: 'Memo', method: 'exact', surfaces: expect.arrayContaining(['Jane Smith', 'Smith']) });
    expect(jane?.mentions[0]?.quote).toContain('Jane Smith is the CEO');
    expect(jane?.relationships).toContainEqual(
      expect.objectContaining({ type: 'HAS_ROLE_AT', direction: 'out', other: expect.objectContaining({ name: 'Acme Analytics' }), properties: expect.objectContaining({ role: 'CEO' }) }),
    );
  });

  it('keeps people who share a surname apart, and does not guess which one a bare surname means', async () => {
    const people = await listEntities(app.db, [A], { type: 'Person' });
    expect(people.map((p) => p.name).sort()).toEqual(['Emily Doe', 'Jane Smith', 'John Doe']);
    const emily = people.find((p) => p.name === 'Emily Doe')!;
    // In news.md "Doe" can only be Emily: the only Doe that document names.
    const detail = await getEntity(app.db, emily.id, [A]);
    expect(detail?.mentions[0]?.surfaces).toEqual(expect.arrayContaining(['Emily Doe', 'Doe']));
    expect(detail?.relationships).toContainEqual(expect.objectContaining({ type: 'WORKS_FOR', other: expect.objectContaining({ name: 'Globex' }) }));
  });

  it('resolves an acronym to its long form and keeps it as an alias', async () => {
    await run([files.path('ibm.md')], A);
    const orgs = await listEntities(app.db, [A], { type: 'Organization' });
    const ibm = orgs.filter((o) => /IBM|International/.test(o.name));
    expect(ibm).toHaveLength(1);
    expect((await getEntity(app.db, ibm[0]!.id, [A]))?.entity.aliases).toContain('IBM');
  });

  it('withdraws a changed document\'s old facts and keeps what other sources support', async () => {
    writeFileSync(files.path('memo.md'), '# Memo\n\nJane Smith works for Globex now.\n');
    const summary = await run([files.path('memo.md')], A);
    expect(summary.documents).toBe(1);
    const jane = await getEntity(app.db, imported, [A]);
    expect(jane?.relationships.map((r) => `${r.type}:${r.other.name}`)).toEqual(['WORKS_FOR:Globex']);
    const names = (await listEntities(app.db, [A])).map((e) => e.name);
    // John Doe and Acme Analytics were only in the old memo; Globex is still in news.md.
    expect(names).not.toContain('John Doe');
    expect(names).not.toContain('Acme Analytics');
    expect(names).toContain('Globex');
  });

  it('deletes what only a deleted document said, but never an imported record', async () => {
    await deleteDocument(app.db, documentId(A, files.path('memo.md')), [A]);
    await deleteDocument(app.db, documentId(A, files.path('news.md')), [A]);
    const names = (await listEntities(app.db, [A])).map((e) => e.name).sort();
    expect(names).toEqual(['International Business Machines', 'Jane Smith']);
    const jane = await getEntity(app.db, imported, [A]);
    expect(jane?.mentions).toEqual([]);
    expect(jane?.relationships).toEqual([]);
    expect(jane?.entity).toMatchObject({ importKey: 'Person:E1', title: 'CEO' });
  });

  it('re-runs extraction over stored chunks, replacing what the old run found', async () => {
    const narrower = new ScriptedExtractor({ 'Emily Doe': 'Person' });
    const summary = await rerunExtraction(app.db, narrower, A, app.logger);
    expect(summary.failed).toEqual([]);
    expect(summary.documents).toBe(1); // ibm.md is the only document left in A
    const names = (await listEntities(app.db, [A])).map((e) => e.name).sort();
    // The vendor no longer found is gone; the imported record stays.
    expect(names).toEqual(['Jane Smith']);
  });

  it('never links or merges across collections', async () => {
    await run([files.path('news.md')], B);
    const inB = await listEntities(app.db, [B]);
    expect(inB.map((e) => e.name).sort()).toEqual(['Emily Doe', 'Globex']);
    expect(inB.every((e) => e.collection === B)).toBe(true);
    expect(await getEntity(app.db, imported, [B])).toBeNull();
    const [row] = await app.db.read('MATCH (a:KgragEntity)-[r]-(b:KgragEntity) WHERE a.collection <> b.collection RETURN count(r) AS n');
    expect(row?.n).toBe(0);
  });

  it('links a name in one of several documents ingested together to the entity an earlier one introduced, as one at a time', async () => {
    const scripted = new ScriptedExtractor({ 'Acme Analytics': 'Organization', Acme: 'Organization', 'Priya Natarajan': 'Person' });
    const inputs = [files.path('hire.md'), files.path('visit.md')];
    const graphOf = async (collection: string) =>
      Promise.all(
        (await listEntities(app.db, [collection])).map(async (e) => {
          const detail = (await getEntity(app.db, e.id, [collection]))!;
          return { name: e.name, type: e.type, aliases: detail.entity.aliases, mentions: detail.mentions.map((m) => `${m.title}:${m.method}:${m.surfaces.join('|')}`).sort() };
        }),
      ).then((all) => all.sort((a, b) => a.name.localeCompare(b.name)));
    expect((await run(inputs, together, { with: scripted })).failed).toBe(0);
    const graph = await graphOf(together);
    // One node each: the second document's "Priya Natarajan" and its "Acme" are the first one's.
    expect(graph).toEqual([
      { name: 'Acme Analytics', type: 'Organization', aliases: ['Acme'], mentions: ['Hire:new:Acme Analytics|Acme', 'Visit:alias:Acme'] },
      { name: 'Priya Natarajan', type: 'Person', aliases: [], mentions: ['Hire:new:Priya Natarajan', 'Visit:exact:Priya Natarajan'] },
    ]);
    expect((await run(inputs, apart, { with: scripted, documentsPerTransaction: 1 })).failed).toBe(0);
    expect(await graphOf(apart)).toEqual(graph);
  });
});
