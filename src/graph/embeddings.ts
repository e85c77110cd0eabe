import { cypher } from './cypher.ts';
import { int, type GraphExecutor } from './executor.ts';

/** A document whose chunks must be embedded again, with the chunk texts in order. */
export interface PendingDocument {
  documentId: string;
  title: string;
  chunks: Array<{ id: string; text: string; headingPath: string[] }>;
}

export async function pendingDocuments(
  db: GraphExecutor,
  model: string,
  collections: string[] | null,
  limit: number,
): Promise<PendingDocument[]> {
  const rows = await db.read(cypher('embedding/pending-documents'), { model, collections, limit: int(limit) });
  return rows as unknown as PendingDocument[];
}

export async function countPending(
  db: GraphExecutor,
  model: string,
  collections: string[] | null,
): Promise<{ pending: number; pendingAll: number }> {
  const [row] = await db.read(cypher('embedding/count-pending'), { model, collections });
  return { pending: Number(row?.pending ?? 0), pendingAll: Number(row?.pendingAll ?? 0) };
}

/** Stores the new vectors and marks the documents as embedded by `model`, in one transaction. */
export async function setEmbeddings(
  db: GraphExecutor,
  model: string,
  documentIds: string[],
  chunks: Array<{ id: string; embedding: number[] }>,
): Promise<void> {
  await db.write(cypher('embedding/set-embeddings'), { model, documentIds, chunks });
}
