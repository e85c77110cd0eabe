import type { ChunkAnalysis, RoleSpan } from './entities.ts';
import { TAGS, type RoleDefinition } from './patterns.ts';
import { HARD_BREAK, isCapitalised, termWord, type Sentence } from './terms.ts';

/**
 * Role phrases ("chief executive officer", "co-founder and CEO", "head of research") found by
 * longest match against the roles table of the pattern files, and tagged for the $role slot.
 */

/** Words that describe a role's time rather than the role ("former CEO" is a CEO role). */
const ROLE_MODIFIERS = new Set(['former', 'new', 'current', 'interim', 'acting', 'outgoing', 'incoming', 'longtime', 'longstanding', 'then', 'newly', 'appointed']);

/** Role phrases and departments, indexed for longest-match lookup. */
export class RoleLexicon {
  private readonly byFirstWord = new Map<string, Array<{ words: string[]; role: RoleDefinition }>>();
  private readonly departments: string[][];

  constructor(roles: readonly RoleDefinition[], departments: readonly string[]) {
    for (const role of roles) {
      for (const phrase of role.phrases) {
        const words = phrase.toLowerCase().split(/\s+/).filter(Boolean);
        const list = this.byFirstWord.get(words[0]!) ?? [];
        list.push({ words, role });
        this.byFirstWord.set(words[0]!, list);
      }
    }
    for (const list of this.byFirstWord.values()) list.sort((a, b) => b.words.length - a.words.length);
    this.departments = departments.map((d) => d.toLowerCase().split(/\s+/).filter(Boolean)).sort((a, b) => b.length - a.length);
  }

  /** The longest role phrase starting at token i: its length and definition. */
  matchAt(terms: Sentence, i: number): { length: number; role: RoleDefinition; phrase: string } | undefined {
    const first = termWord(terms[i]!);
    // Plural roles only in lower case: "both engineers at X", but "Lumen Partners Inc." is a name.
    const singular = isCapitalised(terms[i]!) ? first : first.replace(/e?s$/, '');
    const candidates = [...(this.byFirstWord.get(first) ?? []), ...(singular !== first ? (this.byFirstWord.get(singular) ?? []).filter((c) => c.words.length === 1) : [])];
    for (const candidate of candidates) {
      if (wordsAt(terms, i, candidate.words)) return { length: candidate.words.length, role: candidate.role, phrase: candidate.words.join(' ') };
    }
    return undefined;
  }

  departmentAt(terms: Sentence, i: number): string[] | undefined {
    return this.departments.find((words) => wordsAt(terms, i, words));
  }
}

function wordsAt(terms: Sentence, i: number, words: readonly string[]): boolean {
  if (i + words.length > terms.length) return false;
  for (let k = 0; k < words.length; k += 1) {
    const term = terms[i + k]!;
    const w = words[k]!;
    const tw = termWord(term);
    // The last word may be plural ("both engineers at Kronos").
    const plural = k === words.length - 1 && !isCapitalised(term) && (tw === w + 's' || tw === w + 'es');
    if (tw !== w && term.machine !== w && !plural) return false;
    // A phrase never spans a comma or a sentence-internal break.
    if (k < words.length - 1 && HARD_BREAK.test(term.post)) return false;
  }
  return true;
}

/** Tags role phrases (KgRole, and KgRoleOf / KgRoleQualifier after an inner "of"). */
export function markRoles(analysis: ChunkAnalysis, n: number, roles: RoleLexicon): void {
  const terms = analysis.sentences[n]!;
  let previous: RoleSpan | undefined;
  for (let i = 0; i < terms.length; ) {
    const start = i;
    while (i < terms.length - 1 && ROLE_MODIFIERS.has(termWord(terms[i]!)) && !HARD_BREAK.test(terms[i]!.post)) i += 1;
    const found = roles.matchAt(terms, i);
    if (!found) {
      i = start + 1;
      continue;
    }
    let end = i + found.length;
    let value = found.role.canonical ?? found.phrase;
    if (found.role.qualifiable && end < terms.length && !HARD_BREAK.test(terms[end - 1]!.post)) {
      // "head of research", and in titles without "of": "VP Engineering".
      const withOf = termWord(terms[end]!) === 'of' && end + 1 < terms.length;
      const department = roles.departmentAt(terms, withOf ? end + 1 : end);
      if (department && (withOf || isCapitalised(terms[end]!))) {
        value = `${value} of ${department.join(' ')}`;
        end += (withOf ? 1 : 0) + department.length;
      }
    }
    const span: RoleSpan = { sentence: n, start, end, value, ...(found.role.relation ? { relation: found.role.relation } : {}) };
    // "of" inside a role ("head of research", "chief of staff") gets its own tags: compromise's
    // greedy + stops where the next word of a pattern matches, and patterns say "$role of $object".
    let tag: string = TAGS.role;
    for (let k = start; k < end; k += 1) {
      analysis.roleAt[n]![k] = span;
      if (k > start && termWord(terms[k]!) === 'of' && tag === TAGS.role) {
        terms[k]!.tags.add(TAGS.roleOf);
        tag = TAGS.roleQualifier;
        continue;
      }
      terms[k]!.tags.add(tag);
    }
    // "founder and CEO": the conjunction belongs to the role list.
    if (previous && previous.end === start - 1 && ['and', '&'].includes(termWord(terms[start - 1]!))) terms[start - 1]!.tags.add(TAGS.role);
    previous = span;
    i = end;
  }
}
