/**
 * Ingestion throughput: kgrag's pipeline on a generated corpus (with and without offline
 * extraction), the embedding ceiling (transformers.js alone on the same chunk texts), and the
 * LangChain baseline (Neo4jVectorStore.fromDocuments on the same chunks, same model), all in one run.
 */
import path from 'node:path';
import { Document } from '@langchain/core/documents';
import { Embeddings } from '@langchain/core/embeddings';
import { env, pipeline } from '@huggingface/transformers';
import { Neo4jVectorStore } from '@langchain/neo4j';
import type { Kgrag } from '../../src/app.ts';
import { embeddingInput } from '../../src/domain/types.ts';
import { effectiveDtype, type Embedder } from '../../src/embedding/embedder.ts';
import type { Extractor } from '../../src/extraction/types.ts';
import { ingest, type IngestSummary } from '../../src/ingest/pipeline.ts';
import type { GeneratedCorpus } from './corpus.ts';
import { measured } from './measure.ts';
import { EMBEDDING_MODELS } from '../../src/embedding/models.ts';

/** The baseline's own label and index names, so that it never touches kgrag's Chunk / chunk_embedding. */
export const BASELINE = {
  nodeLabel: 'BenchLangchainChunk',
  indexName: 'bench_langchain_vector',
  keywordIndexName: 'bench_langchain_keyword',
} as const;

export interface Throughput {
  documents: number;
  chunks: number;
  ms: number;
  docsPerSec: number;
  chunksPerSec: number;
  mbPerSec: number;
  peakRssMb: number;
}

export interface KgragIngestRun extends Throughput {
  label: string;
  /** ms per stage as the pipeline reports them (stages overlap: embedding runs while the previous group is written). */
  stages: IngestSummary['timings'];
  mentions: number;
  relations: number;
}

/** A chunk exactly as kgrag embedded it. */
export interface BenchChunk {
  id: string;
  documentId: string;
  title: string;
  text: string;
  input: string;
}

function throughput(docs: number, chunks: number, bytes: number, ms: number, peakRssMb: number): Throughput {
  const s = ms / 1000;
  return {
    documents: docs,
    chunks,
    ms: Math.round(ms),
    docsPerSec: Math.round((docs / s) * 10) / 10,
    chunksPerSec: Math.round((chunks / s) * 10) / 10,
    mbPerSec: Math.round((bytes / 2 ** 20 / s) * 1000) / 1000,
    peakRssMb,
  };
}

export interface KgragIngestOptions {
  label: string;
  /** The offline extractor, made once by the caller (its construction is not ingestion). */
  extractor?: Extractor | undefined;
  /** Passed to ingest(): 1 is the one-transaction-per-document path of before. */
  documentsPerTransaction?: number;
}

export async function kgragIngest(app: Kgrag, corpus: GeneratedCorpus, collection: string, opts: KgragIngestOptions): Promise<KgragIngestRun> {
  const { result, ms, peakRssMb } = await measured(() =>
    ingest(
      [corpus.dir],
      { db: app.db, embedder: app.embedder!, extractor: opts.extractor, config: app.config, logger: app.logger },
      { collection, force: true, ...(opts.documentsPerTransaction ? { documentsPerTransaction: opts.documentsPerTransaction } : {}) },
    ),
  );
  if (result.failed > 0) {
    const why = result.outcomes.find((o) => o.status === 'failed');
    throw new Error(`${result.failed} documents failed to ingest: ${JSON.stringify(why)}`);
  }
  return {
    label: opts.label,
    ...throughput(result.documents, result.chunks, corpus.bytes, ms, peakRssMb),
    stages: result.timings,
    mentions: result.extraction.mentions,
    relations: result.extraction.relations,
  };
}

/** The chunks of `collection` with the exact text kgrag gave the model. */
export async function chunksOf(app: Kgrag, collection: string): Promise<BenchChunk[]> {
  const rows = await app.db.read(
    `MATCH (c:Chunk {collection: $collection})-[:PART_OF]->(d:Document)
     RETURN c.id AS id, d.id AS documentId, d.title AS title, c.headingPath AS headingPath, c.text AS text
     ORDER BY d.id, c.index`,
    { collection },
  );
  return rows.map((r) => ({
    id: r.id as string,
    documentId: r.documentId as string,
    title: r.title as string,
    text: r.text as string,
    input: embeddingInput(r.title as string, r.headingPath as string[], r.text as string),
  }));
}

