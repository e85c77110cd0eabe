import { builtinPatternSet } from '../extraction/offline/patterns.ts';
import { containsName, isStopWord, stem, tokens } from '../retrieval/terms.ts';

/**
 * What an open question asks, in terms a sentence can be matched against: the names it gives,
 * the other content words (what is asked about those names), the kind of value expected, and
 * acronyms. Words are compared as stems, after role phrases ("chief executive officer" = "CEO")
 * and a few everyday equivalences ("born" / "birth") are brought to one form.
 */

export type AnswerType = 'person' | 'date' | 'place' | 'number' | 'any';

export interface QuestionAnalysis {
  /** Names the question gives (entities it names, capitalised phrases), as written. */
  names: string[];
  /** Stems of those names: they locate the topic but are not what is asked. */
  nameTerms: string[];
  /** Stems of the other content words: what is asked about the names. */
  askedTerms: string[];
  type: AnswerType;
}

/**
 * Words that only say which kind of value is wanted (the value's form stands for them), or refer
 * to the source rather than its content ("according to the article").
 */
const TYPE_WORDS = new Set([
  'date', 'year', 'day', 'month', 'time', 'number', 'amount', 'count', 'name', 'place', 'location', 'kind', 'type',
  'many', 'much', 'long', 'often', 'happen', 'happened', 'mean', 'means', 'title', 'role', 'position', 'job',
  'according', 'article', 'report', 'document', 'memo', 'source', 'mention', 'mentioned', 'mentions', 'state',
  'stated', 'states', 'describe', 'described', 'describes',
]);

/** Everyday equivalences between how questions and passages say one thing; the first word names the group. */
const EQUIVALENT_WORDS: readonly string[][] = [
  ['born', 'birth', 'birthplace', 'birthday'],
  ['died', 'death', 'dead', 'die', 'dies'],
  ['married', 'marriage', 'wife', 'husband', 'spouse', 'marry'],
  ['founded', 'founder', 'founding', 'cofounder', 'establish', 'established'],
  ['earn', 'earns', 'salary', 'paid', 'pay', 'wage', 'compensation'],
  ['lead', 'leads', 'led', 'leader', 'head', 'heads', 'headed', 'manage', 'manages', 'managed', 'manager'],
  ['acquire', 'acquired', 'acquisition', 'bought', 'buy', 'purchase', 'purchased'],
  ['start', 'started', 'begin', 'began', 'begun', 'launch', 'launched', 'kickoff'],
  ['save', 'saves', 'saving', 'savings'],
  ['educated', 'study', 'studied', 'studies', 'graduated', 'attended'],
  ['win', 'won', 'wins', 'winning', 'winner', 'receive', 'received', 'receives', 'awarded'],
  ['raise', 'raised', 'increase', 'increased', 'rise', 'rose', 'grow', 'grew'],
  ['say', 'said', 'says'],
  ['give', 'gave', 'given', 'gives'],
  ['hold', 'held', 'holds'],
  ['write', 'wrote', 'written', 'writes'],
  ['hire', 'hired', 'hires', 'recruit', 'recruited'],
];

let equivalents: Map<string, string> | undefined;
let rolePhrases: Map<string, string> | undefined;

function equivalenceOf(s: string): string {
  equivalents ??= new Map(EQUIVALENT_WORDS.flatMap((group) => group.map((w) => [stem(w), stem(group[0]!)] as const)));
  return equivalents.get(s) ?? s;
}

/** Role phrases of the built-in extraction patterns, folded, to their canonical short form. */
function roles(): Map<string, string> {
  if (!rolePhrases) {
    rolePhrases = new Map();
    for (const role of builtinPatternSet().roles) {
      if (!role.canonical) continue;
      for (const phrase of role.phrases) rolePhrases.set(tokens(phrase).join(' '), tokens(role.canonical).join(' '));
    }
  }
  return rolePhrases;
}

const MAX_PHRASE_WORDS = 5;

/**
 * Comparable terms of `text`: folded tokens with role phrases replaced by their canonical form
 * (longest first), stop words dropped, stemmed, equivalent words merged.
 */
export function termsOf(text: string): string[] {
  const words = tokens(text.replace(/['’]s\b/g, ''));
  const table = roles();
  const out: string[] = [];
  for (let i = 0; i < words.length; ) {
    let matched = 0;
    for (let n = Math.min(MAX_PHRASE_WORDS, words.length - i); n >= 1 && !matched; n--) {
      const canonical = table.get(words.slice(i, i + n).join(' '));
      if (canonical !== undefined) {
        out.push(...canonical.split(' '));
        matched = n;
      }
    }
    if (matched) i += matched;
    else out.push(words[i++]!);
  }
  return out.filter((t) => t.length > 1 && !isStopWord(t)).map((t) => equivalenceOf(stem(t)));
}

/**
 * `entityNames`: names of entities known to the context (the graph's entities), checked against
 * the question; capitalised phrases inside the question count as names too.
 */
export function analyseQuestion(question: string, entityNames: readonly string[] = []): QuestionAnalysis {
  const names = new Set<string>();
  for (const name of entityNames) if (containsName(question, name)) names.add(name);
  for (const phrase of capitalisedPhrases(question)) names.add(phrase);
  // Keep the longest of overlapping names ("Project Atlas" over "Atlas").
  const kept = [...names].filter((n) => ![...names].some((o) => o.length > n.length && ` ${tokens(o).join(' ')} `.includes(` ${tokens(n).join(' ')} `)));
  const nameTerms = [...new Set(kept.flatMap((n) => termsOf(n)))];
  const words = tokens(question);
  const askedTerms = [...new Set(termsOf(question))].filter(
    (t) => !nameTerms.includes(t) && !TYPE_WORDS.has(t) && !words.some((w) => TYPE_WORDS.has(w) && equivalenceOf(stem(w)) === t),
  );
  return { names: kept, nameTerms, askedTerms, type: answerType(question) };
}

function answerType(question: string): AnswerType {
  const q = ` ${tokens(question).join(' ')} `;
  if (/ (when|what year|which year|what date|date of|in what year) /.test(q)) return 'date';
  if (/ (how many|how much|what number|what percentage|how long|how old) /.test(q)) return 'number';
  if (/ (where|which city|which country|what city|what country|place of) /.test(q)) return 'place';
  if (/^ (who|whom) | who /.test(q)) return 'person';
  return 'any';
}

/**
 * Runs of capitalised words (with "of", "de", "the" inside), other than the question's first
 * word when it is a question or function word: "Project Zephyr", "Bank of England".
 */
function capitalisedPhrases(question: string): string[] {
  const words = question.split(/\s+/).map((w) => w.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '').replace(/['’]s$/u, ''));
  const phrases: string[] = [];
  let current: string[] = [];
  const flush = () => {
    while (current.length && isStopWord(current[current.length - 1]!.toLowerCase())) current.pop();
    if (current.length) phrases.push(current.join(' '));
    current = [];
  };
  words.forEach((w, i) => {
    // The first word is capitalised anyway: a name only when the next word is capitalised too.
    const first = i === 0 && (isStopWord(w.toLowerCase()) || !/^\p{Lu}/u.test(words[1] ?? ''));
    const capital = /^\p{Lu}/u.test(w) && !first;
    const connector = current.length > 0 && /^(of|de|del|der|van|von|the|and|&)$/.test(w);
    if (capital && w.length > 1) current.push(w);
    else if (connector) current.push(w);
    else flush();
  });
  flush();
  return phrases;
}
