import type { SearchMode, SearchResult } from '../domain/types.ts';
import type { Embedder } from '../embedding/embedder.ts';
import type { LazyEmbedder, QueryEmbedder } from '../embedding/lazy.ts';
import { modelReadsCjk } from '../embedding/models.ts';
import { InputError } from '../errors.ts';
import type { GraphExecutor } from '../graph/executor.ts';
import { chunkFulltextIndex, fulltextSearch, vectorSearch } from '../graph/search.ts';
import type { Reranker } from './rerank.ts';

export interface SearchOptions {
  /** Collections the caller may read; nothing outside them is ever returned. */
  collections: string[];
  k?: number;
  /** The text's embedding when the caller already has it (it is then not computed again). */
  embedding?: number[];
  mode?: SearchMode;
  /** A second stage after fusion (src/retrieval/rerank.ts); it reorders at least the top k. */
  reranker?: Reranker;
  signal?: AbortSignal;
}

export const MAX_K = 1000;
/** Hits fetched for a reranker at least. */
const RERANK_DEPTH = 50;

export class Retriever {
  constructor(
    private readonly db: GraphExecutor,
    /** Absent when only fulltext search is needed (no model loaded). */
    private readonly embedder: QueryEmbedder | undefined,
  ) {}

  private embedQuery(text: string): Promise<number[]> {
    if (!this.embedder) throw new InputError('Vector and hybrid search need the embedding model');
    return this.embedder.embedQuery(text);
  }

  async search(text: string, options: SearchOptions): Promise<SearchResult[]> {
    if (!options.reranker) return this.firstStage(text, options);
    const { reranker, ...first } = options;
    // The reranker sees more than k, so that a passage it favours can rise into the top k.
    const hits = await this.firstStage(text, { ...first, k: Math.min(Math.max(first.k ?? 10, RERANK_DEPTH), MAX_K) });
    const reranked = await reranker.rerank(text, hits, { ...(options.embedding ? { embedding: options.embedding } : {}), ...(options.signal ? { signal: options.signal } : {}) });
    return reranked.slice(0, first.k ?? 10);
  }

  private async firstStage(text: string, options: SearchOptions): Promise<SearchResult[]> {
    const k = options.k ?? 10;
    const mode = options.mode ?? 'hybrid';
    if (!Number.isInteger(k) || k < 1 || k > MAX_K) throw new InputError(`k must be an integer from 1 to ${MAX_K}`);
    if (!text.trim()) throw new InputError('The search text is empty');
    const embed = () => (options.embedding ? Promise.resolve(options.embedding) : this.embedQuery(text));
    if (mode === 'vector') return vectorSearch(this.db, await embed(), options.collections, k);
    if (mode === 'fulltext') return fulltextSearch(this.db, text, options.collections, k);
    // Each list goes deeper than k so that a passage ranked moderately by both can rise, and so
    // that each list's lowest score (its 0 after normalisation) lies well below the top k.
    const depth = Math.min(Math.max(k * 2, 50), MAX_K);
    const [embedding, fulltext] = await Promise.all([embed(), fulltextSearch(this.db, text, options.collections, depth)]);
    // A model that never learnt the query's script only adds noise to the fusion.
    const model = this.embedder && modelIdOf(this.embedder);
    if (model && !modelReadsCjk(model) && chunkFulltextIndex(text) === 'chunk_fulltext_cjk') return fulltext.slice(0, k);
    const vector = await vectorSearch(this.db, embedding, options.collections, depth);
    return scoreFusion([vector, fulltext]).slice(0, k);
  }
}

/** The model behind an embedder (a lazy one once it has loaded, which embedding a query does). */
function modelIdOf(embedder: QueryEmbedder): string | undefined {
  const e = embedder as Partial<Embedder> & Partial<Pick<LazyEmbedder, 'loaded'>>;
  return e.modelId ?? e.loaded?.modelId;
}

/**
 * Fuses result lists by a convex combination of their min-max normalised scores: each list's
 * scores are mapped to [0, 1] over the hits it returned (its best hit 1, its last 0), weighted
 * equally, and a hit a list did not return adds 0 for it. Rank fusion (RRF) keeps only the ranks:
 * it cannot tell a clear winner from a near tie, and two hits with mirrored ranks (first and
 * second in one list, second and first in the other) tie exactly. Scores keep that margin
 * (Bruch et al., "An analysis of fusion functions for hybrid retrieval", TOIS 2023; measured in
 * the README: CMRC 2018 and SciFact).
 */
export function scoreFusion(lists: SearchResult[][]): SearchResult[] {
  const fused = new Map<string, SearchResult & { best: number }>();
  for (const list of lists) {
    const normalised = minMax(list.map((h) => h.score));
    list.forEach((hit, rank) => {
      const add = normalised[rank]! / lists.length;
      const seen = fused.get(hit.chunkId);
      if (seen) {
        seen.score += add;
        seen.best = Math.min(seen.best, rank);
      } else fused.set(hit.chunkId, { ...hit, score: add, best: rank });
    });
  }
  return [...fused.values()]
    .sort((a, b) => b.score - a.score || a.best - b.best || a.chunkId.localeCompare(b.chunkId))
    .map(({ best: _best, ...hit }) => hit);
}

/** Values mapped to [0, 1], the highest 1; all equal (one value, or a tie throughout): all 1. */
export function minMax(values: number[]): number[] {
  const lo = Math.min(...values);
  const span = Math.max(...values) - lo;
  return values.map((v) => (span > 0 ? (v - lo) / span : 1));
}
