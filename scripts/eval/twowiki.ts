import { readFileSync } from 'node:fs';
import path from 'node:path';
import { retrieverOf, type Kgrag } from '../../src/app.ts';
import type { SearchMode } from '../../src/domain/types.ts';
import { createOfflineExtractor } from '../../src/extraction/offline.ts';
import { expandContext } from '../../src/retrieval/expand.ts';
import { describeIngest, ingestBenchJsonl, withTempJsonl } from './corpus.ts';
import { mean } from './metrics.ts';

/**
 * 2WikiMultihopQA, 51 questions over 421 passages (fast-graphrag protocol): one JSON Lines document
 * per passage, chunk hits collapsed to their passage (document title = passage title), top 8
 * passages scored by whether ALL gold passages are among them. The corpus is ingested with the
 * offline (rule-based, no LLM) extractor so that graph expansion has entities to follow; search
 * itself reads passages only, so vector, fulltext and hybrid figures do not depend on it.
 */
export const TWOWIKI_PUBLISHED = [
  { system: 'vector DB (text-embedding-3-small)', allInTop8: 0.49, allInTop8Multihop: 0.32 },
  { system: 'LightRAG', allInTop8: 0.47 },
  { system: 'nano-GraphRAG', allInTop8: 0.75 },
  { system: 'fast-graphrag', allInTop8: 0.96 },
] as const;

/** Its own collection: the passages-only `bench-2wiki` of earlier runs has no entities. */
export const TWOWIKI_COLLECTION = 'bench-2wiki-kg';
const MODES: SearchMode[] = ['vector', 'fulltext', 'hybrid'];
const TOP = 8;
/** Chunks fetched per query: deeper than TOP so that a passage split into chunks cannot crowd out others. */
const CHUNK_DEPTH = 40;

export type TwoWikiSystem = SearchMode | 'hybrid+expansion';

export interface TwoWikiResult {
  mode: TwoWikiSystem;
  label: string;
  queries: number;
  multihopQueries: number;
  /** Share of questions with every gold passage in the top 8. */
  allInTop8: number;
  allInTop8Multihop: number;
  /** Mean fraction of gold passages found in the top 8. */
  recall8: number;
  recall8Multihop: number;
  msPerQuery: number;
}

interface Passage {
  title: string;
  text: string;
}

interface Query {
  _id: string;
  text: string;
  gold_titles: string[];
  multihop_subset: boolean;
}

export async function runTwoWiki(app: Kgrag, benchDir: string, log: (line: string) => void): Promise<TwoWikiResult[]> {
  const dir = path.join(benchDir, '2wiki-51');
  const collection = TWOWIKI_COLLECTION;
  const corpus = JSON.parse(readFileSync(path.join(dir, 'corpus.json'), 'utf8')) as Passage[];
  const queries = JSON.parse(readFileSync(path.join(dir, 'queries.json'), 'utf8')) as Query[];

  const records = corpus.map((p) => ({ id: p.title, title: p.title, text: p.text }));
  const extractor = await createOfflineExtractor({}, app.logger);
  const summary = await withTempJsonl(records, (file) =>
    ingestBenchJsonl(app, file, collection, { idField: 'id', titleField: 'title', textField: 'text' }, extractor),
  );
  log(describeIngest('2wiki corpus', summary));
  // Scoring matches hit titles to gold titles verbatim; the loader normalises titles, so check it kept them.
  const titles = new Set(corpus.map((p) => p.title));
  const altered = summary.outcomes.flatMap((o) => (o.status !== 'failed' && !titles.has(o.title) ? [o.title] : []));
  if (altered.length) log(`warning: ${altered.length} passage title(s) changed on ingest, e.g. "${altered[0]}"`);

  const retriever = retrieverOf(app);
  const systems: TwoWikiSystem[] = [...MODES, 'hybrid+expansion'];
  const results: TwoWikiResult[] = [];
  for (const system of systems) {
    const scores = new Scores();
    const started = performance.now();
    for (const q of queries) {
      const mode = system === 'hybrid+expansion' ? 'hybrid' : system;
      const hits = await retriever.search(q.text, { collections: [collection], k: CHUNK_DEPTH, mode });
      let ranked = hits.map((h) => h.title);
      if (system === 'hybrid+expansion') {
        // The whole fused list goes in; the top 8 distinct passages of the expanded context are scored.
        const context = await expandContext(app.db, {
          question: q.text,
          hits,
          collections: [collection],
          questionEmbedding: await app.embedder!.embedQuery(q.text),
          budget: { passages: CHUNK_DEPTH },
        });
        ranked = context.passages.map((p) => p.title);
      }
      scores.add(q, [...new Set(ranked)].slice(0, TOP));
    }
    results.push({
      mode: system,
      label: system === 'hybrid' ? 'hybrid (no graph expansion)' : system === 'hybrid+expansion' ? 'hybrid + graph expansion' : system,
      ...scores.summary(),
      msPerQuery: (performance.now() - started) / queries.length,
    });
  }
  log(formatTwoWiki(results));
  return results;
}

class Scores {
  private all: number[] = [];
  private recall: number[] = [];
  private allMultihop: number[] = [];
  private recallMultihop: number[] = [];

  add(q: Query, top: string[]): void {
    const found = q.gold_titles.filter((t) => top.includes(t)).length;
    const hit = found === q.gold_titles.length ? 1 : 0;
    const frac = found / q.gold_titles.length;
    this.all.push(hit);
    this.recall.push(frac);
    if (q.multihop_subset) {
      this.allMultihop.push(hit);
      this.recallMultihop.push(frac);
    }
  }

  summary() {
    return {
      queries: this.all.length,
      multihopQueries: this.allMultihop.length,
      allInTop8: mean(this.all),
      allInTop8Multihop: mean(this.allMultihop),
      recall8: mean(this.recall),
      recall8Multihop: mean(this.recallMultihop),
    };
  }
}

function formatTwoWiki(results: TwoWikiResult[]): string {
  const row = (system: string, cells: string[]) => system.padEnd(48) + cells.map((c) => c.padStart(12)).join('');
  const f = (x: number | undefined) => (x === undefined ? '—' : x.toFixed(2));
  const first = results[0];
  const lines = [
    `== 2wiki-51: ${first?.queries ?? 0} questions (${first?.multihopQueries ?? 0} multi-hop), top ${TOP} passages`,
    row('system', ['all@8', 'all@8 mh', 'recall@8', 'recall@8 mh', 'ms/query']),
    ...results.map((r) =>
      row(`kgrag ${r.label}`, [f(r.allInTop8), f(r.allInTop8Multihop), f(r.recall8), f(r.recall8Multihop), r.msPerQuery.toFixed(1)]),
    ),
    ...TWOWIKI_PUBLISHED.map((p) =>
      row(`published: ${p.system}`, [f(p.allInTop8), f('allInTop8Multihop' in p ? p.allInTop8Multihop : undefined), '—', '—', '—']),
    ),
    'all@8 = share of questions with ALL gold passages in the top 8; recall@8 = mean share of gold passages found; mh = multi-hop subset',
  ];
  return lines.join('\n');
}
