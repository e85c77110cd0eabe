/**
 * Sentence spans of a passage, as offsets into its text, so that a quote is always a verbatim
 * slice of the stored chunk. Rules, not a model: a sentence ends at . ! ? (with closing quotes or
 * brackets) before a capital, digit or opening quote, except after abbreviations and initials;
 * blank lines, list items and table rows always end one.
 */

export interface SentenceSpan {
  start: number;
  end: number;
  text: string;
}

/** Words after which a period does not end a sentence ("Dr. Smith", "Acme Inc. said"). */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'ft', 'vs', 'etc', 'eg', 'ie', 'cf', 'al', 'approx',
  'inc', 'corp', 'ltd', 'co', 'no', 'vol', 'fig', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept',
  'oct', 'nov', 'dec', 'gen', 'col', 'lt', 'sgt', 'capt', 'rev', 'hon', 'dept', 'univ', 'est', 'ca',
]);

/** Where a sentence may end: terminal punctuation, closing quotes/brackets, then whitespace. */
const BOUNDARY = /[.!?]+["'”’)\]]*(?=\s)/g;
/** Hard breaks: blank lines, line breaks before list items or headings, and around table rows. */
const HARD_BREAK = /\n\s*\n|\n(?=\s*(?:[-*•#]|\d+[.)])\s)|\n(?=[^\n]*\|)|(?<=\|[^\n]*)\n/g;

export function splitSentences(text: string): SentenceSpan[] {
  const cuts = new Set<number>();
  for (const m of text.matchAll(HARD_BREAK)) cuts.add(m.index);
  for (const m of text.matchAll(BOUNDARY)) {
    const end = m.index + m[0].length;
    const next = text.slice(end).match(/^\s+(\S)/u);
    if (!next || !/[\p{Lu}\p{N}"'“‘(\[]/u.test(next[1]!)) continue;
    const word = text.slice(0, m.index).match(/([\p{L}.]+)$/u)?.[1] ?? '';
    // "B. H. Cox", "U.S. Army", "Dr. Smith": a period after an initial or an abbreviation.
    if (m[0].startsWith('.') && m[0].length === 1 && (isInitial(word) || ABBREVIATIONS.has(word.toLowerCase().replace(/\./g, '')))) continue;
    cuts.add(end);
  }
  const spans: SentenceSpan[] = [];
  let start = 0;
  for (const cut of [...cuts, text.length].sort((a, b) => a - b)) {
    pushTrimmed(spans, text, start, cut);
    start = cut;
  }
  return spans;
}

function isInitial(word: string): boolean {
  // "H", "U.S", "J.R.R": single capitals separated by periods.
  return /^(?:\p{Lu}\.)*\p{Lu}$/u.test(word);
}

function pushTrimmed(spans: SentenceSpan[], text: string, from: number, to: number): void {
  let start = from;
  let end = to;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  if (end > start && /[\p{L}\p{N}]/u.test(text.slice(start, end))) spans.push({ start, end, text: text.slice(start, end) });
}
