import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { documentId } from '../../src/domain/ids.ts';
import { getDocument, writeNewDocuments, type ChunkWrite, type DocumentWrite } from '../../src/graph/documents.ts';
import type { GraphExecutor, TxRunner } from '../../src/graph/executor.ts';
import { ingest } from '../../src/ingest/pipeline.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

/** New documents share write transactions; these check that a batch is still all-or-nothing per document. */
describe('several new documents per write transaction', () => {
  let app: Kgrag;
  const batched = uniqueCollection('batch');
  const single = uniqueCollection('single');
  const direct = uniqueCollection('direct');
  const poisoned = uniqueCollection('poison');
  const section = (topic: string) =>
    `## ${topic}\n\n` + `The ${topic.toLowerCase()} survey counted nests along the river and compared them with last year. `.repeat(30) + '\n';
  const files = tempFiles({
    'herons.md': `# Herons\n\n${section('Grey herons')}\n${section('Night herons')}`,
    'otters.md': `# Otters\n\n${section('Otter tracks')}\n${section('Otter holts')}`,
    'poison.md': '# Poison\n\nPOISON: the database refuses any transaction that writes this text.\n',
    'willows.txt': 'Willows\n\nWillows along the bank were pollarded in March; the cuttings were planted upstream.\n',
    // Two files with a record of the same id: the same document, twice in one batch.
    'dup-a.jsonl': JSON.stringify({ id: 'same', title: 'First version', text: 'The first record with this id.' }),
    'dup-b.jsonl': JSON.stringify({ id: 'same', title: 'Second version', text: 'The second record with this id wins, as records are written in order.' }),
  });

  beforeAll(async () => {
    app = await openTestApp();
  });
  afterAll(async () => {
    await dropCollections(app, [batched, single, direct, poisoned]);
    await app.close();
    files.cleanup();
  });

  /** Each document of a collection by key: properties, chunks in order, and the NEXT chain. */
  type Snapshot = Record<string, unknown> & { key: string; title: string; chunkCount: number; chunks: unknown[][]; next: unknown[][] };
  const snapshot = async (collection: string): Promise<Snapshot[]> => {
    const rows = await app.db.read(
      `MATCH (d:Document {collection: $collection})
       CALL (d) {
         MATCH (c:Chunk)-[:PART_OF]->(d)
         WITH c ORDER BY c.index
         RETURN collect([c.index, c.text, c.start, c.end, c.headingPath, c.context, c.tokenCount, c.page, c.id = d.id + ':' + c.index,
                         c.collection, c.documentId = d.id, size(c.embedding)]) AS chunks,
                collect([c.index, [(c)-[:NEXT]->(n) | n.index]]) AS next
       }
       RETURN d.key AS key, d.title AS title, d.source AS source, d.mimeType AS mimeType, d.sha256 AS sha256, d.metadata AS metadata,
              d.embeddingModel AS embeddingModel, d.chunkCount AS chunkCount, d.charCount AS charCount,
              d.createdAt IS NOT NULL AND d.updatedAt IS NOT NULL AS stamped, d.id AS id, chunks, next
       ORDER BY key`,
      { collection },
    );
    return rows.map((r) => {
      expect(r.id).toBe(documentId(collection, r.key as string));
      const { id: _id, ...rest } = r;
      return { ...rest, chunks: (r.chunks as unknown[][]).map((c) => c.map((v) => (v === collection ? 'COLLECTION' : v))) } as Snapshot;
    });
  };

  it('writes the same graph, with the same ids, as one transaction per document', async () => {
    const a = await ingestInto(app, [files.path('herons.md'), files.path('otters.md'), files.path('willows.txt')], { collection: batched });
    const b = await ingestInto(app, [files.path('herons.md'), files.path('otters.md'), files.path('willows.txt')], {
      collection: single,
      documentsPerTransaction: 1,
    });
    expect(a.failed).toBe(0);
    expect(a.documents).toBe(3);
    expect(a.chunks).toBe(b.chunks);
    expect(a.chunks).toBeGreaterThan(4);
    const snapA = await snapshot(batched);
    expect(snapA).toEqual(await snapshot(single));
    // The chain really is there: the first chunk of a long document has a successor.
    const herons = snapA.find((d) => d.title === 'Herons')!;
    expect(herons.next[0]).toEqual([0, [1]]);
  });

  it('replaces a changed document through the one-document path, in place', async () => {
    const again = await ingestInto(app, [files.path('herons.md')], { collection: batched, force: true });
    expect(again.documents).toBe(1);
    const detail = await getDocument(app.db, documentId(batched, files.path('herons.md')), [batched]);
    const [row] = await app.db.read('MATCH (c:Chunk {documentId: $id}) RETURN count(c) AS n', { id: detail!.document.id });
    expect(row?.n).toBe(detail!.chunks.length);
    expect(await snapshot(batched)).toEqual(await snapshot(single));
  });

  it('writes two records with one id like before: the batch fails on the document constraint and each is written alone', async () => {
    const summary = await ingestInto(app, [files.path('dup-a.jsonl'), files.path('dup-b.jsonl')], { collection: batched });
    expect(summary.failed).toBe(0);
    expect(summary.documents).toBe(2);
    const detail = await getDocument(app.db, documentId(batched, 'same'), [batched]);
    expect(detail?.document.title).toBe('Second version');
    expect(detail?.chunks.map((c) => c.text)).toEqual(['The second record with this id wins, as records are written in order.']);
  });

  it('writes the good documents of a batch whose transaction fails, and nothing of the bad one', async () => {
    // A database that refuses any transaction writing a chunk with POISON in it.
    const refusing = new Proxy(app.db, {
      get(target, prop) {
        if (prop === 'writeTx') {
          return <T>(work: (tx: TxRunner) => Promise<T>, opts?: { timeoutMs?: number }) =>
            target.writeTx(
              (tx) =>
                work({
                  run: async (query, params) => {
                    if (JSON.stringify(params ?? {}).includes('POISON')) throw new Error('refused: poisoned chunk');
                    return tx.run(query, params);
                  },
                }),
              opts,
            );
        }
        const value: unknown = Reflect.get(target, prop);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    }) as GraphExecutor;
    const inputs = ['herons.md', 'poison.md', 'otters.md', 'willows.txt'].map((f) => files.path(f));
    const summary = await ingest(inputs, { db: refusing, embedder: app.embedder!, config: app.config, logger: app.logger }, { collection: poisoned });
    expect(summary.failed).toBe(1);
    expect(summary.documents).toBe(3);
    const failure = summary.outcomes.find((o) => o.status === 'failed');
    expect(failure?.source).toBe(files.path('poison.md'));
    expect(await getDocument(app.db, documentId(poisoned, files.path('poison.md')), [poisoned])).toBeNull();
    const [row] = await app.db.read('MATCH (c:Chunk {documentId: $id}) RETURN count(c) AS n', { id: documentId(poisoned, files.path('poison.md')) });
    expect(row?.n).toBe(0);
    // The others are complete, exactly as without the bad neighbour.
    const others = (await snapshot(poisoned)).map((d) => d.key);
    expect(others).toEqual([files.path('herons.md'), files.path('otters.md'), files.path('willows.txt')].sort());
    const clean = (await snapshot(single)).filter((d) => others.includes(d.key));
    expect((await snapshot(poisoned)).map(({ chunks, next, chunkCount }) => ({ chunks, next, chunkCount }))).toEqual(
      clean.map(({ chunks, next, chunkCount }) => ({ chunks, next, chunkCount })),
    );
  });

  it('writeNewDocuments: a document that cannot be written fails alone and leaves nothing behind', async () => {
    const vector = new Array(app.embedder!.dimension).fill(0).map((_, i) => (i === 0 ? 1 : 0));
    const doc = (key: string): DocumentWrite => ({
      id: documentId(direct, key), collection: direct, key, source: key, title: key, mimeType: 'text/plain',
      sha256: '0'.repeat(64), metadata: {}, embeddingModel: app.embedder!.modelId, charCount: 10,
    });
    const chunk = (id: string, index: number): ChunkWrite => ({
      id, index, text: `text ${index}`, page: null, start: 0, end: 1, headingPath: [], context: '', tokenCount: 2, embedding: vector,
    });
    const taken = (await getDocument(app.db, documentId(single, files.path('herons.md')), [single]))!.chunks[0]!.id;
    const [one, bad, three] = [doc('one'), doc('bad'), doc('three')];
    const outcomes = await writeNewDocuments(app.db, [
      { doc: one, chunks: [chunk(`${one.id}:0`, 0), chunk(`${one.id}:1`, 1)] },
      // Its second chunk reuses another document's chunk id: the uniqueness constraint fails mid-write.
      { doc: bad, chunks: [chunk(`${bad.id}:0`, 0), chunk(taken, 1)] },
      { doc: three, chunks: [chunk(`${three.id}:0`, 0)] },
    ]);
    expect(outcomes.map((o) => o.ok)).toEqual([true, false, true]);
    expect((await getDocument(app.db, one.id, [direct]))?.chunks.map((c) => c.text)).toEqual(['text 0', 'text 1']);
    expect((await getDocument(app.db, three.id, [direct]))?.chunks.length).toBe(1);
    expect(await getDocument(app.db, bad.id, [direct])).toBeNull();
    const [row] = await app.db.read('MATCH (c:Chunk {documentId: $id}) RETURN count(c) AS n', { id: bad.id });
    expect(row?.n).toBe(0);
    // The chunk whose id was reused still belongs to its own document.
    const [owner] = await app.db.read('MATCH (c:Chunk {id: $id})-[:PART_OF]->(d) RETURN d.collection AS collection', { id: taken });
    expect(owner?.collection).toBe(single);
  });
});
