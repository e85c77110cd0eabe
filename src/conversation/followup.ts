/**
 * Follow-up questions without an LLM: rules of English and Chinese grammar over what the previous
 * turn asked and answered (its `TurnFocus`). Three kinds of reference are resolved:
 *
 * - a plural pronoun or partitive ("which of them", "how many of those", 其中, 他们中) refers to the
 *   previous answer's set of nodes: the question is asked of that set (a seed of element ids on
 *   the answer's label), with the pronoun replaced by the noun the previous question used;
 * - a singular pronoun ("she", "his", 他, 她的) refers to one node: the previous answer when it is
 *   one node, else the one name the previous question used (number agreement: a plural answer
 *   cannot be "her"); anything else is ambiguous and declined;
 * - ellipsis ("and in 2024?", "what about Acme?", 那林晓峰呢?) repeats the previous question with
 *   the new value in place of the value of the same kind (a year for a year, a name or value of
 *   the same label and property, found by grounding the fragment in the graph).
 *
 * A reference that cannot be bound safely is declined with a reason, never guessed.
 */
import type { Seed } from '../planner/ask.ts';
import { hanShare } from '../planner/zh/segment.ts';

/** What a turn asked and answered, kept with the turn to resolve the next question. */
export interface TurnFocus {
  /** The question as it was answered (after resolution). */
  question: string;
  /** The answer's nodes when the answer was a set of graph nodes (capped; `truncated` beyond the cap). */
  answer?: { label: string; ids: string[]; names: string[]; truncated?: boolean };
  /** The set the question itself was asked of (a follow-up's seed): what "them" still means after it found nothing. */
  askedOf?: { label: string; ids: string[]; names: string[]; truncated?: boolean };
  /** The words the question used for the answer's nodes ("employees"), when it used any. */
  noun?: string;
  /** Names and values the question used, as written in it. */
  mentions: Mention[];
}

export interface Mention {
  /** The words of the question (or, for a Chinese question, the stored value it contains). */
  text: string;
  label: string;
  property: string;
  isName: boolean;
}

export type Resolution =
  /** Not a follow-up: the question stands on its own. */
  | { kind: 'none' }
  /** A standalone question, with the rule that made it. */
  | { kind: 'rewrite'; question: string; rule: string; seed?: Seed }
  | { kind: 'decline'; reason: string };

/** Looks a short fragment up in the graph: the names and values it contains. */
export type FragmentGrounder = (fragment: string) => Promise<Mention[]>;

const HAN = /\p{Script=Han}/u;

export async function resolveFollowUp(question: string, previous: TurnFocus | undefined, groundFragment: FragmentGrounder): Promise<Resolution> {
  if (!previous) return { kind: 'none' };
  const q = question.trim();
  // The question's own grammar: Chinese when it is mostly Chinese, as for the answer's language in ask.
  return hanShare(q) >= 0.3 ? resolveChinese(q, previous, groundFragment) : resolveEnglish(q, previous, groundFragment);
}

// ---------------------------------------------------------------------------------------------
// English

/** "What about X?", "How about X?", "And X?": a fragment that stands for the previous question. */
const EN_ELLIPSIS = [
  /^(?:and|but|so|ok(?:ay)?)?[\s,]*(?:what|how)\s+about\s+(.+?)\s*[?.!]*$/i,
  // "And in 2024?", "And to John Doe?": a short phrase with no question word or verb of its own.
  /^(?:and|but)[\s,]+(?!(?:what|which|who|whom|whose|how|where|when|why|is|are|was|were|do|does|did|can|list|show|name|count)\b)(\S+(?:\s+\S+){0,5}?)\s*[?.!]*$/i,
];
const EN_PREPOSITION = /^(?:in|for|to|from|at|on|with|by|of|during|under|after|before)\s+/i;
const YEAR = /\b(1[89]\d\d|2[01]\d\d)\b/g;
/** A partitive of a plural pronoun: "which of them", "how many of those", "any of these". */
const EN_PARTITIVE = /\b(which|how many|any|all|none|each|some|who|one|many|most)\s+of\s+(?:them|those|these|they)\b/gi;
/** "they/them", and "those/these" used as pronouns (before a verb or at the end), not as determiners. */
const EN_PLURAL = /\b(?:they|them|(?:those|these)(?=\s+(?:are|were|is|was|have|has|had|do|does|did|work|works|who|that|which)\b|\s*[?.!,]|\s*$))\b/gi;
const EN_THEIR = /\btheir\s+(\w+)/gi;
const EN_SINGULAR = /\b(he|she|him|her|his|hers|it|its)\b/gi;
/** Words after "her" that show it is an object ("report to her in…"), not a possessive ("her salary"). */
const NOT_A_NOUN = new Set(['in', 'on', 'at', 'to', 'for', 'from', 'with', 'by', 'of', 'and', 'or', 'as', 'now', 'directly', 'than', 'work', 'works', 'report', 'reports']);

