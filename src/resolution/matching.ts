import { distance } from 'fastest-levenshtein';
import { acronymOf, normalizeName } from './normalize.ts';

/**
 * Type-aware name comparison. Every rule errs on the side of NOT merging: a missed link costs
 * one duplicate node, a wrong merge silently mixes the facts of two people.
 */

export type MatchMethod = 'exact' | 'alias' | 'acronym' | 'initials' | 'fuzzy';

export interface NameMatch {
  method: MatchMethod;
  score: number;
}

/** Similarity of two normalised strings, 0..1, by edit distance. */
export function similarity(a: string, b: string): number {
  if (a === b) return 1;
  const longest = Math.max(a.length, b.length);
  return longest === 0 ? 1 : 1 - distance(a, b) / longest;
}

const INITIAL = /^[a-z]$/;

/**
 * Two person names refer to the same person when their surnames agree and their given names
 * agree or one is the other's initial ("J Smith" ~ "Jane Smith"). Different given names never
 * match, so "John Doe" and "Emily Doe" stay two people.
 */
export function matchPersonNames(a: string, b: string): NameMatch | null {
  const na = normalizeName(a, 'Person');
  const nb = normalizeName(b, 'Person');
  if (!na || !nb) return null;
  if (na === nb) return { method: 'exact', score: 1 };
  const ta = na.split(' ');
  const tb = nb.split(' ');
  // A lone given name or surname is too ambiguous to link across documents.
  if (ta.length < 2 || tb.length < 2) return null;
  if (ta[ta.length - 1] !== tb[tb.length - 1]) {
    // A typo in the surname of an otherwise identical name ("Natarajan" / "Natarajen").
    const sameGiven = ta.slice(0, -1).join(' ') === tb.slice(0, -1).join(' ');
    const close = similarity(ta[ta.length - 1]!, tb[tb.length - 1]!) >= 0.85 && ta[ta.length - 1]!.length >= 5;
    return sameGiven && close ? { method: 'fuzzy', score: 0.85 } : null;
  }
  const fa = ta[0]!;
  const fb = tb[0]!;
  if (fa === fb) return { method: 'exact', score: 0.95 }; // middle names differ or are missing
  if ((INITIAL.test(fa) && fb.startsWith(fa)) || (INITIAL.test(fb) && fa.startsWith(fb))) {
    return { method: 'initials', score: 0.8 };
  }
  return null;
}

/**
 * Organisation names match when equal after dropping legal forms, when one is the other's
 * acronym, or when they differ by a typo-sized edit in a long name.
 */
export function matchOrganizationNames(a: string, b: string): NameMatch | null {
  const na = normalizeName(a, 'Organization');
  const nb = normalizeName(b, 'Organization');
  if (!na || !nb) return null;
  if (na === nb) return { method: 'exact', score: 1 };
  const compactA = na.replace(/ /g, '');
  const compactB = nb.replace(/ /g, '');
  if (compactA === compactB) return { method: 'exact', score: 0.95 }; // "Open AI" / "OpenAI"
  if ((acronymOf(a, 'Organization') === compactB && compactB.length >= 2) || (acronymOf(b, 'Organization') === compactA && compactA.length >= 2)) {
    return { method: 'acronym', score: 0.85 };
  }
  if (Math.min(na.length, nb.length) >= 8 && similarity(na, nb) >= 0.9) return { method: 'fuzzy', score: similarity(na, nb) };
  return null;
}

/** Any other type: equal normalised names, or a typo-sized difference in a long name. */
export function matchOtherNames(a: string, b: string, type: string): NameMatch | null {
  const na = normalizeName(a, type);
  const nb = normalizeName(b, type);
  if (!na || !nb) return null;
  if (na === nb) return { method: 'exact', score: 1 };
  if (Math.min(na.length, nb.length) >= 10 && similarity(na, nb) >= 0.92) return { method: 'fuzzy', score: similarity(na, nb) };
  return null;
}

export function matchNames(a: string, b: string, type: string): NameMatch | null {
  if (type === 'Person') return matchPersonNames(a, b);
  if (type === 'Organization') return matchOrganizationNames(a, b);
  return matchOtherNames(a, b, type);
}

/** The best match of `name` against an entity's name and aliases. */
export function matchEntity(name: string, type: string, entity: { name: string; aliases: readonly string[] }): NameMatch | null {
  let best: NameMatch | null = matchNames(name, entity.name, type);
  for (const alias of entity.aliases) {
    const m = matchNames(name, alias, type);
    if (m && (!best || m.score > best.score)) best = { method: m.method === 'exact' ? 'alias' : m.method, score: m.score };
  }
  return best;
}
