import type { SearchResult } from '../domain/types.ts';
import { cypher } from './cypher.ts';
import { int, type GraphExecutor } from './executor.ts';

/** Upper bound on over-fetching from the vector index while looking for the caller's collections. */
const MAX_CANDIDATES = 10_000;

/**
 * Nearest chunks by cosine similarity, restricted to `collections`. The Community vector index
 * cannot filter, so candidates are over-fetched and filtered; when the caller's collections are
 * a small part of the graph the candidate pool grows until k hits are found or it is exhausted.
 */
export async function vectorSearch(
  db: GraphExecutor,
  embedding: number[],
  collections: string[],
  k: number,
): Promise<SearchResult[]> {
  if (collections.length === 0 || k <= 0) return [];
  let candidates = Math.max(k * 4, 50);
  let total: number | undefined;
  for (;;) {
    const rows = await db.read(cypher('search/vector'), {
      embedding,
      collections,
      candidates: int(candidates),
      k: int(k),
    });
    if (rows.length >= k || candidates >= MAX_CANDIDATES) return rows as unknown as SearchResult[];
    total ??= ((await db.read(cypher('search/count-chunks')))[0]?.chunks as number | undefined) ?? 0;
    if (candidates >= total) return rows as unknown as SearchResult[];
    candidates = Math.min(candidates * 4, MAX_CANDIDATES);
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
