import { GRAPH_SCOPE, SYSTEM_SCOPE } from '../domain/ids.ts';
import type { DocumentSort, DocumentSummary } from '../domain/documents.ts';
import type { Metadata } from '../domain/types.ts';
import type { ChunkExtraction } from '../extraction/types.ts';
import type { ResolutionPlan } from '../resolution/resolver.ts';
import { chunkLabel, dropCollectionIndexes } from './collection-index.ts';
import { cypher } from './cypher.ts';
import { removeDocumentGraph, writeDocumentGraph, writeDocumentsGraph } from './entities.ts';
import { int, type GraphExecutor, type TxRunner } from './executor.ts';

/** A document as written to the graph, with its chunks already embedded. */
export interface DocumentWrite {
  id: string;
  collection: string;
  /** What identifies the document inside its collection: explicit id or source path/URL. */
  key: string;
  source: string;
  title: string;
  mimeType: string;
  sha256: string;
  metadata: Metadata;
  embeddingModel: string;
  charCount: number;
}

export interface ChunkWrite {
  id: string;
  index: number;
  text: string;
  page: number | null;
  start: number;
  end: number;
  headingPath: string[];
  /** Title and heading path as one string, indexed for fulltext search beside the text. */
  context: string;
  tokenCount: number;
  /** OCR confidence (0–1) of recognised text, and whether it is under the low-confidence mark; null for born-digital text. */
  ocrConfidence?: number | null;
  ocrLowConfidence?: boolean | null;
  embedding: number[];
}

export interface ExistingDocument {
  id: string;
  sha256: string;
  embeddingModel: string | null;
}

/** Rows per UNWIND: keeps each statement's parameter message modest for big documents. */
const CHUNK_BATCH = 500;

export async function findExisting(db: GraphExecutor, ids: string[]): Promise<Map<string, ExistingDocument>> {
  if (ids.length === 0) return new Map();
  const rows = await db.read(cypher('ingest/find-documents'), { ids });
  return new Map(rows.map((r) => [r.id as string, r as unknown as ExistingDocument]));
}

/**
 * Writes a document, its chunks and what was extracted from them in ONE transaction, replacing
 * any previous version and withdrawing its old contributions to the knowledge graph: readers see
 * either the old document or the new one, never a mix or a half-written one.
 */
export async function replaceDocument(
  db: GraphExecutor,
  doc: DocumentWrite,
  chunks: ChunkWrite[],
  extractions?: ChunkExtraction[],
): Promise<ResolutionPlan['stats'] | null> {
  return db.writeTx(async (tx) => {
    await tx.run(cypher('ingest/upsert-document'), { doc: documentParams(doc, chunks.length) });
    await removeDocumentGraph(tx, doc.id);
    await createChunks(tx, [{ doc, chunks }]);
    return extractions ? writeDocumentGraph(tx, doc.collection, doc.id, extractions) : null;
  });
}

/** One document to write with its embedded chunks and (when extraction ran) what was extracted. */
export interface DocumentReplacement {
  doc: DocumentWrite;
  chunks: ChunkWrite[];
  extractions?: ChunkExtraction[] | undefined;
}

export type WriteOutcome = { ok: true; stats: ResolutionPlan['stats'] | null } | { ok: false; error: unknown };

/**
 * Writes documents that were NOT in the graph when the caller looked, all in ONE transaction: the
 * documents, then every chunk in a few UNWIND statements, the NEXT links, and what was extracted,
 * document by document in the given order (entity resolution sees the earlier ones, as with
 * separate transactions). Nothing has to be withdrawn, which saves the per-document statements of
 * `replaceDocument`, and one commit replaces many.
 *
 * If that transaction fails for any reason (a bad document, or one created meanwhile, which the
 * CREATE turns into a constraint violation), nothing of it is visible, and each document is then
 * written alone by `replaceDocument`: one bad document fails alone, the others are written, and
 * none is ever half-written. The graph and the ids are the same as `replaceDocument` one by one.
 * Returns one outcome per item, in order.
 */
