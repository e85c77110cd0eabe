import { GRAPH_SCOPE } from '../domain/ids.ts';
import type { SearchResult } from '../domain/types.ts';
import { collectionFulltextName, collectionIndexName, isIndexUnavailable } from './collection-index.ts';
import { cypher } from './cypher.ts';
import { int, type GraphExecutor } from './executor.ts';
import { collectionFilterIndex, PREFER_INDEX_FILTER } from './server.ts';

/** Upper bound on over-fetching from the vector index while looking for the caller's collections. */
const MAX_CANDIDATES = 10_000;
/** More collections than this are searched in the shared index: their share of it is large anyway. */
const MAX_COLLECTION_INDEXES = 8;
/**
 * Several collections that hold at least this share of all chunks are searched in the shared
 * index in one query, with the usual small over-fetch (k × 4, at least 50), rather than one query per index.
 */
const SHARED_INDEX_SHARE = 0.5;
/** How long a count of the chunks in a set of collections is reused: it only sizes the over-fetch. */
const COUNTS_TTL_MS = 60_000;

/**
 * Nearest chunks by cosine similarity, restricted to `collections`. With PREFER_INDEX_FILTER, on
 * Neo4j 2026.01+ with the shared index declaring `collection` (applySchema does), the index
 * filters by collection itself (`filteredVectorSearch`). Otherwise each collection's own vector index
 * (src/graph/collection-index.ts), the lists merged by score. A collection whose index is
 * missing or still populating (chunks written by an older kgrag, before `applySchema` labelled
 * them) sends the search to the shared index instead, with the same results.
 */
export async function vectorSearch(
  db: GraphExecutor,
  embedding: number[],
  collections: string[],
  k: number,
): Promise<SearchResult[]> {
  // The existing graph's scope holds no chunks (and so has no index of its own).
  collections = collections.filter((c) => c !== GRAPH_SCOPE);
  if (collections.length === 0 || k <= 0) return [];
  if (PREFER_INDEX_FILTER && (await collectionFilterIndex(db)).online) return filteredVectorSearch(db, embedding, collections, k);
  return perCollectionVectorSearch(db, embedding, collections, k);
}

/** A vector search design: the k nearest chunks of `collections` to `embedding`. */
export type VectorSearch = (db: GraphExecutor, embedding: number[], collections: string[], k: number) => Promise<SearchResult[]>;

/** Each collection's own vector index, the lists merged by score; the shared index for what has none. */
export const perCollectionVectorSearch: VectorSearch = async (db, embedding, collections, k) => {
  if (collections.length === 0 || k <= 0) return [];
  return ownIndexesOrShared(
    db,
    collections,
    k,
    (c) => db.read(cypher('search/vector-collection'), { index: collectionIndexName(c, embedding.length), embedding, k: int(k) }),
    (counts) => sharedVectorSearch(db, embedding, collections, k, counts),
  );
};

/**
 * One search per collection in its own index, in parallel, the lists merged by score; the shared
 * index instead (`shared`) for more than MAX_COLLECTION_INDEXES collections, for collections that
 * together hold at least SHARED_INDEX_SHARE of all chunks (one query), or while an own index is
 * missing or populating.
 */
async function ownIndexesOrShared(
  db: GraphExecutor,
  collections: string[],
  k: number,
  own: (collection: string) => Promise<unknown[]>,
  shared: (counts?: ChunkCounts) => Promise<SearchResult[]>,
): Promise<SearchResult[]> {
  const unique = [...new Set(collections)];
  if (unique.length > 1) {
    const counts = await chunkCounts(db, unique);
    if (counts.total > 0 && counts.inCollections >= SHARED_INDEX_SHARE * counts.total) return shared(counts);
  }
  if (unique.length > MAX_COLLECTION_INDEXES) return shared();
  try {
    return await eachCollection(unique, k, own);
  } catch (err) {
    if (!isIndexUnavailable(err)) throw err;
  }
  return shared();
}

/** One search per collection, in parallel, the lists merged by score. */
async function eachCollection(collections: string[], k: number, search: (collection: string) => Promise<unknown[]>): Promise<SearchResult[]> {
  const lists = await Promise.all([...new Set(collections)].map(search));
  return (lists.flat() as SearchResult[]).sort((a, b) => b.score - a.score).slice(0, k);
}

/**
 * Nearest chunks in the shared index, filtered by collection inside the index (Cypher 25
 * `SEARCH … WHERE`, Neo4j 2026.01+): no over-fetch and no index per collection. One query per
 * collection (the filter takes one exact value), the lists merged by score.
 */
export const filteredVectorSearch: VectorSearch = async (db, embedding, collections, k) => {
  if (collections.length === 0 || k <= 0) return [];
  return eachCollection(collections, k, (collection) => db.read(cypher('search/vector-filtered'), { embedding, collection, k: int(k) }));
};

/**
 * Nearest chunks in the shared index of every collection. The Community vector index
 * cannot filter, so candidates are over-fetched and filtered. When the caller's collections are a
 * small part of the graph, the first shortfall sizes the next pool from their share of the index
 * (about k / share candidates hold k hits), rather than growing blindly round after round.
 */
