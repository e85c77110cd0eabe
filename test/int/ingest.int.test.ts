import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import type { Kgrag } from '../../src/app.ts';
import { retrieverOf } from '../../src/app.ts';
import { documentId } from '../../src/domain/ids.ts';
import { deleteDocument, getDocument, listDocuments, replaceDocument } from '../../src/graph/documents.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

const VOLCANO_MD = `# Volcanoes of Europe

## Mount Etna
Mount Etna on Sicily is one of the most active volcanoes in the world. Its eruptions send lava
flows down the eastern flank towards the towns below, and ash clouds regularly close the airport
at Catania.

## Vesuvius
Vesuvius destroyed Pompeii and Herculaneum in the year 79. It has been quiet since 1944.
`;
const BEES_TXT = `Honeybee colonies

A honeybee colony has one queen, thousands of female workers and a few hundred drones. Workers
forage for nectar and pollen; while they move from flower to flower they carry pollen between
blossoms, which pollinates crops such as apples, almonds and clover.

Beekeepers inspect the hives every week in spring to prevent swarming.
`;
const LEDGER_HTML = `<!doctype html><html><head><title>Double-entry bookkeeping</title>
<script>window.trackingPixel = "SHOULD-NOT-BE-INDEXED";</script><style>body{color:red}</style></head>
<body><nav><a href="/">Home</a> <a href="/about">About us navigation menu</a></nav>
<main><h1>Double-entry bookkeeping</h1>
<p>In double-entry bookkeeping every transaction is recorded in at least two accounts: a debit in
one and a credit in another, so the ledger always balances.</p>
<ul><li>Assets = Liabilities + Equity</li><li>Debits are on the left</li></ul></main>
<footer>Copyright footer text</footer></body></html>`;