export async function writeNewDocuments(db: GraphExecutor, items: readonly DocumentReplacement[]): Promise<WriteOutcome[]> {
  if (items.length === 0) return [];
  try {
    const stats = await db.writeTx(async (tx) => {
      await tx.run(cypher('ingest/create-documents'), { docs: items.map((it) => documentParams(it.doc, it.chunks.length)) });
      await createChunks(tx, items);
      return extractGroups(tx, items);
    });
    return stats.map((s) => ({ ok: true, stats: s }));
  } catch {
    const outcomes: WriteOutcome[] = [];
    for (const it of items) {
      try {
        outcomes.push({ ok: true, stats: await replaceDocument(db, it.doc, it.chunks, it.extractions) });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    return outcomes;
  }
}

/**
 * What was extracted from the documents, resolved and written per collection, in order (each
 * document sees the entities of the earlier ones; collections never share entities).
 */
async function extractGroups(tx: TxRunner, items: readonly DocumentReplacement[]): Promise<Array<ResolutionPlan['stats'] | null>> {
  const out: Array<ResolutionPlan['stats'] | null> = items.map(() => null);
  const byCollection = new Map<string, number[]>();
  items.forEach((it, i) => {
    if (it.extractions) byCollection.set(it.doc.collection, [...(byCollection.get(it.doc.collection) ?? []), i]);
  });
  for (const [collection, indexes] of byCollection) {
    const docs = indexes.map((i) => ({ documentId: items[i]!.doc.id, extractions: items[i]!.extractions! }));
    (await writeDocumentsGraph(tx, collection, docs)).forEach((stats, j) => (out[indexes[j]!] = stats));
  }
  return out;
}

/** The chunks of the documents (already written), PART_OF them, and NEXT between consecutive chunks of each. */
async function createChunks(tx: TxRunner, items: ReadonlyArray<Pick<DocumentReplacement, 'doc' | 'chunks'>>): Promise<void> {
  const rows = items.flatMap((it) => it.chunks.map((c) => ({ ...chunkParams(c), documentId: it.doc.id, label: chunkLabel(it.doc.collection) })));
  for (let i = 0; i < rows.length; i += CHUNK_BATCH) {
    await tx.run(cypher('ingest/create-chunks'), { chunks: rows.slice(i, i + CHUNK_BATCH) });
  }
  const pairs = items.flatMap((it) => {
    const ordered = [...it.chunks].sort((a, b) => a.index - b.index);
    return ordered.slice(1).map((c, i) => ({ from: ordered[i]!.id, to: c.id }));
  });
  for (let i = 0; i < pairs.length; i += CHUNK_BATCH) {
    await tx.run(cypher('ingest/link-chunks'), { pairs: pairs.slice(i, i + CHUNK_BATCH) });
  }
}

function documentParams(doc: DocumentWrite, chunkCount: number) {
  return { ...doc, metadata: JSON.stringify(doc.metadata), chunkCount: int(chunkCount), charCount: int(doc.charCount) };
}

function chunkParams(c: ChunkWrite) {
  return {
    ...c,
    index: int(c.index),
    page: c.page === null ? null : int(c.page),
    start: int(c.start),
    end: int(c.end),
    tokenCount: int(c.tokenCount),
  };
}

export { DOCUMENT_SORTS, type DocumentSort, type DocumentSummary } from '../domain/documents.ts';

export interface DocumentQuery {
  skip?: number;
  limit?: number;
  /** Part of the name or title, any case. */
  q?: string | undefined;
  sort?: DocumentSort;
  order?: 'asc' | 'desc';
}

/** A page of documents and how many match in all. Default order: most recently updated first. */
export async function listDocumentPage(db: GraphExecutor, collections: string[], query: DocumentQuery = {}): Promise<{ total: number; items: DocumentSummary[] }> {
  const sort = query.sort ?? 'updatedAt';
  const q = query.q?.normalize('NFKC').trim().toLowerCase();
  const [row] = await db.read(cypher('documents/list'), {
    collections,
    q: q || null,
    sort,
    descending: (query.order ?? (sort === 'updatedAt' || sort === 'createdAt' ? 'desc' : 'asc')) === 'desc',
    skip: int(query.skip ?? 0),
    limit: int(query.limit ?? 100),
  });
  const items = ((row?.items ?? []) as Array<Omit<DocumentSummary, 'pages' | 'status'> & { metadata: string | null }>).map(({ metadata, ...d }) => {
    const pages = Number(parseMetadata(metadata)['pageCount']);
    const status: DocumentSummary['status'] = !d.chunks ? 'empty' : d.entities > 0 ? 'extracted' : 'indexed';
    return { ...d, pages: Number.isInteger(pages) && pages > 0 ? pages : null, status };
  });
  return { total: Number(row?.total ?? 0), items };
}

export async function listDocuments(db: GraphExecutor, collections: string[], query: DocumentQuery = {}): Promise<DocumentSummary[]> {
  return (await listDocumentPage(db, collections, query)).items;
}

export interface DocumentDetail {
  document: {
    id: string;
    collection: string;
    key: string;
    title: string;
    source: string;
    mimeType: string;
    sha256: string;
    metadata: Metadata;
    embeddingModel: string;
    charCount: number;
    createdAt: string;
    updatedAt: string;
  };
  chunks: Array<{
    id: string;
    index: number;
    page: number | null;
    start: number;
    end: number;
    headingPath: string[];
    tokenCount: number;
    text: string;
  }>;
}

/** Null when the document does not exist in the caller's collections (no hint that it exists elsewhere). */
export async function getDocument(db: GraphExecutor, id: string, collections: string[]): Promise<DocumentDetail | null> {
  const [row] = await db.read(cypher('documents/get'), { id, collections });
  if (!row) return null;
  const detail = row as unknown as DocumentDetail & { document: { metadata: string } };
  return {
    document: { ...detail.document, metadata: parseMetadata(detail.document.metadata) },
    chunks: detail.chunks,
  };
}

function parseMetadata(json: string | null): Metadata {
  if (!json) return {};
  try {
    return JSON.parse(json) as Metadata;
  } catch {
    return {};
  }
}

/**
 * Deletes a document, its chunks, and what it alone contributed to the knowledge graph, in one
 * transaction. Returns null when there is no such document in the caller's collections.
 */
export async function deleteDocument(
  db: GraphExecutor,
  id: string,
  collections: string[],
): Promise<{ chunks: number } | null> {
  return db.writeTx(async (tx) => {
    const [found] = await tx.run(cypher('documents/find'), { id, collections });
    if (!found) return null;
    await removeDocumentGraph(tx, id);
    await tx.run(cypher('documents/delete'), { id });
    return { chunks: found.chunks as number };
  });
}

/** Every collection that holds something, and GRAPH_SCOPE last when the database also holds a graph kgrag did not build. */
export async function listCollections(db: GraphExecutor): Promise<string[]> {
  const [rows, [graph]] = await Promise.all([db.read(cypher('documents/collections')), db.read(cypher('documents/has-graph'))]);
  const names = rows.map((r) => r.collection as string);
  // Only beside collections: a database that holds nothing else is read whole, without scoping.
  return names.length > 0 && graph?.graph === true ? [...names, GRAPH_SCOPE] : names;
}

/** Makes an empty collection that is listed before anything is written to it. Returns whether it is new. */
export async function createCollection(db: GraphExecutor, name: string): Promise<boolean> {
  const [row] = await db.write(cypher('documents/create-collection'), { name, system: SYSTEM_SCOPE });
  return row?.created === true;
}

/**
 * Removes a collection: every node in it (documents, chunks, entities, imported records) with
 * their relationships, in batches, then its vector indexes and its marker. Returns how many nodes
 * went, or null when there was no such collection.
 */
export async function deleteCollection(db: GraphExecutor, name: string): Promise<number | null> {
  let nodes = 0;
  for (;;) {
    const [row] = await db.write(cypher('documents/delete-collection-batch'), { name, batch: int(5000) });
    const deleted = Number(row?.deleted ?? 0);
    nodes += deleted;
    if (deleted === 0) break;
  }
  const [marker] = await db.write(cypher('documents/delete-collection-marker'), { name });
  await dropCollectionIndexes(db, name);
  return nodes === 0 && Number(marker?.deleted ?? 0) === 0 ? null : nodes;
}

export interface CollectionStats {
  collection: string;
  documents: number;
  chunks: number;
  entities: number;
  relationships: number;
}

export async function collectionStats(db: GraphExecutor): Promise<CollectionStats[]> {
  return (await db.read(cypher('documents/stats'))) as unknown as CollectionStats[];
}
