/**
 * Query latency at growing graph sizes. Embedding 100k chunks on 2 cores would take about an hour,
 * so the scaled collection holds SYNTHETIC chunks: text recombined from SciFact sentences and
 * vectors mixed from real embeddings of SciFact abstracts plus noise (so that the vector index sees
 * a realistic, clustered distribution rather than uniform noise). They are written through
 * GraphExecutor in bulk with kgrag's schema (Document, Chunk, PART_OF, NEXT, float32 vectors), and
 * the same vectors go into the LangChain baseline through its own `addVectors`.
 */
import os from 'node:os';
import { Document } from '@langchain/core/documents';
import type { Neo4jVectorStore } from '@langchain/neo4j';
import { askKgrag, retrieverOf, type Kgrag } from '../../src/app.ts';
import { int } from '../../src/graph/executor.ts';
import { chunkLabel, ensureCollectionIndex } from '../../src/graph/collection-index.ts';
import type { Abstract } from './corpus.ts';
import { latencyOf, timeSamples, type Latency } from './measure.ts';

export const CHUNKS_PER_DOCUMENT = 10;
/** How synthetic chunks are spread over five collections: unequal, as tenants' data are. */
export const SHARES = [0.5, 0.2, 0.15, 0.1, 0.05];
/** A collection's share of `total` chunks, in whole synthetic documents. */
export const shareOf = (total: number, share: number): number => Math.round((total * share) / CHUNKS_PER_DOCUMENT) * CHUNKS_PER_DOCUMENT;
const WRITE_BATCH_CHUNKS = 2000;
const BASE_VECTORS = 256;

/** Deterministic PRNG (mulberry32), so that every run builds the same synthetic graph. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SyntheticSource {
  abstracts: Abstract[];
  sentences: string[][];
  vectors: number[][];
}

/** Embeds the first abstracts once: the real vectors the synthetic ones are mixed from. */
export async function syntheticSource(app: Kgrag, abstracts: readonly Abstract[]): Promise<SyntheticSource> {
  const base = abstracts.slice(0, BASE_VECTORS);
  const vectors = await app.embedder!.embedDocuments(base.map((a) => `${a.title}\n${a.text}`));
  const sentences = base.map((a) => a.text.split(/(?<=[.!?])\s+/).filter((s) => s.length > 20));
  return { abstracts: base, sentences, vectors };
}

interface SyntheticChunk {
  id: string;
  index: number;
  text: string;
  embedding: number[];
}

interface SyntheticDocument {
  id: string;
  title: string;
  chunks: SyntheticChunk[];
}

function syntheticDocument(src: SyntheticSource, collection: string, n: number): SyntheticDocument {
  const rand = prng(n + 1);
  const pick = () => Math.floor(rand() * src.vectors.length);
  const topic = pick();
  const id = `${collection}-doc-${n}`;
  const chunks = Array.from({ length: CHUNKS_PER_DOCUMENT }, (_, index) => {
    const other = pick();
    const a = src.vectors[topic]!;
    const b = src.vectors[other]!;
    const v = a.map((x, i) => 0.7 * x + 0.3 * b[i]! + (rand() - 0.5) * 0.04);
    const norm = Math.hypot(...v);
    const said = [...src.sentences[topic]!, ...src.sentences[other]!];
    const text = Array.from({ length: 4 }, () => said[Math.floor(rand() * said.length)] ?? '').join(' ');
    return { id: `${id}:${index}`, index, text, embedding: v.map((x) => x / norm) };
  });
  return { id, title: src.abstracts[topic]!.title, chunks };
}

/** kgrag's graph shape for many documents per transaction (the ingest path writes one document per transaction). */
const BULK_WRITE = `
UNWIND $docs AS doc
CREATE (d:Document {id: doc.id, collection: $collection, key: doc.id, source: 'synthetic:' + doc.id, title: doc.title,
  mimeType: 'text/plain', sha256: doc.id, metadata: '{}', embeddingModel: $model, chunkCount: size(doc.chunks),
  charCount: 0, createdAt: datetime(), updatedAt: datetime()})
WITH d, doc
UNWIND doc.chunks AS row
CREATE (c:Chunk {id: row.id, collection: $collection, documentId: d.id, index: row.index, text: row.text, page: null,
  start: 0, end: size(row.text), headingPath: [], context: d.title, tokenCount: 0})
SET c:$($label)
CREATE (c)-[:PART_OF]->(d)
WITH d, c, row
CALL db.create.setNodeVectorProperty(c, 'embedding', row.embedding)
WITH d, c ORDER BY c.index
WITH d, collect(c) AS chunks
UNWIND range(0, size(chunks) - 2) AS i
WITH chunks[i] AS a, chunks[i + 1] AS b
CREATE (a)-[:NEXT]->(b)
RETURN count(*) AS linked`;

