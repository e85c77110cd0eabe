import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { buildCatalog } from '../../src/graph/catalog.ts';
import { chunkLabel, collectionFulltextName, collectionIndexName, dropCollectionIndexes, ensureCollectionIndex } from '../../src/graph/collection-index.ts';
import { applySchema } from '../../src/graph/schema.ts';
import { filteredVectorSearch, fulltextSearch, perCollectionVectorSearch, sharedVectorSearch, vectorSearch } from '../../src/graph/search.ts';
import { collectionFilterIndex, PREFER_INDEX_FILTER, serverFeatures } from '../../src/graph/server.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

/** The same documents in two collections: every nearest neighbour of one has a twin in the other. */
const DOCS = {
  'tides.md': '# Tides\n\nSpring tides happen at new and full moon, when the sun and the moon pull in a line.\n',
  'bees.md': '# Bees\n\nHoney bees dance to tell the hive where flowers are, and how far away.\n',
  'rust.md': '# Rust\n\nIron rusts when water and oxygen reach it; salt water speeds the reaction.\n',
};

describe('vector search isolation (in-index filter on Neo4j 2026.01+, else one vector index per collection)', () => {
  let app: Kgrag;
  const a = uniqueCollection('iso-a');
  const b = uniqueCollection('iso-b');
  const files = tempFiles(DOCS);
  let query: number[];
  const indexes = async () => (await app.db.runSchema('SHOW VECTOR INDEXES YIELD name, state RETURN name, state')).map((r) => String(r.name));

  beforeAll(async () => {
    app = await openTestApp();
    for (const c of [a, b]) expect((await ingestInto(app, [files.dir], { collection: c })).documents).toBe(3);
    query = await app.embedder!.embedQuery('why are some tides stronger than others');
  });
  afterAll(async () => {
    await dropCollections(app, [a, b]);
    await app.close();
    files.cleanup();
  });

  it('gives each collection an index of its own (none where the shared index filters) and never returns another collection’s chunk', async () => {
    const dim = app.embedder!.dimension;
    const own = [collectionIndexName(a, dim), collectionIndexName(b, dim)];
    if (PREFER_INDEX_FILTER && (await serverFeatures(app.db)).vectorFilter) expect(await indexes()).not.toEqual(expect.arrayContaining([own[0]]));
    else expect(await indexes()).toEqual(expect.arrayContaining(own));
    for (const c of [a, b]) {
      // k above the collection's size: everything it holds, and nothing else.
      const hits = await vectorSearch(app.db, query, [c], 50);
      expect(hits).toHaveLength(3);
      expect(hits.every((h) => h.collection === c)).toBe(true);
      expect(hits[0]!.title).toBe('Tides');
    }
    const both = await vectorSearch(app.db, query, [a, b], 4);
    expect(both).toHaveLength(4);
    expect(new Set(both.slice(0, 2).map((h) => h.collection))).toEqual(new Set([a, b]));
    expect(both.slice(0, 2).map((h) => h.title)).toEqual(['Tides', 'Tides']);
    expect(both.map((h) => h.score)).toEqual([...both.map((h) => h.score)].sort((x, y) => y - x));
  });

  it('filters inside the shared index exactly when the server supports it, and each design stays exact', async () => {
    const features = await serverFeatures(app.db);
    // The server used: 5.26 (CI) has no in-index filter, 2026.01+ does and applySchema declared it.
    expect(features.vectorFilter).toBe(/^20(2[6-9]|[3-9]\d)\./.test(features.version));
    expect(await collectionFilterIndex(app.db)).toEqual({ declared: features.vectorFilter, online: features.vectorFilter });
    // The shared index, over-fetched: the fallback, and the one query for collections that hold most chunks.
    const shared = (db: typeof app.db, e: number[], c: string[], k: number) => sharedVectorSearch(db, e, c, k);
    const designs = features.vectorFilter ? [filteredVectorSearch, perCollectionVectorSearch, shared] : [perCollectionVectorSearch, shared];
    // With PREFER_INDEX_FILTER ingest skips the collections' own indexes on 2026.01+: built here to check that design too.
    for (const c of [a, b]) await ensureCollectionIndex(app.db, c, app.embedder!.dimension, { evenWithFilter: true });
    expect(await indexes()).toEqual(expect.arrayContaining([collectionIndexName(a, app.embedder!.dimension), collectionIndexName(b, app.embedder!.dimension)]));
    for (const search of designs) {
      for (const c of [a, b]) {
        // The twin of every chunk sits in the other collection with the very same vector.
        const hits = await search(app.db, query, [c], 50);
        expect(hits.map((h) => h.collection)).toEqual([c, c, c]);
        expect(hits[0]!.title).toBe('Tides');
        const top = await search(app.db, query, [c], 1);
        expect(top.map((h) => [h.collection, h.title])).toEqual([[c, 'Tides']]);
      }
      const both = await search(app.db, query, [a, b], 6);
      expect(both.map((h) => h.collection).sort()).toEqual([a, a, a, b, b, b].sort());
      expect(await search(app.db, query, [uniqueCollection('iso-none')], 5)).toEqual([]);
    }
  });

  it('answers exactly from the shared index while a collection has no index, and applySchema gives it one', async () => {
    // Chunks as an older kgrag wrote them: no collection label, no index of their own.
    await dropCollectionIndexes(app.db, a);
    await app.db.write('MATCH (c:Chunk {collection: $a}) REMOVE c:$($label)', { a, label: chunkLabel(a) });
    expect(await indexes()).not.toContain(collectionIndexName(a, app.embedder!.dimension));
    const fallback = await vectorSearch(app.db, query, [a], 50);
    expect(fallback).toHaveLength(3);
    expect(fallback.every((h) => h.collection === a)).toBe(true);

    await applySchema(app.db, { model: app.embedder!.modelId, dimension: app.embedder!.dimension }, app.logger);
    // Where the shared index filters, the collection needs no index of its own.
    const filters = PREFER_INDEX_FILTER && (await serverFeatures(app.db)).vectorFilter;
    expect((await indexes()).includes(collectionIndexName(a, app.embedder!.dimension))).toBe(!filters);
    const [labelled] = await app.db.read('MATCH (c:Chunk {collection: $a}) RETURN count(c) AS all, count(CASE WHEN $label IN labels(c) THEN 1 END) AS labelled', {
      a,
      label: chunkLabel(a),
    });
    // (Labelled either way: the collection's full-text indexes are over its label.)
    expect(labelled).toEqual({ all: 3, labelled: 3 });
    // The same chunks, the same best one; two approximate indexes (2026's are quantised by
    // default) may order the far, near-tied rest differently.
    const own = await vectorSearch(app.db, query, [a], 50);
    expect(own.map((h) => h.chunkId).sort()).toEqual(fallback.map((h) => h.chunkId).sort());
    expect(own[0]!.chunkId).toBe(fallback[0]!.chunkId);
  });

  it('keeps the collection labels out of the schema catalog', async () => {
    const catalog = await buildCatalog(app.db, { collections: [a] });
    const names = [...catalog.labels, ...catalog.internal.labels].map((l) => l.label);
    expect(names).toContain('Chunk');
    expect(names.filter((l) => l.startsWith('Chunk_'))).toEqual([]);
  });
});