async function resolveEnglish(q: string, previous: TurnFocus, groundFragment: FragmentGrounder): Promise<Resolution> {
  for (const pattern of EN_ELLIPSIS) {
    const m = pattern.exec(q);
    if (m && !has(m[1]!, EN_SINGULAR) && !has(m[1]!, /\b(?:they|them|those|these)\b/i)) return ellipsis(m[1]!.replace(EN_PREPOSITION, ''), previous, groundFragment, 'en');
  }
  if (has(q, EN_PARTITIVE) || has(q, EN_PLURAL) || has(q, EN_THEIR)) {
    const set = answerSet(previous);
    if ('reason' in set) return { kind: 'decline', reason: set.reason };
    const noun = previous.noun ?? pluralOf(set.label);
    const rewritten = q
      .replace(EN_PARTITIVE, (_all, head: string) => (/^who$/i.test(head) ? `which ${noun}` : `${head} ${noun}`))
      .replace(EN_THEIR, (_all, word: string) => `the ${word} of the ${noun}`)
      .replace(EN_PLURAL, noun);
    return { kind: 'rewrite', question: rewritten, rule: `"${matchedWords(q)}" = ${set.description}`, seed: { label: set.label, ids: set.ids, description: set.description } };
  }
  const singular = [...q.matchAll(EN_SINGULAR)];
  if (singular.length > 0) {
    const one = singleReferent(previous);
    if ('reason' in one) return { kind: 'decline', reason: `"${singular[0]![0]}" ${one.reason}` };
    const rewritten = q.replace(EN_SINGULAR, (word: string, _w: string, offset: number) => {
      const lower = word.toLowerCase();
      const next = /^\s*([A-Za-z]+)/.exec(q.slice(offset + word.length))?.[1]?.toLowerCase();
      const possessive = lower === 'his' || lower === 'its' || lower === 'hers' || (lower === 'her' && next !== undefined && !NOT_A_NOUN.has(next));
      return possessive ? `${one.name}'s` : one.name;
    });
    return { kind: 'rewrite', question: rewritten, rule: `"${singular[0]![0]}" = ${one.name} (${one.from})` };
  }
  return { kind: 'none' };
}

function matchedWords(q: string): string {
  const m = /\b(?:which|how many|any|all|none|each|some|who|one|many|most)\s+of\s+(?:them|those|these|they)\b|\b(?:they|them|those|these|their)\b/i.exec(q);
  return m ? m[0] : 'them';
}