/**
 * Grows the synthetic collection from `from` to `to` chunks (whole documents), in kgrag's graph and,
 * when a baseline store is given, in the baseline's. Returns ms spent writing each.
 */
export async function growSynthetic(
  app: Kgrag,
  src: SyntheticSource,
  collection: string,
  from: number,
  to: number,
  baseline: Neo4jVectorStore | undefined,
): Promise<{ kgragMs: number; baselineMs: number }> {
  let kgragMs = 0;
  let baselineMs = 0;
  const perBatch = WRITE_BATCH_CHUNKS / CHUNKS_PER_DOCUMENT;
  // Also on 2026.01+ (which searches the shared index, filtered): the isolation bench compares both.
  await ensureCollectionIndex(app.db, collection, src.vectors[0]!.length, { evenWithFilter: true });
  for (let n = from / CHUNKS_PER_DOCUMENT; n < to / CHUNKS_PER_DOCUMENT; n += perBatch) {
    const count = Math.min(perBatch, to / CHUNKS_PER_DOCUMENT - n);
    const docs = Array.from({ length: count }, (_, i) => syntheticDocument(src, collection, n + i));
    let t = performance.now();
    await app.db.write(BULK_WRITE, {
      collection,
      label: chunkLabel(collection),
      model: app.embedder!.modelId,
      docs: docs.map((d) => ({ ...d, chunks: d.chunks.map((c) => ({ ...c, index: int(c.index) })) })),
    });
    kgragMs += performance.now() - t;
    if (baseline) {
      const chunks = docs.flatMap((d) => d.chunks.map((c) => ({ c, title: d.title })));
      t = performance.now();
      await baseline.addVectors(
        chunks.map(({ c }) => c.embedding),
        chunks.map(({ c, title }) => new Document({ pageContent: `${title}\n${c.text}`, metadata: { chunkId: c.id } })),
        undefined,
        chunks.map(({ c }) => c.id),
      );
      baselineMs += performance.now() - t;
    }
  }
  return { kgragMs: Math.round(kgragMs), baselineMs: Math.round(baselineMs) };
}

/** A caller's scope: the collections it may read, and how many chunks they hold. */
export interface Scope {
  name: string;
  collections: string[];
  chunks: number;
}

export interface ScopeLatency extends Scope {
  vector: Latency;
  hybrid: Latency;
  ask: Latency;
}

export interface LatencyPoint {
  /** Chunks written across the collections (and into the baseline's own index). */
  chunks: number;
  /** Chunks in the whole database (other collections included). */
  indexChunks: number;
  rounds: number;
  scopes: ScopeLatency[];
  baselineVector?: Latency;
  /** 1-minute load average before and after the measurement. */
  loadAverage: [number, number];
}

/**
 * One user at a time, k = 10, the same queries for every system and scope. In each round every
 * system runs every query, in an order rotated per round (no system always runs first, while the
 * machine's load drifts); the percentiles pool all rounds' samples.
 */
export async function measureLatency(
  app: Kgrag,
  scopes: readonly Scope[],
  chunks: number,
  queries: readonly string[],
  baseline: Neo4jVectorStore | undefined,
  rounds = 3,
): Promise<LatencyPoint> {
  const retriever = retrieverOf(app);
  const load = () => Math.round(os.loadavg()[0]! * 10) / 10;
  const loadBefore = load();
  const [count] = await app.db.read('MATCH (c:Chunk) RETURN count(c) AS n');
  const systems: Array<{ key: string; run: (q: string) => Promise<unknown> }> = scopes.flatMap(({ name, collections }) => [
    { key: `${name}/vector`, run: (q: string) => retriever.search(q, { collections, k: 10, mode: 'vector' }) },
    { key: `${name}/hybrid`, run: (q: string) => retriever.search(q, { collections, k: 10, mode: 'hybrid' }) },
    { key: `${name}/ask`, run: (q: string) => askKgrag(app, q, { collections }) },
  ]);
  if (baseline) systems.push({ key: 'baseline', run: (q) => baseline.similaritySearch(q, 10) });
  const samples = new Map<string, number[]>(systems.map((s) => [s.key, []]));
  for (const s of systems) for (const q of queries.slice(0, 3)) await s.run(q); // warm-up, untimed
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < systems.length; i++) {
      const s = systems[(i + round) % systems.length]!;
      samples.get(s.key)!.push(...(await timeSamples(queries, s.run)));
    }
  }
  const of = (key: string) => latencyOf(samples.get(key)!);
  return {
    chunks,
    indexChunks: count?.n as number,
    rounds,
    scopes: scopes.map((scope) => ({ ...scope, vector: of(`${scope.name}/vector`), hybrid: of(`${scope.name}/hybrid`), ask: of(`${scope.name}/ask`) })),
    ...(baseline ? { baselineVector: of('baseline') } : {}),
    loadAverage: [loadBefore, load()],
  };
}
