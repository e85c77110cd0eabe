import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { retrieverOf, type Kgrag } from '../../src/app.ts';
import type { SearchMode } from '../../src/domain/types.ts';
import type { Reranker } from '../../src/retrieval/rerank.ts';
import { describeIngest, ingestBenchJsonl } from './corpus.ts';
import { mean, mrrAt, ndcgAt, recallAt, type Qrels } from './metrics.ts';

/**
 * BEIR SciFact (test split) through kgrag's own ingest and search: one JSON Lines document per
 * abstract (title + text, as the MTEB protocol), top 100 chunks ranked, chunk hits collapsed to
 * their document at its best rank, nDCG@10 / Recall@10 / MRR@10.
 */
export const SCIFACT_PUBLISHED = { vector: 0.6451, bm25: 0.6874 };

export interface ScifactResult {
  mode: SearchMode;
  reranker: string;
  queries: number;
  ndcg10: number;
  recall10: number;
  mrr10: number;
  msPerQuery: number;
}

/**
 * A fixed subset, for a loaded machine: the first `queries` test queries (file order) and a corpus
 * of their relevant abstracts plus the first `distractors` other abstracts (file order). Smaller
 * than the full corpus, so easier: compare runs on the same subset only.
 */
export interface ScifactSubset {
  queries: number;
  distractors: number;
  /** Evaluate only the first `first` of those queries (on the same corpus). */
  first?: number;
}

export async function runScifact(
  app: Kgrag,
  benchDir: string,
  modes: SearchMode[],
  log: (line: string) => void,
  opts: { subset?: ScifactSubset; rerankers?: Array<Reranker | undefined> } = {},
): Promise<ScifactResult[]> {
  const dir = path.join(benchDir, 'scifact');
  const qrels = readQrels(path.join(dir, 'qrels_test.tsv'));
  let queries = readFileSync(path.join(dir, 'queries.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as { _id: string; text: string })
    .filter((q) => qrels.has(q._id));
  let corpus = path.join(dir, 'corpus.jsonl');
  let collection = 'bench-scifact';
  const subset = opts.subset;
  if (subset) {
    queries = queries.slice(0, subset.queries);
    const relevant = new Set(queries.flatMap((q) => [...qrels.get(q._id)!.keys()]));
    let others = 0;
    const docs = readFileSync(corpus, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .filter((l) => relevant.has((JSON.parse(l) as { _id: string })._id) || others++ < subset.distractors);
    // A stable file, so that a second run finds the documents unchanged and skips them.
    collection = `bench-scifact-q${subset.queries}-d${subset.distractors}`;
    corpus = path.join(app.config.home, 'bench', `${collection}.jsonl`);
    mkdirSync(path.dirname(corpus), { recursive: true });
    writeFileSync(corpus, docs.join('\n') + '\n');
    log(`scifact subset: ${queries.length} queries, ${docs.length} abstracts (${relevant.size} relevant, ${subset.distractors} others)`);
  }
  const summary = await ingestBenchJsonl(app, corpus, collection, { idField: '_id', titleField: 'title', textField: 'text' });
  log(describeIngest('scifact corpus', summary));
  if (subset?.first) {
    queries = queries.slice(0, subset.first);
    log(`scifact: the first ${queries.length} queries evaluated`);
  }

  const retriever = retrieverOf(app);
  const results: ScifactResult[] = [];
  for (const mode of modes) for (const reranker of opts.rerankers ?? [undefined]) {
    const ndcg: number[] = [];
    const recall: number[] = [];
    const mrr: number[] = [];
    const started = performance.now();
    for (const q of queries) {
      const hits = await retriever.search(q.text, { collections: [collection], k: 100, mode, ...(reranker ? { reranker } : {}) });
      const ranked = [...new Set(hits.map((h) => h.source.slice(h.source.lastIndexOf('#') + 1)))];
      const relevant = qrels.get(q._id)!;
      ndcg.push(ndcgAt(ranked, relevant, 10));
      recall.push(recallAt(ranked, relevant, 10));
      mrr.push(mrrAt(ranked, relevant, 10));
    }
    const result = {
      mode,
      reranker: reranker?.id ?? 'none',
      queries: queries.length,
      ndcg10: mean(ndcg),
      recall10: mean(recall),
      mrr10: mean(mrr),
      msPerQuery: (performance.now() - started) / queries.length,
    };
    log(`scifact ${mode}, reranker ${result.reranker}: nDCG@10 ${result.ndcg10.toFixed(4)}  Recall@10 ${result.recall10.toFixed(4)}  MRR@10 ${result.mrr10.toFixed(4)}  (${result.msPerQuery.toFixed(1)} ms/query)`);
    results.push(result);
  }
  return results;
}

function readQrels(file: string): Qrels {
  const qrels: Qrels = new Map();
  for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
    const [qid, docId, score] = line.trim().split(/\s+/);
    if (!qid || !docId) continue;
    if (!qrels.has(qid)) qrels.set(qid, new Map());
    qrels.get(qid)!.set(docId, Number(score));
  }
  return qrels;
}
