import { foldText } from '../resolution/normalize.ts';

/**
 * Word-level text matching shared by graph expansion and extractive answers: folded tokens,
 * English stop words, and a light suffix stemmer so that "born" / "births" / "directed" /
 * "director" meet their usual partners without a dictionary.
 */

/** Function words and question words: they say how something is asked, not what about. */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an the and or but nor of to in on at by for from with without into onto upon about above below over under ' +
    'between among through during before after since until than then as so if because while though although ' +
    'is are was were be been being am do does did done doing have has had having will would shall should can could ' +
    'may might must ought it its itself this that these those there here what which who whom whose when where why how ' +
    'i me my mine we us our ours you your yours he him his she her hers they them their theirs one ones ' +
    'not no yes all any both each either neither few more most other some such same own only very too also just ' +
    'again further once ever even still yet much many per via vs tell know give list show find please'
  ).split(' '),
);

export function isStopWord(token: string): boolean {
  return STOP_WORDS.has(token);
}

/** Folded word tokens (lower case, no accents, no punctuation), stop words included. */
export function tokens(text: string): string[] {
  return foldText(text).split(' ').filter(Boolean);
}

/**
 * A light English stemmer: plural and verb endings, then a few derivational ones. It only has to
 * conflate the forms a question and a passage use for one idea, not produce linguistic roots.
 */
export function stem(token: string): string {
  let t = token;
  if (t.length <= 3 || /\d/.test(t)) return t;
  if (t.endsWith('ies') && t.length > 4) t = t.slice(0, -3) + 'y';
  else if (t.endsWith('sses')) t = t.slice(0, -2);
  else if (t.endsWith('s') && !t.endsWith('ss') && !t.endsWith('us') && !t.endsWith('is')) t = t.slice(0, -1);
  for (const suffix of ['ingly', 'edly', 'ing', 'ed']) {
    if (t.endsWith(suffix) && t.length - suffix.length >= 3 && /[aeiouy]/.test(t.slice(0, -suffix.length))) {
      t = t.slice(0, -suffix.length);
      // "directed" → "direct", "stopped" → "stop", "married" → "marri" (matches "marriage" below).
      if (/([^aeiouslz])\1$/.test(t)) t = t.slice(0, -1);
      break;
    }
  }
  for (const suffix of ['ments', 'ment', 'ness', 'ship', 'ful', 'ity', 'ion', 'ive', 'ally', 'ly', 'er', 'or', 'age']) {
    if (t.endsWith(suffix) && t.length - suffix.length >= 4) {
      t = t.slice(0, -suffix.length);
      break;
    }
  }
  if (t.endsWith('e') && t.length > 4) t = t.slice(0, -1);
  if (t.endsWith('y') && t.length > 4) t = t.slice(0, -1) + 'i';
  return t;
}

/** Stems of the content words of `text` (stop words and one-letter tokens dropped), in order. */
export function contentStems(text: string): string[] {
  return tokens(text)
    .filter((t) => t.length > 1 && !isStopWord(t))
    .map(stem);
}

/**
 * Share of the question's content terms (weighted by `weight`, e.g. an IDF) that `text` contains.
 * 0 when the question has no content terms.
 */
export function termCoverage(questionStems: readonly string[], text: string, weight: (stem: string) => number = () => 1): number {
  const unique = [...new Set(questionStems)];
  if (unique.length === 0) return 0;
  const present = new Set(contentStems(text));
  let total = 0;
  let found = 0;
  for (const s of unique) {
    const w = weight(s);
    total += w;
    if (present.has(s)) found += w;
  }
  return total > 0 ? found / total : 0;
}

/**
 * Whether `name` occurs in `text` as a whole-word phrase (folded: case, accents and punctuation
 * ignored). Single-word names must also be capitalised in the text, so an entity called
 * "Director" does not match the word "director" in a question.
 */
export function containsName(text: string, name: string): boolean {
  const folded = foldText(name);
  if (!folded) return false;
  const haystack = ` ${foldText(text)} `;
  if (!haystack.includes(` ${folded} `)) return false;
  if (folded.includes(' ')) return true;
  const word = new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(name.trim())}(?=$|[^\\p{L}\\p{N}])`, 'u');
  return word.test(text) && /^\p{Lu}/u.test(name.trim());
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
