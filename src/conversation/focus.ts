/**
 * What a turn leaves for the next question to refer to (`TurnFocus`): the nodes its answer is
 * made of, the noun the question used for them, and the names and values it mentioned.
 */
import type { Kgrag } from '../app.ts';
import { labelMatcher } from '../graph/catalog.ts';
import { compile, finishRows, type QuerySpec } from '../planner/compile.ts';
import type { Grounding } from '../planner/grounding.ts';
import { runReadOnly } from '../planner/guard.ts';
import type { AskResult } from '../planner/types.ts';
import type { Mention, TurnFocus } from './followup.ts';

/** Nodes a follow-up can carry as its seed; a bigger answer is referred to by asking again. */
export const MAX_SEED = 1000;

export async function focusOf(
  app: Kgrag,
  question: string,
  result: AskResult,
  parsed: { grounding: Grounding; spec?: QuerySpec } | undefined,
  collections: string[] | null,
): Promise<TurnFocus> {
  const mentions = parsed ? mentionsOf(question, parsed.grounding) : [];
  const spec = parsed?.spec;
  const focus: TurnFocus = { question, mentions };
  if (!spec || result.plan.strategy !== 'structured') return focus;
  const target = spec.nodes[0]!;
  const noun = parsed.grounding.labels.find((l) => l.label === target.label);
  if (noun) focus.noun = textOf(parsed.grounding, noun.span);
  const answer = await answerNodes(app, spec, result, collections);
  if (answer) focus.answer = answer;
  return focus;
}

/**
 * The element ids of the nodes the answer is about: the same query with the target's display
 * name replaced by its element id (compile falls back to `elementId` for a label without one).
 */
async function answerNodes(app: Kgrag, spec: QuerySpec, result: AskResult, collections: string[] | null): Promise<TurnFocus['answer']> {
  const r = spec.result;
  const target = spec.nodes[0]!;
  const byId = { ...spec.nameProperty, [target.label]: undefined };
  const asList: QuerySpec = { ...spec, limit: MAX_SEED + 1, result: { kind: 'list', properties: [] } };
  let idSpec: QuerySpec;
  if (r.kind === 'rank' && !r.groupBy) idSpec = { ...spec, nameProperty: byId };
  // A list keeps its own result (its "first 3"), without extra columns: only the ids are wanted.
  else if (r.kind === 'list') idSpec = { ...spec, limit: MAX_SEED + 1, nameProperty: byId, result: { ...r, properties: [] } };
  else if (r.kind === 'count' || r.kind === 'check' || (r.kind === 'value' && r.node === target.v)) idSpec = { ...asList, nameProperty: byId };
  else return undefined;
  const catalog = await app.catalogs.get(collections ?? undefined);
  const run = async (s: QuerySpec) => {
    const compiled = compile(s, catalog.collections, labelMatcher(catalog));
    return finishRows(s, (await runReadOnly(app.db, compiled.query, compiled.params, { collections: catalog.collections, limit: MAX_SEED + 1, timeoutMs: 10_000 })).rows);
  };
  const kept = await run(idSpec);
  const ids = kept.slice(0, MAX_SEED).map((row) => String(row.name));
  // Names matter for one node (a singular pronoun): the answer's own row, or the node's display name.
  let names: string[] = [];
  if (r.kind === 'list' || r.kind === 'rank') names = result.rows.map((row) => String(row.name));
  else if (ids.length === 1 && spec.nameProperty[target.label]) names = (await run(asList)).map((row) => String(row.name));
  return { label: target.label, ids, names, ...(kept.length > MAX_SEED ? { truncated: true } : {}) };
}

/** Names and values the question used: its own words in English; the stored value in a Chinese question (read through its English form). */
export function mentionsOf(question: string, g: Grounding): Mention[] {
  const translated = g.question !== question;
  return g.values
    .filter((v) => !v.negated)
    .map((v) => ({ text: translated ? v.value : textOf(g, v.span), label: v.label, property: v.property, isName: v.isName }))
    .filter((m) => !translated || question.includes(m.text));
}

function textOf(g: Grounding, span: { start: number; end: number }): string {
  const first = g.tokens[span.start]!;
  const last = g.tokens[span.end - 1]!;
  return g.question.slice(first.start, last.end).replace(/^["'“]|["'”]$/g, '').replace(/[’']s$/, '');
}