/** A label's name as an English plural noun ("Person" → "persons"): what the parser maps back to the label. */
function pluralOf(label: string): string {
  const words = label.replace(/^Kgrag_/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  if (/(?:s|x|z|ch|sh)$/.test(words)) return `${words}es`;
  if (/[^aeiou]y$/.test(words)) return `${words.slice(0, -1)}ies`;
  return `${words}s`;
}

// ---------------------------------------------------------------------------------------------
// Chinese

/** "那X呢?", "X呢?", "X怎么样?": a fragment standing for the previous question. */
const ZH_ELLIPSIS = /^(?:那么?|还有|那)?\s*(.+?)\s*(?:呢|怎么样|如何)\s*[?？]?\s*$/u;
/** A partitive that restricts to the previous answer: 其中, 他们中, 这些人当中… (removed: the question keeps its own noun). */
const ZH_PARTITIVE = /(?:这其中|其中|(?:他们|她们|它们|这些人?|那些人?|这几个人?|这几位)(?:之中|当中|中|里面|里))/gu;
/** A plural pronoun on its own: replaced by the previous question's noun. */
const ZH_PLURAL = /(?:他们|她们|它们|这些人|那些人|这些|那些)/gu;
const ZH_SINGULAR = /[他她它](?!们)/gu;
/** The head noun after a question word or quantifier: 哪些员工, 几名员工, 所有员工. */
const ZH_NOUN = /(?:哪些|哪个|哪家|哪位|所有的?|全部的?|几[名个家位项]|多少[名个家位项]?)(\p{Script=Han}{1,4}?)(?=向|在|是|的|有|被|为|从|和|与|直接|目前|都|[?？,，。]|$)/u;

async function resolveChinese(q: string, previous: TurnFocus, groundFragment: FragmentGrounder): Promise<Resolution> {
  const hasPronoun = has(q, ZH_PARTITIVE) || has(q, ZH_PLURAL) || has(q, ZH_SINGULAR);
  const m = ZH_ELLIPSIS.exec(q);
  if (m && !hasPronoun) return ellipsis(m[1]!, previous, groundFragment, 'zh');
  const partitive = q.match(ZH_PARTITIVE);
  const plural = q.replace(ZH_PARTITIVE, '').match(ZH_PLURAL);
  if (partitive || plural) {
    const set = answerSet(previous);
    if ('reason' in set) return { kind: 'decline', reason: set.reason };
    let rewritten = q.replace(ZH_PARTITIVE, '');
    if (plural) {
      const noun = ZH_NOUN.exec(previous.question)?.[1];
      if (!noun) return { kind: 'decline', reason: `"${plural[0]}" refers to the previous answer, but the previous question names no noun for it; ask the full question.` };
      rewritten = rewritten.replace(ZH_PLURAL, noun);
    }
    return { kind: 'rewrite', question: rewritten, rule: `"${(partitive ?? plural)![0]}" = ${set.description}`, seed: { label: set.label, ids: set.ids, description: set.description } };
  }
  const singular = q.match(ZH_SINGULAR);
  if (singular) {
    const one = singleReferent(previous);
    if ('reason' in one) return { kind: 'decline', reason: `"${singular[0]}" ${one.reason}` };
    return { kind: 'rewrite', question: q.replace(ZH_SINGULAR, one.name), rule: `"${singular[0]}" = ${one.name} (${one.from})` };
  }
  return { kind: 'none' };
}

// ---------------------------------------------------------------------------------------------
// Shared

/** Whether a (global) pattern occurs in the text: `search` ignores the pattern's `lastIndex`. */
function has(text: string, pattern: RegExp): boolean {
  return text.search(pattern) >= 0;
}

type SetRef = { label: string; ids: string[]; description: string } | { reason: string };

function answerSet(previous: TurnFocus): SetRef {
  // A plural pronoun needs something plural: after "none of them" it still means the set asked about.
  const a = previous.answer?.ids.length === 0 && previous.askedOf ? previous.askedOf : previous.answer;
  if (!a) return { reason: 'This refers to the previous answer, but it was not a set of records in the graph; ask the full question.' };
  if (a.ids.length === 0) return { reason: `This refers to the previous answer, but it found no ${describeLabel(a.label, 2)}; there is nothing to ask about.` };
  if (a.truncated) return { reason: `This refers to the previous answer, which has more ${describeLabel(a.label, 2)} than a follow-up can carry (${a.ids.length}); ask the full question.` };
  return { label: a.label, ids: a.ids, description: `the ${a.ids.length} ${describeLabel(a.label, a.ids.length)} from the previous answer` };
}

function singleReferent(previous: TurnFocus): { name: string; from: string } | { reason: string } {
  const a = previous.answer;
  if (a && a.ids.length === 1 && a.names[0]) return { name: a.names[0], from: 'the previous answer' };
  const names = [...new Set(previous.mentions.filter((m) => m.isName).map((m) => m.text))];
  if (names.length === 1) return { name: names[0]!, from: 'named in the previous question' };
  if (a && a.ids.length > 1) return { reason: `could be any of the ${a.ids.length} ${describeLabel(a.label, 2)} of the previous answer; name the one you mean.` };
  return { reason: 'has nothing in the previous turn to refer to; name who or what you mean.' };
}

/** "people" for a person-like label, else the label's words. */
function describeLabel(label: string, n: number): string {
  const words = label.replace(/^Kgrag_/, '').replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  if (words === 'person') return n === 1 ? 'person' : 'people';
  return n === 1 ? words : pluralOf(label);
}

async function ellipsis(fragment: string, previous: TurnFocus, groundFragment: FragmentGrounder, lang: 'en' | 'zh'): Promise<Resolution> {
  const frag = fragment.trim().replace(/[?？.。!！]+$/u, '').trim();
  const years = [...previous.question.matchAll(YEAR)].map((m) => m[1]!);
  const newYear = /^(\d{4})(?:\s*年)?(.*)$/u.exec(frag);
  if (newYear && has(newYear[1]!, YEAR)) {
    if (new Set(years).size !== 1) return { kind: 'decline', reason: `"${frag}" would replace a year of the previous question, which has ${years.length ? 'several' : 'none'}; ask the full question.` };
    if (newYear[2]!.trim() && !previous.question.includes(newYear[2]!.trim())) return { kind: 'decline', reason: `Could not tell how "${frag}" changes the previous question; ask the full question.` };
    return { kind: 'rewrite', question: previous.question.replaceAll(years[0]!, newYear[1]!), rule: `${newYear[1]} in place of ${years[0]} in the previous question` };
  }
  const found = await groundFragment(frag);
  // A name may hold the value the fragment stands for ("the Toronto office", 北京办公室 with 上海):
  // the parts of the previous question's names are looked up too, longest name first.
  const parts = async (): Promise<Mention[]> => {
    const out: Mention[] = [];
    for (const m of previous.mentions.filter((x) => x.isName)) {
      for (const part of subPhrases(m.text)) out.push(...(await groundFragment(part)).filter((g) => g.text === part));
    }
    return out;
  };
  // The fragment's value replaces the previous question's value of the same label and property,
  // else of the same label (a name for a name); an unmatched or doubly matched fragment is declined.
  const same = [(a: Mention, b: Mention) => a.label === b.label && a.property === b.property, (a: Mention, b: Mention) => a.label === b.label && a.isName && b.isName];
  for (const candidates of [async () => previous.mentions, parts]) {
    const olds = await candidates();
    for (const match of same) {
      const pairs = found.flatMap((f) => olds.filter((p) => match(f, p) && p.text.toLowerCase() !== f.text.toLowerCase()).map((p) => ({ f, p })));
      // A mention inside a longer one ("Atlas" in "Project Atlas") is the same reference.
      const texts = [...new Set(pairs.map((x) => x.p.text))];
      const outer = texts.filter((t) => !texts.some((u) => u !== t && u.toLowerCase().includes(t.toLowerCase())));
      if (outer.length === 1) {
        const { f, p } = pairs.find((x) => x.p.text === outer[0])!;
        const at = previous.question.toLowerCase().indexOf(p.text.toLowerCase());
        if (at < 0) continue;
        const question = previous.question.slice(0, at) + f.text + previous.question.slice(at + p.text.length);
        return { kind: 'rewrite', question, rule: `${f.text} in place of ${p.text} in the previous question` };
      }
      if (outer.length > 1) return { kind: 'decline', reason: `"${frag}" could replace ${outer.map((t) => `"${t}"`).join(' or ')} in the previous question; ask the full question.` };
    }
  }
  return {
    kind: 'decline',
    reason: lang === 'zh' ? `无法确定"${frag}"替换上一个问题中的哪一部分,请完整地提问。` : `Could not tell what "${frag}" replaces in the previous question; ask the full question.`,
  };
}

/** The shorter phrases inside a name: its word runs in English, its substrings of two or more characters in Chinese. */
function subPhrases(name: string): string[] {
  if (HAN.test(name)) {
    const chars = [...name];
    if (chars.length > 8) return [];
    const out: string[] = [];
    for (let len = chars.length - 1; len >= 2; len--) for (let i = 0; i + len <= chars.length; i++) out.push(chars.slice(i, i + len).join(''));
    return out;
  }
  const words = name.split(/\s+/);
  if (words.length > 5) return [];
  const out: string[] = [];
  for (let len = words.length - 1; len >= 1; len--) for (let i = 0; i + len <= words.length; i++) out.push(words.slice(i, i + len).join(' '));
  return out;
}
