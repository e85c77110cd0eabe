/**
 * Sentence spans of a passage, as offsets into its text, so that a quote is always a verbatim
 * slice of the stored chunk. Rules, not a model:
 * - English: a sentence ends at . ! ? (with closing quotes or brackets) before a capital, digit or
 *   opening quote, except after abbreviations and initials.
 * - Chinese, Japanese: a sentence ends at 。！？； and …… (with closing quotes or brackets), with
 *   or without a following space; so do ! ? ; after a CJK character (what NFKC makes of the
 *   full-width forms).
 * - Blank lines, list items and table rows always end one.
 * - No span is longer than MAX_SENTENCE_CHARS: a run without any boundary is cut at a space or
 *   comma, else at a character.
 * Linear in the text length: every look-around is bounded.
 */

export interface SentenceSpan {
  start: number;
  end: number;
  text: string;
}

/** Longest span returned; a quote longer than this is no longer a sentence anyone reads. */
export const MAX_SENTENCE_CHARS = 1000;

/** Words after which a period does not end a sentence ("Dr. Smith", "Acme Inc. said"). */
const ABBREVIATIONS = new Set([
  'mr', 'mrs', 'ms', 'dr', 'prof', 'sr', 'jr', 'st', 'mt', 'ft', 'vs', 'etc', 'eg', 'ie', 'cf', 'al', 'approx',
  'inc', 'corp', 'ltd', 'co', 'no', 'vol', 'fig', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept',
  'oct', 'nov', 'dec', 'gen', 'col', 'lt', 'sgt', 'capt', 'rev', 'hon', 'dept', 'univ', 'est', 'ca',
]);
/** Longer than any abbreviation or run of initials; bounds the look-back. */
const MAX_ABBREVIATION_CHARS = 16;

/** Terminal punctuation of any of the handled scripts, then closing quotes and brackets. */
const TERMINAL = /[.!?;。！？；…]+["'”’)\]」』）】》〉]*/g;
/** Always ends a sentence, whatever follows. */
const CJK_TERMINAL = /[。！？；]/;
/** Ends a sentence when it follows a CJK character. */
const CJK_CONTEXT_TERMINAL = /[!?;…]/;
const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}、，：]/u;
const LATIN_TERMINAL = /[.!?]/;
/** After an English terminal: whitespace, then what starts the next sentence (a capital, digit, quote, or CJK). */
const NEXT_START = /\s+([\p{Lu}\p{N}"'“‘(\[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}])/uy;
/**
 * Hard breaks: blank lines, line breaks before list items or headings, and around table rows.
 * Each look-around starts at a line break, so a long line is scanned once.
 */
const HARD_BREAK = /\n\s*\n|\n(?=\s*(?:[-*•#]|\d+[.)])\s)|\n(?=[^\n]*\|)|\n(?<=\|[^\n]*\n)/g;
/** Where an over-long span may be cut: after whitespace or a comma of either script. */
const SOFT_CUT = /[\s,，、;；:：]/;

export function splitSentences(text: string): SentenceSpan[] {
  const cuts = new Set<number>();
  for (const m of text.matchAll(HARD_BREAK)) cuts.add(m.index);
  for (const m of text.matchAll(TERMINAL)) {
    const end = m.index + m[0].length;
    if (CJK_TERMINAL.test(m[0]) || (CJK_CONTEXT_TERMINAL.test(m[0]) && CJK_CHAR.test(charBefore(text, m.index)))) {
      cuts.add(end);
      continue;
    }
    if (!LATIN_TERMINAL.test(m[0][0]!)) continue;
    NEXT_START.lastIndex = end;
    if (!NEXT_START.test(text)) continue;
    // "B. H. Cox", "U.S. Army", "Dr. Smith": a period after an initial or an abbreviation.
    const word = wordBefore(text, m.index);
    if (m[0] === '.' && (isInitial(word) || ABBREVIATIONS.has(word.toLowerCase().replace(/\./g, '')))) continue;
    cuts.add(end);
  }
  const spans: SentenceSpan[] = [];
  let start = 0;
  for (const cut of [...cuts, text.length].sort((a, b) => a - b)) {
    pushBounded(spans, text, start, cut);
    start = cut;
  }
  return spans;
}

function charBefore(text: string, index: number): string {
  const code = text.codePointAt(index - 1);
  if (code === undefined) return '';
  // The low half of a surrogate pair: the character starts one further back.
  return code >= 0xdc00 && code <= 0xdfff && index >= 2 ? String.fromCodePoint(text.codePointAt(index - 2)!) : String.fromCodePoint(code);
}

/** The letters and periods right before `index`, or '' when that run is too long to be an abbreviation. */
function wordBefore(text: string, index: number): string {
  let from = index;
  while (from > 0 && index - from <= MAX_ABBREVIATION_CHARS && /[\p{L}.]/u.test(text[from - 1]!)) from--;
  return index - from > MAX_ABBREVIATION_CHARS ? '' : text.slice(from, index);
}

function isInitial(word: string): boolean {
  // "H", "U.S", "J.R.R": single capitals separated by periods.
  return /^(?:\p{Lu}\.)*\p{Lu}$/u.test(word);
}

/** Pushes the trimmed span, cut into pieces of at most MAX_SENTENCE_CHARS. */
function pushBounded(spans: SentenceSpan[], text: string, from: number, to: number): void {
  let start = from;
  while (to - start > MAX_SENTENCE_CHARS) {
    const limit = start + MAX_SENTENCE_CHARS;
    let cut = limit;
    // The last soft cut in the second half of the window, else a hard cut at a code point.
    while (cut > start + MAX_SENTENCE_CHARS / 2 && !SOFT_CUT.test(text[cut - 1]!)) cut--;
    if (cut <= start + MAX_SENTENCE_CHARS / 2) cut = isLowSurrogate(text, limit) ? limit - 1 : limit;
    pushTrimmed(spans, text, start, cut);
    start = cut;
  }
  pushTrimmed(spans, text, start, to);
}

function isLowSurrogate(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff;
}

function pushTrimmed(spans: SentenceSpan[], text: string, from: number, to: number): void {
  let start = from;
  let end = to;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  if (end > start && /[\p{L}\p{N}]/u.test(text.slice(start, end))) spans.push({ start, end, text: text.slice(start, end) });
}