export async function sharedVectorSearch(
  db: GraphExecutor,
  embedding: number[],
  collections: string[],
  k: number,
  known?: ChunkCounts,
): Promise<SearchResult[]> {
  if (collections.length === 0 || k <= 0) return [];
  let counts = known;
  const byShare = (c: ChunkCounts) => Math.ceil((1.5 * k * c.total) / Math.max(1, c.inCollections));
  // Collections that hold every chunk lose nothing to the filter: fetch exactly k, as an index of
  // their own would. Otherwise at least 50, so that a small shortfall does not cost a second round.
  const everyChunk = counts !== undefined && counts.inCollections >= counts.total;
  let candidates = everyChunk ? k : Math.min(Math.max(k * 4, 50, counts ? byShare(counts) : 0), MAX_CANDIDATES);
  for (;;) {
    const rows = await db.read(cypher('search/vector'), {
      embedding,
      collections,
      candidates: int(candidates),
      k: int(k),
    });
    if (rows.length >= k || candidates >= MAX_CANDIDATES) return rows as unknown as SearchResult[];
    counts ??= await countChunks(db, collections);
    if (candidates >= counts.total || rows.length >= counts.inCollections) return rows as unknown as SearchResult[];
    candidates = Math.min(Math.max(candidates * 4, byShare(counts)), MAX_CANDIDATES);
  }
}

interface ChunkCounts {
  /** Chunks in the shared index. */
  total: number;
  inCollections: number;
}

async function countChunks(db: GraphExecutor, collections: string[]): Promise<ChunkCounts> {
  const [row] = await db.read(cypher('search/count-chunks'), { collections });
  return { total: (row?.total as number | undefined) ?? 0, inCollections: (row?.inCollections as number | undefined) ?? 0 };
}

const countCache = new WeakMap<GraphExecutor, Map<string, { at: number; counts: Promise<ChunkCounts> }>>();

/** `countChunks`, reused for COUNTS_TTL_MS per set of collections. */
function chunkCounts(db: GraphExecutor, collections: string[]): Promise<ChunkCounts> {
  const byKey = countCache.get(db) ?? new Map<string, { at: number; counts: Promise<ChunkCounts> }>();
  countCache.set(db, byKey);
  const key = JSON.stringify([...collections].sort());
  const hit = byKey.get(key);
  if (hit && Date.now() - hit.at < COUNTS_TTL_MS) return hit.counts;
  const counts = countChunks(db, collections);
  counts.catch(() => byKey.delete(key));
  byKey.set(key, { at: Date.now(), counts });
  if (byKey.size > 1000) byKey.delete(byKey.keys().next().value!);
  return counts;
}

/** Scripts written without spaces between words, which the English analyzer would index per character. */
const CJK_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/**
 * The chunk fulltext index that analyses `text` the way it is written: character bigrams when it
 * contains Chinese, Japanese or Korean (also mixed with English), else the English stemmer.
 */
export function chunkFulltextIndex(text: string): 'chunk_fulltext' | 'chunk_fulltext_cjk' {
  return CJK_SCRIPT.test(text) ? 'chunk_fulltext_cjk' : 'chunk_fulltext';
}

/**
 * BM25 over chunk text and context (title, headings), restricted to `collections`: in each
 * collection's own full-text index (its own term statistics; src/graph/collection-index.ts), the
 * lists merged by score, or, as for vectors, in the shared index filtered by collection when the
 * collections hold most chunks anyway (or their indexes are not there yet).
 */
export async function fulltextSearch(
  db: GraphExecutor,
  text: string,
  collections: string[],
  k: number,
): Promise<SearchResult[]> {
  const query = toLuceneQuery(text);
  // The existing graph's scope holds no chunks (and so has no index of its own).
  collections = collections.filter((c) => c !== GRAPH_SCOPE);
  if (!query || collections.length === 0 || k <= 0) return [];
  const index = chunkFulltextIndex(query);
  return ownIndexesOrShared(
    db,
    collections,
    k,
    (c) => db.read(cypher('search/fulltext-collection'), { index: collectionFulltextName(c, index === 'chunk_fulltext_cjk'), query, k: int(k) }),
    async () => (await db.read(cypher('search/fulltext'), { index, query, collections, k: int(k) })) as unknown as SearchResult[],
  );
}

/**
 * Turns free text into a Lucene query that matches any of its terms. User text is data, not
 * query syntax: every Lucene operator character is escaped and the boolean keywords are
 * lower-cased, so "C++ AND (x" cannot raise a parse error or change the query's meaning.
 * NFKC as at ingest: full-width "ＲＡＧ" finds "RAG".
 */
export function toLuceneQuery(text: string): string {
  const escaped = text
    .normalize('NFKC')
    .replace(/[+\-&|!(){}[\]^"~*?:\\/]/g, (c) => `\\${c}`)
    .replace(/\b(AND|OR|NOT|TO)\b/g, (w) => w.toLowerCase());
  return escaped
    .split(/\s+/)
    .filter((t) => t.replace(/\\./g, '').match(/[\p{L}\p{N}]/u))
    .join(' ');
}