describe('ingest and search against Neo4j', () => {
  let app: Kgrag;
  const A = uniqueCollection('a');
  const B = uniqueCollection('b');
  const files = tempFiles({ 'volcano.md': VOLCANO_MD, 'bees.txt': BEES_TXT, 'ledger.html': LEDGER_HTML });

  beforeAll(async () => {
    app = await openTestApp();
  });
  afterAll(async () => {
    await dropCollections(app, [A, B]);
    await app.close();
    files.cleanup();
  });

  it('ingests a folder of mixed documents and finds passages by meaning and by keyword', async () => {
    const summary = await ingestInto(app, [files.dir], { collection: A });
    expect(summary.failed).toBe(0);
    expect(summary.documents).toBe(3);
    expect(summary.chunks).toBeGreaterThanOrEqual(3);

    const docs = await listDocuments(app.db, [A]);
    expect(docs.map((d) => d.title).sort()).toEqual(['Double-entry bookkeeping', 'Honeybee colonies', 'Volcanoes of Europe']);

    const retriever = retrieverOf(app);
    const vector = await retriever.search('insects that carry pollen between blossoms', { collections: [A], mode: 'vector', k: 3 });
    expect(vector[0]?.title).toBe('Honeybee colonies');
    const fulltext = await retriever.search('ledger debit credit', { collections: [A], mode: 'fulltext', k: 3 });
    expect(fulltext[0]?.title).toBe('Double-entry bookkeeping');
    const hybrid = await retriever.search('which volcano closes the Catania airport', { collections: [A], k: 3 });
    expect(hybrid[0]?.title).toBe('Volcanoes of Europe');
    expect(hybrid[0]?.text).toContain('Catania');
    expect(hybrid[0]?.source).toBe(files.path('volcano.md'));

    // Boilerplate and scripts of the HTML page are not indexed.
    const junk = await retriever.search('SHOULD-NOT-BE-INDEXED navigation menu', { collections: [A], mode: 'fulltext', k: 5 });
    expect(junk.every((r) => !r.text.includes('SHOULD-NOT-BE-INDEXED') && !r.text.includes('navigation menu'))).toBe(true);
  });

  it('keeps heading paths and offsets that point back into the document text', async () => {
    const id = documentId(A, files.path('volcano.md'));
    const detail = await getDocument(app.db, id, [A]);
    expect(detail).not.toBeNull();
    const etna = detail!.chunks.find((c) => c.text.includes('Etna on Sicily'));
    expect(etna?.headingPath).toEqual(['Volcanoes of Europe', 'Mount Etna']);
    expect(etna!.end).toBeGreaterThan(etna!.start);
    expect(detail!.document.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does no work for unchanged files and replaces the chunks of a changed one', async () => {
    const again = await ingestInto(app, [files.dir], { collection: A });
    expect(again.unchanged).toBe(3);
    expect(again.documents).toBe(0);

    writeFileSync(files.path('bees.txt'), BEES_TXT.replace('apples, almonds and clover', 'sunflowers and lavender fields'));
    const changed = await ingestInto(app, [files.dir], { collection: A });
    expect(changed.documents).toBe(1);
    expect(changed.unchanged).toBe(2);

    const retriever = retrieverOf(app);
    const stale = await retriever.search('almonds clover', { collections: [A], mode: 'fulltext', k: 10 });
    expect(stale.some((r) => r.text.includes('almonds'))).toBe(false);
    const fresh = await retriever.search('lavender fields', { collections: [A], mode: 'fulltext', k: 10 });
    expect(fresh[0]?.title).toBe('Honeybee colonies');
    // No orphaned chunks from the old version.
    const [row] = await app.db.read(
      'MATCH (c:Chunk {documentId: $id}) RETURN count(c) AS n, count { (c)-[:PART_OF]->(:Document) } AS linked',
      { id: documentId(A, files.path('bees.txt')) },
    );
    const detail = await getDocument(app.db, documentId(A, files.path('bees.txt')), [A]);
    expect(row?.n).toBe(detail!.chunks.length);
  });

  it('keeps collections apart: the same file in two collections, and no reads across them', async () => {
    const summary = await ingestInto(app, [files.path('volcano.md')], { collection: B });
    expect(summary.documents).toBe(1);
    const idA = documentId(A, files.path('volcano.md'));
    const idB = documentId(B, files.path('volcano.md'));
    expect(idA).not.toBe(idB);

    const retriever = retrieverOf(app);
    const onlyB = await retriever.search('Mount Etna lava', { collections: [B], k: 10 });
    expect(onlyB.length).toBeGreaterThan(0);
    expect(onlyB.every((r) => r.collection === B && r.documentId === idB)).toBe(true);
    for (const mode of ['vector', 'fulltext'] as const) {
      const res = await retriever.search('honeybee colony queen', { collections: [B], k: 10, mode });
      expect(res.every((r) => r.collection === B)).toBe(true);
    }
    expect(await getDocument(app.db, idA, [B])).toBeNull();
    expect(await deleteDocument(app.db, idA, [B])).toBeNull();
    expect(await getDocument(app.db, idA, [A])).not.toBeNull();
  });

  it('deletes a document with all its chunks', async () => {
    const id = documentId(B, files.path('volcano.md'));
    const deleted = await deleteDocument(app.db, id, [B]);
    expect(deleted?.chunks).toBeGreaterThan(0);
    const [row] = await app.db.read('MATCH (c:Chunk {documentId: $id}) RETURN count(c) AS n', { id });
    expect(row?.n).toBe(0);
    expect(await getDocument(app.db, id, [B])).toBeNull();
    const res = await retrieverOf(app).search('Mount Etna', { collections: [B], k: 5 });
    expect(res).toEqual([]);
  });

  it('rolls back a failed document write completely, leaving the previous version intact', async () => {
    const id = documentId(A, files.path('volcano.md'));
    const before = await getDocument(app.db, id, [A]);
    const existingChunkId = (await getDocument(app.db, documentId(A, files.path('bees.txt')), [A]))!.chunks[0]!.id;
    const vector = new Array(app.embedder!.dimension).fill(0).map((_, i) => (i === 0 ? 1 : 0));
    const chunk = (cid: string, index: number) => ({
      id: cid, index, text: `replacement ${index}`, page: null, start: 0, end: 1, headingPath: [], context: '', tokenCount: 2, embedding: vector,
    });
    // The second chunk reuses another document's chunk id: the uniqueness constraint fails mid-write.
    await expect(
      replaceDocument(
        app.db,
        { ...before!.document, title: 'Half-written', metadata: {}, embeddingModel: app.embedder!.modelId },
        [chunk(`${id}:0`, 0), chunk(existingChunkId, 1)],
      ),
    ).rejects.toThrow();
    const after = await getDocument(app.db, id, [A]);
    expect(after?.document.title).toBe('Volcanoes of Europe');
    expect(after?.chunks.map((c) => c.text)).toEqual(before!.chunks.map((c) => c.text));
  });
});
