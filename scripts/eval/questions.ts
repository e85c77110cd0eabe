/**
 * `kgrag ask` against the project's gold questions (test/gold/questions.jsonl, see its README):
 * loads the example knowledge base into its own collection, asks every question through the same
 * code the CLI runs (no LLM), and scores the answer against the expected value.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { askKgrag, type Kgrag } from '../../src/app.ts';
import type { AskResult } from '../../src/planner/types.ts';
import { EXAMPLE_REFERENCE_DATE, loadExampleKb } from './example-kb.ts';

export const QUESTIONS_FILE = path.resolve(import.meta.dirname, '../../test/gold/questions.jsonl');
export const QUESTIONS_COLLECTION = 'eval-example-kb';

export interface GoldQuestion {
  id: string;
  intent: string;
  question: string;
  answer: { type: 'number' | 'string' | 'set' | 'list' | 'boolean' | 'none'; value: unknown };
  evidence: string;
  notes?: string;
}

export interface QuestionOutcome {
  id: string;
  intent: string;
  question: string;
  correct: boolean;
  /** Not correct, and the answer said it did not know (nothing found): declined rather than wrong. */
  declined: boolean;
  strategy: string;
  answer: string;
  expected: unknown;
  ms: number;
}

export function readGoldQuestions(file = QUESTIONS_FILE): GoldQuestion[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as GoldQuestion);
}

const norm = (s: unknown) => String(s).toLowerCase().replace(/[\s,]+/g, ' ').trim();

/** An expected name matches an answered one exactly, or as its leading words ("Berlin" = "Berlin office", "南京" = "南京办公室"). */
function sameName(expected: string, actual: unknown): boolean {
  const e = norm(expected);
  const a = norm(actual);
  return a === e || a.startsWith(`${e} `) || (/\p{Script=Han}$/u.test(e) && a.startsWith(e) && /^\p{Script=Han}/u.test(a.slice(e.length)));
}

/** The values a structured answer gives: its answer column, else its names. */
function answerValues(r: AskResult): unknown[] {
  // One property of a named node ("陈静的职位是什么", "the budget of Project Atlas"): the value is the answer.
  const valueAsked = r.plan.steps.some((s) => s.kind === 'parse' && /; value \w+$/.test(s.detail));
  return r.rows.map((row) => row.count ?? row.years ?? row.days ?? ((r.rows.length === 1 && 'value' in row && !('name' in row)) || valueAsked ? row.value : row.name));
}

/** Numbers in an answer text, with Chinese units of ten thousand and a hundred million ("1.2亿元", "80万元"). */
function numbersIn(text: string): number[] {
  return [...text.matchAll(/-?\d[\d,]*(?:\.\d+)?(万|亿)?/g)].map((m) => Number(m[0].replace(/[,万亿]/g, '')) * (m[1] === '万' ? 1e4 : m[1] === '亿' ? 1e8 : 1));
}

/** Scoring rules of test/gold/README.md. */
export function scoreAnswer(q: GoldQuestion, r: AskResult): boolean {
  const { type, value } = q.answer;
  if (type === 'none') return !r.found;
  if (!r.found) return false;
  // Rows answer a structured question; a semantic or hybrid answer is judged by its cited text.
  const structured = r.plan.strategy === 'structured' && r.rows.length > 0;
  const values = structured ? answerValues(r) : [];
  switch (type) {
    case 'number': {
      const expected = Number(value);
      const close = (x: number) => Math.abs(x - expected) <= Math.max(0.051, Math.abs(expected) * 1e-6);
      const fromRows = values.map(Number).filter((x) => Number.isFinite(x));
      if (structured) return fromRows.length === 1 && close(fromRows[0]!);
      return numbersIn(r.answer).some(close);
    }
    case 'string': {
      const expected = String(value);
      if (structured) {
        // "8 years": the duration's number is what matters (the README accepts 8.0 and 8.1).
        const years = /^(\d+(?:\.\d+)?) years?$/.exec(expected);
        if (years) return values.some((v) => Math.abs(Number(v) - Number(years[1])) <= 0.11);
        return values.length <= 3 && values.some((v) => sameName(expected, v));
      }
      return norm(r.answer).includes(norm(expected));
    }
    case 'set': {
      const expected = (value as string[]).map(String);
      if (structured) return values.length === expected.length && expected.every((e) => values.some((v) => sameName(e, v)));
      return expected.every((e) => norm(r.answer).includes(norm(e)));
    }
    case 'list': {
      const expected = (value as string[]).map(String);
      return values.length === expected.length && expected.every((e, i) => sameName(e, values[i]));
    }
    case 'boolean':
      return new RegExp(`^\\s*${value ? 'yes' : 'no'}\\b`, 'i').test(r.answer);
  }
}

export interface QuestionsEvalOptions {
  load?: boolean;
  /** Gold questions (default test/gold/questions.jsonl), the knowledge base they are about and its collection. */
  file?: string;
  dir?: string;
  collection?: string;
}

type IntentStats = { total: number; correct: number; wrong: number; declined: number; strategies: Record<string, number> };

export async function runQuestionsEval(app: Kgrag, log: (line: string) => void, opts: QuestionsEvalOptions = {}): Promise<{ outcomes: QuestionOutcome[]; byIntent: Record<string, IntentStats> }> {
  const collection = opts.collection ?? QUESTIONS_COLLECTION;
  if (opts.load !== false) await loadExampleKb(app, collection, log, opts.dir);
  const outcomes: QuestionOutcome[] = [];
  for (const q of readGoldQuestions(opts.file)) {
    const t0 = performance.now();
    const r = await askKgrag(app, q.question, { collections: [collection], asOf: EXAMPLE_REFERENCE_DATE });
    const correct = scoreAnswer(q, r);
    outcomes.push({
      id: q.id,
      intent: q.intent,
      question: q.question,
      correct,
      declined: !correct && !r.found,
      strategy: r.plan.strategy,
      answer: r.answer,
      expected: q.answer.value,
      ms: Math.round(performance.now() - t0),
    });
  }
  const byIntent: Record<string, IntentStats> = {};
  for (const o of [...outcomes, ...outcomes.map((o) => ({ ...o, intent: 'ALL' }))]) {
    const s = (byIntent[o.intent] ??= { total: 0, correct: 0, wrong: 0, declined: 0, strategies: {} });
    s.total++;
    if (o.correct) s.correct++;
    else if (o.declined) s.declined++;
    else s.wrong++;
    s.strategies[o.strategy] = (s.strategies[o.strategy] ?? 0) + 1;
  }
  log('intent          correct  wrong  declined  strategies');
  for (const [intent, s] of Object.entries(byIntent)) {
    const strategies = Object.entries(s.strategies).map(([k, v]) => `${k} ${v}`).join(', ');
    log(`${intent.padEnd(15)} ${`${s.correct}/${s.total}`.padStart(7)}  ${String(s.wrong).padStart(5)}  ${String(s.declined).padStart(8)}  ${strategies}`);
  }
  for (const o of outcomes.filter((x) => !x.correct)) log(`  ${o.declined ? 'declined' : 'wrong'} ${o.id} [${o.strategy}] ${o.question} => ${o.answer.slice(0, 160).replace(/\n/g, ' ')} (expected ${JSON.stringify(o.expected)})`);
  const ms = outcomes.map((o) => o.ms).sort((a, b) => a - b);
  log(`latency: p50 ${ms[Math.floor(ms.length / 2)]} ms, p95 ${ms[Math.floor(ms.length * 0.95)]} ms`);
  return { outcomes, byIntent };
}
