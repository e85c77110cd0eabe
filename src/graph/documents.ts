import type { Metadata } from '../domain/types.ts';
import type { ChunkExtraction } from '../extraction/types.ts';
import type { ResolutionPlan } from '../resolution/resolver.ts';
import { cypher } from './cypher.ts';
import { removeDocumentGraph, writeDocumentGraph } from './entities.ts';
import { int, type GraphExecutor } from './executor.ts';

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
    await tx.run(cypher('ingest/upsert-document'), {
      doc: { ...doc, metadata: JSON.stringify(doc.metadata), chunkCount: int(chunks.length), charCount: int(doc.charCount) },
    });
    await removeDocumentGraph(tx, doc.id);
    for (let i = 0; i < chunks.length; i += CHUNK_BATCH) {
      const batch = chunks.slice(i, i + CHUNK_BATCH).map((c) => ({
        ...c,
        index: int(c.index),
        page: c.page === null ? null : int(c.page),
        start: int(c.start),
        end: int(c.end),
        tokenCount: int(c.tokenCount),
      }));
      await tx.run(cypher('ingest/create-chunks'), { documentId: doc.id, chunks: batch });
    }
    if (chunks.length > 1) await tx.run(cypher('ingest/link-chunks'), { documentId: doc.id });
    return extractions ? writeDocumentGraph(tx, doc.collection, doc.id, extractions) : null;
  });
}

export interface DocumentSummary {
  id: string;
  collection: string;
  title: string;
  source: string;
  mimeType: string;
  chunks: number;
  createdAt: string;
  updatedAt: string;
}

export async function listDocuments(
  db: GraphExecutor,
  collections: string[],
  page: { skip?: number; limit?: number } = {},
): Promise<DocumentSummary[]> {
  const rows = await db.read(cypher('documents/list'), {
    collections,
    skip: int(page.skip ?? 0),
    limit: int(page.limit ?? 100),
  });
  return rows as unknown as DocumentSummary[];
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

export async function listCollections(db: GraphExecutor): Promise<string[]> {
  const rows = await db.read(cypher('documents/collections'));
  return rows.map((r) => r.collection as string);
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
