import type { Citation, ContextPassage } from '../planner/types.ts';

/**
 * What answers share: the result shape, the plain "not in the knowledge base" answer, citations
 * built from context passages, and the `[n]` markers in answer text.
 */

export interface AnswerResult {
  answer: string;
  /** False when the context does not contain the answer; `answer` then says so plainly. */
  found: boolean;
  /** The passages the answer rests on, numbered as in the answer text. Empty when not found. */
  citations: Citation[];
  /**
   * When not found: the closest passages, for a "see also" (they do not answer the question, so
   * the answer text does not cite them). Empty otherwise.
   */
  related: Citation[];
  /** Set when the model wrote an answer that cited nothing in the context, so it was not shown. */
  ungrounded?: boolean;
}

export const NOT_FOUND_ANSWER = 'The knowledge base does not contain an answer to this question.';

export function notFound(related: Citation[] = []): AnswerResult {
  return { answer: NOT_FOUND_ANSWER, found: false, citations: [], related };
}

export function toCitation(passage: ContextPassage, n: number, quote: string): Citation {
  return {
    n,
    documentId: passage.documentId,
    title: passage.title,
    source: passage.source,
    page: passage.page,
    chunkId: passage.chunkId,
    quote,
  };
}

/** A group of citation markers: "[2]", "[1, 3]", "[1,2][4]" is two groups. */
const MARKER_GROUP = /\[(\s*\d+\s*(?:,\s*\d+\s*)*)\]/g;

/** Citation numbers in `text`, in order of first appearance. */
export function citationNumbers(text: string): number[] {
  const seen: number[] = [];
  for (const m of text.matchAll(MARKER_GROUP)) {
    for (const n of m[1]!.split(',').map((s) => Number(s.trim()))) if (!seen.includes(n)) seen.push(n);
  }
  return seen;
}

/**
 * Rewrites the markers of `text` through `renumber`: numbers it maps to undefined are dropped, and
 * a group left empty disappears with the space before it.
 */
export function rewriteCitations(text: string, renumber: (n: number) => number | undefined): string {
  return text
    .replace(/(\s*)\[(\s*\d+\s*(?:,\s*\d+\s*)*)\]/g, (_all, space: string, list: string) => {
      const kept = [...new Set(list.split(',').map((s) => renumber(Number(s.trim()))))].filter((n): n is number => n !== undefined);
      return kept.length ? `${space}[${kept.join(', ')}]` : '';
    })
    .trim();
}

/**
 * The verbatim slice of `text` that `quote` reproduces, comparing case-insensitively and with
 * any run of whitespace (or typographic quote variant) as equal; undefined when it is not there.
 */
export function findVerbatim(text: string, quote: string): string | undefined {
  // Models often wrap a quote in quotation marks of their own.
  const trimmed = canonical(quote.trim());
  const wanted = /^".*"$/s.test(trimmed) ? trimmed.slice(1, -1).trim() : trimmed;
  if (wanted.length < 3) return undefined;
  const { folded, starts } = foldWithOffsets(text);
  const at = folded.indexOf(wanted);
  if (at < 0) return undefined;
  const end = at + wanted.length - 1;
  return text.slice(starts[at], starts[end]! + 1);
}

function canonical(s: string): string {
  return s.toLowerCase().replace(/[‘’]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ');
}

/** `text` in canonical form, with the offset in `text` of each of its characters. */
function foldWithOffsets(text: string): { folded: string; starts: number[] } {
  let folded = '';
  const starts: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    const c = /\s/.test(ch) ? ' ' : canonical(ch);
    if (c === ' ' && folded.endsWith(' ')) continue;
    folded += c;
    for (let k = 0; k < c.length; k++) starts.push(i);
  }
  return { folded, starts };
}
