import { embeddingInput } from '../domain/types.ts';
import { countPending, pendingDocuments, setEmbeddings } from '../graph/embeddings.ts';
import type { GraphExecutor } from '../graph/executor.ts';
import { applySchema } from '../graph/schema.ts';
import type { Logger } from '../logging.ts';
import type { Embedder } from './embedder.ts';

export interface ReembedOptions {
  /** Only these collections (default: the whole database). */
  collections?: string[];
  /** Documents per transaction. */
  batchDocuments?: number;
  onProgress?: (done: { documents: number; chunks: number; pending: number }) => void;
}

export interface ReembedSummary {
  model: string;
  documents: number;
  chunks: number;
  /** Documents of the whole database still embedded by another model. */
  remaining: number;
  /** Whether the vector index now serves the configured model (nothing else is left). */
  switched: boolean;
}

/**
 * Embeds again, with the configured model, every document embedded by another one. Resumable: each
 * batch of documents is rewritten in one transaction and marked with the new model, so a run
 * that stops (Ctrl-C, crash) goes on where it stopped when started again. Searches stay refused
 * (the model guard) until no chunk of another model is left; then the vector index is switched.
 */
export async function reembed(
  db: GraphExecutor,
  embedder: Embedder,
  logger: Logger,
  options: ReembedOptions = {},
): Promise<ReembedSummary> {
  const model = embedder.modelId;
  const collections = options.collections?.length ? options.collections : null;
  const batch = options.batchDocuments ?? 32;
  let { pending } = await countPending(db, model, collections);
  let documents = 0;
  let chunks = 0;
  for (;;) {
    const docs = await pendingDocuments(db, model, collections, batch);
    if (docs.length === 0) break;
    const items = docs.flatMap((d) => d.chunks.map((c) => ({ id: c.id, input: embeddingInput(d.title, c.headingPath, c.text) })));
    const vectors = await embedder.embedDocuments(items.map((i) => i.input));
    await setEmbeddings(db, model, docs.map((d) => d.documentId), items.map((i, k) => ({ id: i.id, embedding: vectors[k]! })));
    documents += docs.length;
    chunks += items.length;
    pending -= docs.length;
    options.onProgress?.({ documents, chunks, pending });
    logger.info({ documents, chunks, pending }, 're-embedded a batch');
  }
  const { pendingAll } = await countPending(db, model, null);
  if (pendingAll === 0) await applySchema(db, { model, dimension: embedder.dimension }, logger);
  return { model, documents, chunks, remaining: pendingAll, switched: pendingAll === 0 };
}
