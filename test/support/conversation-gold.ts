import type { ConversationAskResult } from '../../src/conversation/ask.ts';

/** One pair of test/gold/conversations.jsonl (see test/gold/README.md). */
export interface GoldPair {
  id: string;
  kb: 'en' | 'zh';
  question: string;
  followUp: string;
  resolution: 'set' | 'entity' | 'ellipsis' | 'decline';
  seed?: number;
  standalone?: string;
  answer: { type: 'set' | 'number' | 'string' | 'declined'; value?: unknown };
}

/** Why a follow-up's result is not the gold one; undefined when it is. */
export function miss(pair: GoldPair, r: ConversationAskResult): string | undefined {
  const a = pair.answer;
  if (a.type === 'declined') return r.found || r.rows.length > 0 ? `answered instead of declining: ${r.answer}` : undefined;
  if (!r.found) return `not answered: ${r.answer}`;
  if (pair.seed !== undefined && !r.plan.steps.some((s) => s.detail.includes(`the ${pair.seed} `) && s.detail.includes('previous answer'))) {
    return `the plan does not show the set of ${pair.seed}: ${JSON.stringify(r.plan.steps.map((s) => s.detail))}`;
  }
  const first = r.rows[0] ?? {};
  if (a.type === 'set') {
    const got = r.rows.map((row) => String(row.name)).sort();
    return JSON.stringify(got) === JSON.stringify([...(a.value as string[])].sort()) ? undefined : `rows ${JSON.stringify(got)}`;
  }
  if (a.type === 'number') {
    const got = Number(first.count ?? first.value);
    return Math.abs(got - Number(a.value)) < 0.01 ? undefined : `value ${JSON.stringify(first)}`;
  }
  return first.value === a.value || first.name === a.value ? undefined : `value ${JSON.stringify(first)}`;
}

