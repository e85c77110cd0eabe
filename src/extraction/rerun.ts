import type { GraphExecutor } from '../graph/executor.ts';
import { cypher } from '../graph/cypher.ts';
import { reextractDocument } from '../graph/entities.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../logging.ts';
import type { Extractor } from './types.ts';

export interface ExtractRunSummary {
  collection: string;
  documents: number;
  chunks: number;
  failedChunks: number;
  mentions: number;
  relations: number;
  failed: Array<{ documentId: string; error: string }>;
}

/**
 * `kgrag extract`: runs extraction again over stored chunks (after changing the extractor, its
 * patterns or the user schema), one transaction per document, replacing what the document
 * contributed before.
 */
export async function rerunExtraction(
  db: GraphExecutor,
  extractor: Extractor,
  collection: string,
  logger: Logger,
  opts: { documentId?: string; onDocument?: (done: number) => void } = {},
): Promise<ExtractRunSummary> {
  const summary: ExtractRunSummary = { collection, documents: 0, chunks: 0, failedChunks: 0, mentions: 0, relations: 0, failed: [] };
  const docs = await db.read(cypher('entities/document-chunks'), { collection, documentId: opts.documentId ?? null });
  for (const doc of docs) {
    const documentId = doc.documentId as string;
    const chunks = doc.chunks as Array<{ chunkId: string; text: string }>;
    try {
      const result = await extractor.extract(chunks.map((c) => ({ ...c, documentTitle: doc.title as string })));
      const stats = await reextractDocument(db, collection, documentId, result.extractions);
      summary.documents++;
      summary.chunks += result.extractions.length;
      summary.failedChunks += result.failures.length;
      summary.mentions += stats.mentions;
      summary.relations += stats.relations;
    } catch (err) {
      logger.warn({ documentId, err: errorMessage(err) }, 'extraction failed');
      summary.failed.push({ documentId, error: errorMessage(err) });
    }
    opts.onDocument?.(summary.documents + summary.failed.length);
  }
  return summary;
}
