import { readFileSync } from 'node:fs';
import path from 'node:path';
import { retrieverOf, type Kgrag } from '../../src/app.ts';
import type { SearchMode, SearchResult } from '../../src/domain/types.ts';
import { cypher } from '../../src/graph/cypher.ts';
import { int } from '../../src/graph/executor.ts';
import { toLuceneQuery } from '../../src/graph/search.ts';
import { describeIngest, ingestBenchJsonl } from './corpus.ts';
import { mean, mrrAt, ndcgAt, recallAt, type Qrels } from './metrics.ts';

/**
 * CMRC 2018 dev (Chinese Wikipedia paragraphs, one relevant paragraph per question) through
 * kgrag's own ingest and search, scored like `../shared/bench/cmrc2018/score.mjs`: chunk hits
 * collapsed to their paragraph at its best rank, nDCG@10, Recall@5/10, MRR@10. Each question is
 * embedded once and the vector reused by vector and hybrid search. Besides the three modes, the
 * fulltext index kgrag had before Chinese support (English analyzer) is scored for comparison.
 */
export const CMRC_BASELINES = { bm25Bigrams: 0.9834, e5: 0.9678, rrfE5Bm25: 0.9853, minilm: 0.2443 };

export interface CmrcResult {
  mode: SearchMode | 'fulltext-english';
  /** `sample` when only every n-th question was asked (--limit), else `all`. */
  questions: 'all' | 'sample';
  queries: number;
  ndcg10: number;
  recall5: number;
  recall10: number;
  mrr10: number;
  msPerQuery: number;
}

export async function runCmrc(
  app: Kgrag,
  benchDir: string,
  modes: SearchMode[],
  log: (line: string) => void,
  options: { limit?: number } = {},
): Promise<CmrcResult[]> {
  const dir = path.join(benchDir, 'cmrc2018');
  const collection = 'bench-cmrc';
  const summary = await ingestBenchJsonl(app, path.join(dir, 'corpus.jsonl'), collection, { idField: '_id', titleField: 'title', textField: 'text' });
  log(describeIngest('cmrc2018 dev corpus', summary));
  const qrels: Qrels = new Map();
  for (const line of readFileSync(path.join(dir, 'qrels.tsv'), 'utf8').split('\n').slice(1)) {
    const [qid, docId] = line.trim().split('\t');
    if (qid && docId) qrels.set(qid, new Map([[docId, 1]]));
  }
  const queries = readFileSync(path.join(dir, 'queries.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { _id: string; text: string })
    .filter((q) => qrels.has(q._id));
  // --limit asks every n-th question (the file is ordered by paragraph), not the first ones.
  const stride = options.limit && options.limit < queries.length ? queries.length / options.limit : 1;
  const sample = stride > 1 ? Array.from({ length: options.limit! }, (_, i) => queries[Math.floor(i * stride)]!) : queries;

  const retriever = retrieverOf(app);
  const embeddings = new Map<string, number[]>();
  if (modes.some((m) => m !== 'fulltext')) {
    const started = performance.now();
    for (const q of sample) embeddings.set(q._id, await app.embedder!.embedQuery(q.text));
    log(`cmrc2018 queries embedded: ${sample.length} in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  type Query = { _id: string; text: string };
  const fulltextEnglish = async (q: Query) =>
    (await app.db.read(cypher('search/fulltext'), { index: 'chunk_fulltext', query: toLuceneQuery(q.text), collections: [collection], k: int(100) })) as unknown as SearchResult[];
  const runs: Array<{ mode: CmrcResult['mode']; questions: Query[]; search: (q: Query) => Promise<SearchResult[]> }> = [
    ...modes.map((mode) => ({
      mode,
      questions: sample,
      search: (q: { _id: string; text: string }) =>
        retriever.search(q.text, { collections: [collection], k: 100, mode, ...(embeddings.has(q._id) ? { embedding: embeddings.get(q._id)! } : {}) }),
    })),
    { mode: 'fulltext-english' as const, questions: sample, search: fulltextEnglish },
  ];
  if (sample !== queries) {
    runs.push({ mode: 'fulltext', questions: queries, search: (q) => retriever.search(q.text, { collections: [collection], k: 100, mode: 'fulltext' }) });
    runs.push({ mode: 'fulltext-english', questions: queries, search: fulltextEnglish });
  }
  const results: CmrcResult[] = [];
  for (const { mode, questions, search } of runs) {
    const scores = { ndcg: [] as number[], r5: [] as number[], r10: [] as number[], mrr: [] as number[] };
    const started = performance.now();
    for (const q of questions) {
      const hits = await search(q);
      const ranked = [...new Set(hits.map((h) => h.source.slice(h.source.lastIndexOf('#') + 1)))];
      const relevant = qrels.get(q._id)!;
      scores.ndcg.push(ndcgAt(ranked, relevant, 10));
      scores.r5.push(recallAt(ranked, relevant, 5));
      scores.r10.push(recallAt(ranked, relevant, 10));
      scores.mrr.push(mrrAt(ranked, relevant, 10));
    }
    const result: CmrcResult = {
      mode,
      questions: questions === queries ? 'all' : 'sample',
      queries: questions.length,
      ndcg10: mean(scores.ndcg),
      recall5: mean(scores.r5),
      recall10: mean(scores.r10),
      mrr10: mean(scores.mrr),
      msPerQuery: (performance.now() - started) / Math.max(1, questions.length),
    };
    log(
      `cmrc2018 ${mode} (${questions.length} questions): nDCG@10 ${result.ndcg10.toFixed(4)}  Recall@5 ${result.recall5.toFixed(4)}  ` +
        `Recall@10 ${result.recall10.toFixed(4)}  MRR@10 ${result.mrr10.toFixed(4)}  (${result.msPerQuery.toFixed(1)} ms/query)`,
    );
    results.push(result);
  }
  return results;
}
