import { lexiconTags } from './lexicon.ts';

/** Small readers of compromise terms shared by the recognisers. */

/** The fields of a compromise term this module reads (compromise's own Term type omits some). */
export interface RawTerm {
  text: string;
  pre: string;
  post: string;
  normal: string;
  machine?: string;
  implicit?: string;
  tags: Set<string>;
  offset?: { start: number; length: number };
}

export type Sentence = RawTerm[];

/** Punctuation after (or before) a word that ends a name or a phrase. */
export const HARD_BREAK = /[,;:()[\]"“”!?]|\.\s*$|\s-\s|—|–/;

/** The word as compromise normalised it, without a possessive 's. */
export function termWord(term: RawTerm): string {
  return (term.normal || term.text.toLowerCase()).replace(/['’]s$/, '');
}

export const NAME_LEXICON_TAGS = new Set(['FirstName', 'MaleName', 'FemaleName', 'LastName', 'Person', 'City', 'Country', 'Region', 'Place', 'Organization', 'ProperNoun']);

/** A word compromise's lexicon knows, and not as a name ("wind", "platform"). */
export function isCommonWord(word: string): boolean {
  const tags = lexiconTags(word);
  return tags.length > 0 && !tags.some((t) => NAME_LEXICON_TAGS.has(t));
}

export function hasTag(term: RawTerm, ...tags: string[]): boolean {
  return tags.some((t) => term.tags.has(t));
}

export function isCapitalised(term: RawTerm): boolean {
  return /^\p{Lu}/u.test(term.text) || /^\d+\p{Lu}/u.test(term.text);
}

export function isPossessive(term: RawTerm): boolean {
  return /['’]s$/i.test(term.text) || /s['’]$/.test(term.text) || /^['’]/.test(term.post);
}

export function isAcronym(term: RawTerm): boolean {
  const bare = term.text.replace(/\./g, '');
  return /^[\p{Lu}&]{2,6}$/u.test(bare);
}

export function charStart(term: RawTerm): number {
  return term.offset?.start ?? 0;
}

export function charEnd(term: RawTerm): number {
  return (term.offset?.start ?? 0) + (term.offset?.length ?? term.text.length);
}

