import type { ContextPassage } from '../planner/types.ts';
import { containsName, contentStems } from './terms.ts';

/**
 * The pure scoring pieces of graph expansion: how strong a search hit is, how precise an entity
 * link is, how much a passage is about an entity, and the budget cut.
 */

/** Prior of the search hit at `rank` (0-based): 1, 0.71, 0.58, 0.5… falls slowly, never to 0. */
export function hitPrior(rank: number): number {
  return 1 / Math.sqrt(1 + Math.max(0, rank));
}

/**
 * An entity named in a couple of passages is a precise link; one named in hundreds ("English",
 * "United States") links everything to everything and is damped.
 */
export function specificity(df: number): number {
  return df <= 2 ? 1 : 1 / (1 + Math.log(df / 2));
}

/**
 * How much a passage is about an entity rather than merely naming it: its document is titled by
 * the entity (encyclopaedic pages, profiles), or it names the entity at its very start, or only
 * somewhere later.
 */
export function aboutness(title: string, text: string, name: string, surfaces: readonly string[]): number {
  if (name && (containsName(title, name) || surfaces.some((s) => s.length > 2 && containsName(title, s)))) return 1;
  const head = text.slice(0, Math.max(80, Math.floor(text.length / 6)));
  if ([name, ...surfaces].some((s) => s && head.includes(s))) return 0.7;
  return 0.4;
}

/**
 * Several entities linking one passage add up, with diminishing returns: the strongest link
 * counts fully, the next ones a little (a passage about the director that also names the film's
 * country is hardly more relevant). Capped at 1.
 */
export function combineLinks(contributions: readonly number[]): number {
  const sorted = [...contributions].sort((a, b) => b - a);
  const total = sorted.reduce((sum, x, k) => sum + x * (k === 0 ? 1 : k === 1 ? 0.3 : 0.1), 0);
  return Math.min(1, total);
}

/** The question's content stems minus those of the names it gives: what is asked about them. */
export function askedStems(questionStems: readonly string[], names: readonly string[]): string[] {
  const nameStems = new Set(names.flatMap((n) => contentStems(n)));
  return questionStems.filter((s) => !nameStems.has(s));
}

/** The sentences of `text` that contain one of `surfaces`, joined. */
export function sentencesNaming(text: string, surfaces: readonly string[]): string {
  return text
    .split(/(?<=[.!?])\s+/)
    .filter((sentence) => surfaces.some((s) => s && sentence.includes(s)))
    .join(' ');
}

/** Greedy by score: a passage that would overflow the character budget is skipped, smaller ones may still fit. */
export function withinBudget(passages: readonly ContextPassage[], budget: { passages: number; chars?: number | undefined }): ContextPassage[] {
  const out: ContextPassage[] = [];
  let chars = 0;
  for (const p of passages) {
    if (out.length >= budget.passages) break;
    if (budget.chars !== undefined && chars + p.text.length > budget.chars) continue;
    out.push(p);
    chars += p.text.length;
  }
  return out;
}
