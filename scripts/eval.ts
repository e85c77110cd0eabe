/**
 * Retrieval and extraction quality on public benchmarks and the project's own gold sets, through
 * the same code paths users run.
 *   npm run eval -- [questions] [questions-zh] [northwind] [graphs] [scifact [--queries N --distractors M [--first N]] [--rerank none,sentence,sentence:0.5,lexical,lexical:0.5,llm]] [cmrc [--limit N]] [2wiki] [extraction] [ocr --pages N --noisy N --langs eng,chi_sim] [--modes vector,fulltext,hybrid] [--bench ../shared/bench] [--json FILE]
 *   npm run eval -- graphs [--graphs northwind,fincen] [--out DIR] [--only ID,ID] [--loaded: the one graph is already loaded]   (loads each graph into the configured database: wipes it first)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openKgrag } from '../src/app.ts';
import type { SearchMode } from '../src/domain/types.ts';
import { DEFAULT_GOLD_FILE, formatExtractionReport, runExtractionEval } from './eval/extraction.ts';
import { runGraphsEval } from './eval/graphs.ts';
import { runNorthwindAsk } from './eval/northwind-ask.ts';
import { runOcrEval, type OcrLang } from './eval/ocr.ts';
import { runQuestionsEval } from './eval/questions.ts';
import { CMRC_BASELINES, runCmrc } from './eval/cmrc.ts';
import { runScifact, SCIFACT_PUBLISHED } from './eval/scifact.ts';
import { runTwoWiki, TWOWIKI_PUBLISHED } from './eval/twowiki.ts';

const SUITES = ['questions', 'questions-zh', 'northwind', 'graphs', 'scifact', 'cmrc', '2wiki', 'extraction', 'ocr'];
/** Run only when asked for by name: `graphs` wipes the database; OCR renders and recognises 80 pages. */
const DEFAULT_SUITES = SUITES.filter((s) => s !== 'graphs' && s !== 'ocr');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    modes: { type: 'string', default: 'vector,fulltext,hybrid' },
    bench: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared/bench') },
    json: { type: 'string' },
    // Questions of the CMRC suite to ask (all 3,219 by default).
    limit: { type: 'string' },
    // SciFact: a fixed subset (first N queries, their abstracts and M others) and the rerankers compared.
    queries: { type: 'string' },
    distractors: { type: 'string' },
    // Of the subset's queries, evaluate only the first N (same corpus).
    first: { type: 'string' },
    rerank: { type: 'string', default: 'none' },
    graphs: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    loaded: { type: 'boolean', default: false },
    pages: { type: 'string', default: '20' },
    noisy: { type: 'string', default: '5' },
    langs: { type: 'string', default: 'eng,chi_sim' },
  },
});
const suites = positionals.length ? positionals : DEFAULT_SUITES;
const unknown = suites.filter((s) => !SUITES.includes(s));
if (unknown.length) throw new Error(`Unknown suite(s) ${unknown.join(', ')} (known: ${SUITES.join(', ')})`);
const log = (line: string) => process.stdout.write(line + '\n');
const report: Record<string, unknown> = {};