describe('full-text search isolation: one full-text index per collection', () => {
  let app: Kgrag;
  const a = uniqueCollection('ft-a');
  const b = uniqueCollection('ft-b');
  const files = tempFiles(DOCS);
  // Another tenant's documents, all about the moon: in a shared index they would make "moon" a common word.
  const moons = tempFiles(Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`moon-${i}.md`, `# Moon ${i}\n\nThe moon rose over harbour ${i}; the moon was full.\n`])));
  const fulltextIndexes = async () => (await app.db.runSchema('SHOW FULLTEXT INDEXES YIELD name RETURN name')).map((r) => String(r.name));

  beforeAll(async () => {
    app = await openTestApp();
    expect((await ingestInto(app, [files.dir], { collection: a })).documents).toBe(3);
  });
  afterAll(async () => {
    await dropCollections(app, [a, b]);
    await app.close();
    files.cleanup();
    moons.cleanup();
  });

  it('scores a collection by its own term statistics, whatever other collections hold, and returns only its chunks', async () => {
    expect(await fulltextIndexes()).toEqual(expect.arrayContaining([collectionFulltextName(a, false), collectionFulltextName(a, true)]));
    const before = await fulltextSearch(app.db, 'full moon tides', [a], 10);
    expect(before[0]!.title).toBe('Tides');

    expect((await ingestInto(app, [moons.dir], { collection: b })).documents).toBe(12);
    const after = await fulltextSearch(app.db, 'full moon tides', [a], 10);
    expect(after.map((h) => h.chunkId)).toEqual(before.map((h) => h.chunkId));
    expect(after[0]!.score).toBeCloseTo(before[0]!.score, 6);
    expect(after.every((h) => h.collection === a)).toBe(true);
    // Both collections: each list from its own index, merged by score, nothing from elsewhere.
    const both = await fulltextSearch(app.db, 'full moon tides', [a, b], 50);
    expect(new Set(both.map((h) => h.collection))).toEqual(new Set([a, b]));
  });

  it('drops the collection\'s full-text indexes with the collection', async () => {
    await dropCollectionIndexes(app.db, b);
    const names = await fulltextIndexes();
    expect(names).not.toContain(collectionFulltextName(b, false));
    expect(names).not.toContain(collectionFulltextName(b, true));
    // Until it has them again, the shared index answers, still only with the collection's chunks.
    const hits = await fulltextSearch(app.db, 'moon harbour', [b], 50);
    expect(hits).toHaveLength(12);
    expect(hits.every((h) => h.collection === b)).toBe(true);
  });
});