/**
 * The model's own limit: transformers.js' feature-extraction pipeline (mean pooling, normalised,
 * as sentence-transformers does) on the same texts, longest first in batches of `batchSize` so
 * that padding is minimal, with nothing else in the process doing work.
 */
export async function embeddingCeiling(app: Kgrag, inputs: readonly string[], bytes: number, docs: number): Promise<Throughput & { batchSize: number }> {
  const { modelDir, modelId, batchSize } = app.config.embedding;
  const prefix = EMBEDDING_MODELS[app.config.embedding.model].passagePrefix;
  env.allowRemoteModels = modelDir === undefined;
  if (modelDir) env.localModelPath = path.dirname(modelDir);
  const extract = await pipeline('feature-extraction', modelDir ? path.basename(modelDir) : modelId, {
    dtype: effectiveDtype(app.config.embedding),
    device: 'cpu',
    local_files_only: modelDir !== undefined,
    ...(modelDir ? {} : { cache_dir: path.join(app.config.home, 'models', 'hub') }),
  });
  try {
    const sorted = [...inputs].map((t) => prefix + t).sort((a, b) => b.length - a.length);
    await extract(sorted.slice(0, batchSize), { pooling: 'mean', normalize: true }); // warm-up
    const { ms, peakRssMb } = await measured(async () => {
      for (let i = 0; i < sorted.length; i += batchSize) {
        const out = await extract(sorted.slice(i, i + batchSize), { pooling: 'mean', normalize: true });
        out.tolist();
      }
    });
    return { ...throughput(docs, inputs.length, bytes, ms, peakRssMb), batchSize };
  } finally {
    await extract.dispose();
  }
}

/** kgrag's embedder as a LangChain Embeddings, so that the baseline uses the very same model and batching. */
export class KgragEmbeddings extends Embeddings {
  private readonly embedder: Embedder;

  constructor(embedder: Embedder) {
    super({});
    this.embedder = embedder;
  }

  embedDocuments(texts: string[]): Promise<number[][]> {
    return this.embedder.embedDocuments(texts);
  }

  embedQuery(text: string): Promise<number[]> {
    return this.embedder.embedQuery(text);
  }
}

export function baselineConfig(app: Kgrag, searchType: 'vector' | 'hybrid' = 'vector') {
  const { uri, username, password, database } = app.config.neo4j;
  return { url: uri, username, password, database, ...BASELINE, textNodeProperty: 'text', embeddingNodeProperty: 'embedding', searchType };
}

/** LangChain's Neo4jVectorStore.fromDocuments on the same chunks: embeds them all, then writes them. */
export async function baselineIngest(
  app: Kgrag,
  chunks: readonly BenchChunk[],
  bytes: number,
  docs: number,
  embedder: Embedder = app.embedder!,
): Promise<{ run: Throughput; store: Neo4jVectorStore }> {
  const documents = chunks.map(
    (c) => new Document({ pageContent: c.input, metadata: { chunkId: c.id, documentId: c.documentId } }),
  );
  const { result: store, ms, peakRssMb } = await measured(() =>
    Neo4jVectorStore.fromDocuments(documents, new KgragEmbeddings(embedder), baselineConfig(app)),
  );
  await store.query('CALL db.awaitIndex($name, 300)', { name: BASELINE.indexName });
  return { run: throughput(docs, chunks.length, bytes, ms, peakRssMb), store };
}

/** Removes the baseline's nodes and indexes (through LangChain's own connection). */
export async function dropBaseline(store: Neo4jVectorStore): Promise<void> {
  await store.query(
    `MATCH (n:${BASELINE.nodeLabel}) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS`,
  );
  await store.query(`DROP INDEX ${BASELINE.indexName} IF EXISTS`);
  await store.query(`DROP INDEX ${BASELINE.keywordIndexName} IF EXISTS`);
  // fromDocuments also made an (unnamed) uniqueness constraint on the label's id.
  const constraints = await store.query('SHOW CONSTRAINTS YIELD name, labelsOrTypes WHERE labelsOrTypes = [$label] RETURN name', {
    label: BASELINE.nodeLabel,
  });
  for (const { name } of constraints) await store.query(`DROP CONSTRAINT \`${String(name)}\` IF EXISTS`);
  await store.close();
}
