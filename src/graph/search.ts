import { GRAPH_SCOPE } from '../domain/ids.ts';
import type { SearchResult } from '../domain/types.ts';
import { collectionIndexName, isIndexUnavailable } from './collection-index.ts';
import { cypher } from './cypher.ts';
import { int, type GraphExecutor } from './executor.ts';

/** Upper bound on over-fetching from the vector index while looking for the caller's collections. */
const MAX_CANDIDATES = 10_000;
/** More collections than this are searched in the shared index: their share of it is large anyway. */
const MAX_COLLECTION_INDEXES = 8;

/**
 * Nearest chunks by cosine similarity, restricted to `collections`: each collection's own vector
 * index (src/graph/collection-index.ts), the lists merged by score. A collection whose index is
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
  if (collections.length <= MAX_COLLECTION_INDEXES) {
    try {
      const lists = await Promise.all(
        [...new Set(collections)].map((c) =>
          db.read(cypher('search/vector-collection'), { index: collectionIndexName(c, embedding.length), embedding, k: int(k) }),
        ),
      );
      return (lists.flat() as unknown as SearchResult[]).sort((a, b) => b.score - a.score).slice(0, k);
    } catch (err) {
      if (!isIndexUnavailable(err)) throw err;
    }
  }
  return sharedVectorSearch(db, embedding, collections, k);
}

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
): Promise<SearchResult[]> {
  if (collections.length === 0 || k <= 0) return [];
  let candidates = Math.max(k * 4, 50);
  let counts: { total: number; inCollections: number } | undefined;
  for (;;) {
    const rows = await db.read(cypher('search/vector'), {
      embedding,
      collections,
      candidates: int(candidates),
      k: int(k),
    });
    if (rows.length >= k || candidates >= MAX_CANDIDATES) return rows as unknown as SearchResult[];
    if (!counts) {
      const [row] = await db.read(cypher('search/count-chunks'), { collections });
      counts = { total: (row?.total as number | undefined) ?? 0, inCollections: (row?.inCollections as number | undefined) ?? 0 };
    }
    if (candidates >= counts.total || rows.length >= counts.inCollections) return rows as unknown as SearchResult[];
    const byShare = Math.ceil((1.5 * k * counts.total) / Math.max(1, counts.inCollections));
    candidates = Math.min(Math.max(candidates * 4, byShare), MAX_CANDIDATES);
  }
}

/** BM25 over chunk text and context (title, headings), restricted to `collections`. */
export async function fulltextSearch(
  db: GraphExecutor,
  text: string,
  collections: string[],
  k: number,
): Promise<SearchResult[]> {
  const query = toLuceneQuery(text);
  if (!query || collections.length === 0 || k <= 0) return [];
  const rows = await db.read(cypher('search/fulltext'), { query, collections, k: int(k) });
  return rows as unknown as SearchResult[];
}

/**
 * Turns free text into a Lucene query that matches any of its terms. User text is data, not
 * query syntax: every Lucene operator character is escaped and the boolean keywords are
 * lower-cased, so "C++ AND (x" cannot raise a parse error or change the query's meaning.
 */
export function toLuceneQuery(text: string): string {
  const escaped = text
    .replace(/[+\-&|!(){}[\]^"~*?:\\/]/g, (c) => `\\${c}`)
    .replace(/\b(AND|OR|NOT|TO)\b/g, (w) => w.toLowerCase());
  return escaped
    .split(/\s+/)
    .filter((t) => t.replace(/\\./g, '').match(/[\p{L}\p{N}]/u))
    .join(' ');
}