if (suites.includes('questions')) {
  const app = await openKgrag({ schema: true, embedder: true });
  try {
    log('== kgrag ask, test/gold/questions.jsonl (example knowledge base, no LLM)');
    report.questions = await runQuestionsEval(app, log);
  } finally {
    await app.close();
  }
}
if (suites.includes('questions-zh')) {
  const app = await openKgrag({ schema: true, embedder: true });
  try {
    log('== kgrag ask, test/gold/questions-zh.jsonl (Chinese example knowledge base examples/zh, no LLM)');
    report['questions-zh'] = await runQuestionsEval(app, log, {
      file: path.resolve(import.meta.dirname, '../test/gold/questions-zh.jsonl'),
      dir: path.resolve(import.meta.dirname, '../examples/zh'),
      collection: 'eval-example-kb-zh',
    });
  } finally {
    await app.close();
  }
}
if (suites.includes('northwind')) {
  log('== kgrag ask, Northwind text2cypher questions (a graph kgrag did not build, no LLM)');
  report.northwind = await runNorthwindAsk(values.bench, log);
}
if (suites.includes('graphs')) {
  const app = await openKgrag({ schema: true, embedder: true });
  try {
    log('== kgrag ask over HTTP, ../shared/bench/graphs text2cypher questions (no LLM; each graph loaded alone)');
    report.graphs = await runGraphsEval(app, values.bench, log, {
      ...(values.graphs ? { graphs: values.graphs.split(',') } : {}),
      ...(values.out ? { outDir: values.out } : {}),
      ...(values.only ? { only: new Set(values.only.split(',')) } : {}),
      noLoad: values.loaded,
    });
  } finally {
    await app.close();
  }
}
if (suites.includes('extraction')) {
  // The main gold set was also used to develop the patterns; the held-out set was written without
  // looking at the extractor and labels named entities only (its value-type columns are not scored).
  const inSample = await runExtractionEval(DEFAULT_GOLD_FILE);
  log('== extraction, test/gold/extraction.jsonl (development set: in-sample)\n' + formatExtractionReport(inSample));
  const heldOut = await runExtractionEval(path.resolve(import.meta.dirname, '../test/gold/extraction-heldout.jsonl'));
  log('== extraction, test/gold/extraction-heldout.jsonl (held out; named entities only)\n' + formatExtractionReport(heldOut));
  // Chinese: the dev set was used to develop the Chinese rules and templates, the held-out one was not.
  const gold = (name: string) => path.resolve(import.meta.dirname, '../test/gold', name);
  const zhDev = await runExtractionEval(gold('extraction-zh.jsonl'));
  log('== extraction, test/gold/extraction-zh.jsonl (Chinese development set)\n' + formatExtractionReport(zhDev));
  const zhHeldOut = await runExtractionEval(gold('extraction-zh-heldout.jsonl'));
  log('== extraction, test/gold/extraction-zh-heldout.jsonl (Chinese held out)\n' + formatExtractionReport(zhHeldOut));
  report.extraction = { inSample, heldOut, zhDev, zhHeldOut };
}
if (suites.includes('scifact')) {
  const app = await openKgrag({ schema: true, embedder: true });
  try {
    const subset = values.queries ? { queries: Number(values.queries), distractors: Number(values.distractors ?? 1000), ...(values.first ? { first: Number(values.first) } : {}) } : undefined;
    const { SentenceReranker, LexicalSentenceReranker, LlmReranker } = await import('../src/retrieval/rerank.ts');
    const cache = new Map<string, number[]>();
    const embedder = app.embedder!;
    const cached = {
      embedQuery: (text: string) => embedder.embedQuery(text),
      async embedDocuments(texts: string[]) {
        const missing = [...new Set(texts.filter((t) => !cache.has(t)))];
        if (missing.length) (await embedder.embedDocuments(missing)).forEach((v, i) => cache.set(missing[i]!, v));
        return texts.map((t) => cache.get(t)!);
      },
    };
    const rerankers = values.rerank.split(',').map((r) => {
      if (r === 'none') return undefined;
      // sentence: rank fusion; sentence:W: linear mix with weight W; both with sentence embeddings cached across variants.
      if (r === 'sentence') return new SentenceReranker(cached, 20);
      if (r === 'lexical') return new LexicalSentenceReranker(50);
      if (/^lexical:(0?\.\d+|1)$/.test(r)) return new LexicalSentenceReranker(50, Number(r.slice('lexical:'.length)));
      if (/^sentence:(0?\.\d+|1)$/.test(r)) return new SentenceReranker(cached, 20, Number(r.slice('sentence:'.length)));
      if (r === 'llm' && app.chat) return new LlmReranker(app.chat);
      throw new Error(`--rerank: none, sentence, sentence:W or llm (llm needs KGRAG_LLM_MODEL), got ${r}`);
    });
    const results = await runScifact(app, values.bench, values.modes.split(',') as SearchMode[], log, { ...(subset ? { subset } : {}), rerankers });
    log(`published: all-MiniLM-L6-v2 vector ${SCIFACT_PUBLISHED.vector}, BM25 (bm25s) ${SCIFACT_PUBLISHED.bm25}`);
    report.scifact = { results, published: SCIFACT_PUBLISHED };
  } finally {
    await app.close();
  }
}
if (suites.includes('cmrc')) {
  const app = await openKgrag({ schema: true, embedder: true });
  try {
    log(`== CMRC 2018 dev through kgrag (embedding model ${app.embedder!.modelId})`);
    const limit = values.limit ? Number(values.limit) : undefined;
    const results = await runCmrc(app, values.bench, values.modes.split(',') as SearchMode[], log, { limit });
    const b = CMRC_BASELINES;
    log(`score.mjs baselines: BM25 bigrams ${b.bm25Bigrams}, e5 ${b.e5}, RRF(e5, BM25) ${b.rrfE5Bm25}, MiniLM ${b.minilm}`);
    report.cmrc = { results, baselines: CMRC_BASELINES };
  } finally {
    await app.close();
  }
}
if (suites.includes('2wiki')) {
  const app = await openKgrag({ schema: true, embedder: true });
  try {
    // Always vector, fulltext, hybrid and hybrid + graph expansion: the table compares them with the published systems.
    const results = await runTwoWiki(app, values.bench, log);
    report['2wiki'] = { results, published: TWOWIKI_PUBLISHED };
  } finally {
    await app.close();
  }
}
if (suites.includes('ocr')) {
  log(`== OCR: rendered A4 pages at 150 dpi (SciFact English, CMRC 2018 Chinese), per language ${values.pages} clean and ${values.noisy} noisy`);
  report.ocr = await runOcrEval(values.bench, { pages: Number(values.pages), noisyPages: Number(values.noisy), langs: values.langs.split(',') as OcrLang[], log });
}
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
