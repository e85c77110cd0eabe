import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { retrieverOf } from '../../src/app.ts';
import { createOfflineExtractor } from '../../src/extraction/offline.ts';
import { ingest } from '../../src/ingest/pipeline.ts';
import { silentLogger } from '../../src/logging.ts';
import { expandContext } from '../../src/retrieval/expand.ts';
import type { Retriever } from '../../src/retrieval/search.ts';
import { dropCollections, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

/**
 * Graph expansion over a real graph: documents ingested with the offline extractor, so entities
 * and MENTIONS are what a user's ingest would produce. The bridging question "Where was the
 * director of Northwind Harbor born?" is answered by a passage that names neither the film nor
 * directors: only the entity "Margarethe Olvensk" links it to the film's passage.
 */

const FILM = '# Northwind Harbor\n\nNorthwind Harbor is a 1998 drama film directed by Margarethe Olvensk. It was shot on the coast near Stavanger.\n';
const PERSON = (birthplace: string) =>
  `# Margarethe Olvensk\n\nMargarethe Olvensk was born in ${birthplace} in 1951. She studied painting in Paris before turning to cinema. ` +
  'Margarethe Olvensk works for Fjord Pictures, a studio based in Bergen.\n';
/** Passages that share the question's words (director, born, harbor, Northwind) but not its answer. */
const DISTRACTORS: Record<string, string> = {
  'harbor-authority.md': '# Harbor directors\n\nThe director of the Bergen harbor authority was born in Oslo. Harbor directors in Norway are appointed by the city council.\n',
  'airline.md': '# Northwind Airlines\n\nNorthwind Airlines began flying in 1989. Its first director was born in Trondheim and flew from the harbor airfield.\n',
  'survey.md': '# Where directors are born\n\nA survey asked where film directors were born. Most directors were born in capital cities.\n',
  'festival.md': '# Harbor Film Festival\n\nThe Harbor Film Festival honours a director born in the region every year.\n',
  'stavanger.md': '# Stavanger\n\nStavanger is a city on the coast of Norway. Several film directors were born in Stavanger.\n',
  'biographies.md': '# Director biographies\n\nThis collection lists where each director was born and where each director studied.\n',
  'documentary.md': '# Born in the Harbor\n\nBorn in the Harbor is a 2005 documentary about children born in harbor towns.\n',
  'museum.md': '# Harbor Museum\n\nThe director of the Harbor Museum was born in Ålesund and opened the northwind gallery.\n',
  'lighthouse.md': '# Northwind Lighthouse\n\nThe Northwind Lighthouse guards the harbor entrance. Its keeper was born nearby.\n',
  'school.md': '# Film school\n\nThe film school director was born abroad. Students film the harbor every spring.\n',
};
/** A hub: one studio named by many passages. */
const HUB = Object.fromEntries(
  ['Silver Lake', 'Copper Road', 'Iron Bay', 'Glass Tower', 'Stone Garden', 'Paper Moon', 'Velvet Night', 'Amber Field', 'Cobalt Sky', 'Linen House'].map(
    (film, i) => [`release-${i}.md`, `# Release ${i}\n\nAcme Studios released ${film} in ${1990 + i}. The premiere took place in Lisbon.\n`],
  ),
);

const QUESTION = 'Where was the director of Northwind Harbor born?';

describe('graph expansion', () => {
  let app: Kgrag;
  let retriever: Retriever;
  const A = uniqueCollection('expand');
  const B = uniqueCollection('expand');
  const filesA = tempFiles({ 'film.md': FILM, 'olvensk.md': PERSON('Tromsø'), ...DISTRACTORS, ...HUB });
  // The same people in another collection, with another birthplace: it must never leak into A's answers.
  const filesB = tempFiles({ 'film.md': FILM, 'olvensk.md': PERSON('Narvik'), 'narvik.md': '# Narvik\n\nMargarethe Olvensk often returned to Narvik.\n' });

  beforeAll(async () => {
    app = await openTestApp();
    retriever = retrieverOf(app);
    const extractor = await createOfflineExtractor({}, silentLogger());
    const deps = { db: app.db, embedder: app.embedder!, extractor, config: app.config, logger: app.logger };
    await ingest([filesA.dir], deps, { collection: A });
    await ingest([filesB.dir], deps, { collection: B });
  });
  afterAll(async () => {
    await dropCollections(app, [A, B]);
    await app.close();
    filesA.cleanup();
    filesB.cleanup();
  });

  const search = (question: string, collections: string[], k = 10) => retriever.search(question, { collections, k });
  const isAnswer = (text: string) => text.includes('born in Tromsø');

  it('brings in the passage only an entity link reaches, which plain hybrid search ranks low', async () => {
    const hits = await search(QUESTION, [A], 20);
    const plainRank = hits.findIndex((h) => isAnswer(h.text));
    expect(plainRank === -1 || plainRank >= 8).toBe(true);

    const context = await expandContext(app.db, {
      question: QUESTION,
      hits,
      collections: [A],
      questionEmbedding: await app.embedder!.embedQuery(QUESTION),
    });
    expect(context.passages).toHaveLength(8);
    const at = context.passages.findIndex((p) => isAnswer(p.text));
    expect(at).toBeGreaterThanOrEqual(0);
    expect(at).toBeLessThan(6);
    expect(context.passages.findIndex((p) => p.title === 'Northwind Harbor')).toBeLessThan(at);
    expect(context.entities.map((e) => e.name)).toContain('Margarethe Olvensk');
    expect(context.entities[0]?.name).toBe('Northwind Harbor');
  });

  it('works without the question embedding (shared words rank the linked passages)', async () => {
    const hits = await search(QUESTION, [A], 20);
    const context = await expandContext(app.db, { question: QUESTION, hits, collections: [A] });
    expect(context.passages.some((p) => isAnswer(p.text))).toBe(true);
  });

  it('returns the relationships of the linked entities with the passages that state them', async () => {
    const hits = await search(QUESTION, [A]);
    const context = await expandContext(app.db, { question: QUESTION, hits, collections: [A], budget: { passages: 5 } });
    const worksFor = context.facts.find((f) => f.predicate === 'WORKS_FOR' && f.subject === 'Margarethe Olvensk');
    expect(worksFor).toMatchObject({ object: 'Fjord Pictures', subjectType: 'Person', objectType: 'Organization' });
    const [stating] = await app.db.read('MATCH (c:Chunk {id: $id}) RETURN c.text AS text, c.collection AS collection', { id: worksFor!.chunkIds[0] });
    expect(stating).toMatchObject({ collection: A });
    expect(stating!.text).toContain('works for Fjord Pictures');
    // Internal bookkeeping stays out of the fact's properties.
    expect(Object.keys(worksFor!.properties)).not.toContain('sources');

    const noHops = await expandContext(app.db, { question: QUESTION, hits, collections: [A], hops: 0 });
    expect(noHops.facts).toEqual([]);
  });

  it('never returns anything from a collection the caller did not ask for', async () => {
    // Even hits from another collection handed in by mistake are ignored.
    const hits = [...(await search(QUESTION, [B])), ...(await search(QUESTION, [A]))];
    const context = await expandContext(app.db, {
      question: 'Where was Margarethe Olvensk born, and where did she return?',
      hits,
      collections: [A],
      questionEmbedding: await app.embedder!.embedQuery(QUESTION),
      budget: { passages: 50 },
      hops: 2,
    });
    expect(context.passages.length).toBeGreaterThan(0);
    expect(context.passages.some((p) => p.text.includes('Narvik'))).toBe(false);

    const docs = await app.db.read('MATCH (d:Document) WHERE d.id IN $ids RETURN DISTINCT d.collection AS c', {
      ids: context.passages.map((p) => p.documentId),
    });
    expect(docs).toEqual([{ c: A }]);
    const entityIds = [...context.entities.map((e) => e.id), ...context.facts.flatMap((f) => [f.subjectId, f.objectId])];
    const entities = await app.db.read('MATCH (e:KgragEntity) WHERE e.id IN $ids RETURN DISTINCT e.collection AS c', { ids: entityIds });
    expect(entities).toEqual([{ c: A }]);
    // Every statement that ran is recorded, scoped by the caller's collections.
    expect(context.cypher.length).toBeGreaterThan(0);
    for (const run of context.cypher) {
      expect(run.origin).toBe('expansion');
      expect(run.query).toContain('$collections');
      expect(run.params.collections).toEqual([A]);
    }

    const none = await expandContext(app.db, { question: QUESTION, hits, collections: [] });
    expect(none.passages).toEqual([]);
  });

  it('caps the passages one entity brings in at the fan-out', async () => {
    const question = 'What did Acme Studios release?';
    const narrow = await expandContext(app.db, { question, hits: [], collections: [A], fanout: 3, budget: { passages: 50 } });
    expect(narrow.entities[0]?.name).toBe('Acme Studios');
    expect(narrow.passages).toHaveLength(3);
    for (const p of narrow.passages) {
      expect(p.via).toBe('entity');
      expect(p.text).toContain('Acme Studios released');
    }
    const wide = await expandContext(app.db, { question, hits: [], collections: [A], fanout: 8, budget: { passages: 50 } });
    expect(wide.passages).toHaveLength(8);
  });

  it('keeps within the character budget and rejects out-of-range options', async () => {
    const hits = await search(QUESTION, [A]);
    const context = await expandContext(app.db, { question: QUESTION, hits, collections: [A], budget: { passages: 10, chars: 400 } });
    expect(context.passages.reduce((n, p) => n + p.text.length, 0)).toBeLessThanOrEqual(400);
    await expect(expandContext(app.db, { question: QUESTION, hits, collections: [A], hops: 3 })).rejects.toThrow(/hops/);
    await expect(expandContext(app.db, { question: QUESTION, hits, collections: [A], fanout: 0 })).rejects.toThrow(/fanout/);
  });
});
