/**
 * A Chinese question, read by Chinese grammar into the English question form the semantic parser
 * already maps onto the schema: the head noun (the label asked about) comes first after the
 * question word, modifiers before 的 follow it, postpositions ("2023年之后") become prepositions
 * ("after 2023"), a coverb phrase ("向张伟汇报") becomes verb + preposition ("report to 张伟"), and a
 * question word in object position ("张伟负责哪些项目") is fronted with "does". Values and names are
 * looked up in the graph and passed on quoted, exactly as written; every other word goes through
 * the general lexicon. A word that is neither is reported, so the parse is not trusted.
 */
import type { SchemaCatalog } from '../../graph/catalog.ts';
import type { GraphExecutor } from '../../graph/executor.ts';
import { MONTHS, nameWords, stem, synonymsOf } from '../lexicon.ts';
import { ZH_WORDS, arabicNumerals, type ZhKind } from './lexicon.ts';
import { segment } from './segment.ts';
import { findValues, longestFirst, type FoundValue } from './values.ts';

export interface ZhToken {
  text: string;
  kind: ZhKind | 'value' | 'number' | 'time' | 'latin' | 'unknown' | 'top';
  en: string;
  value?: FoundValue;
  /** time: year, month or day precision (for "before"/"after" a month). */
  time?: { year: number; month?: number; day?: number };
}

export interface Translation {
  /** The question as the English parser reads it. */
  english: string;
  /** Chinese words that are neither values of the graph nor general words: the parse is not trusted. */
  unknown: string[];
  tokens: ZhToken[];
}

const PARTICLES_QUESTION = new Set(['吗', '么']);
const TIME_RE = /(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]|(\d{4})-(\d{1,2})-(\d{1,2})|(\d{4})\s*年\s*(\d{1,2})\s*月份?|(\d{4})\s*年(?:度)?/y;
const NUMBER_RE = /(\d+(?:[.,]\d+)*)\s*(万|千|[kK])?\s*(?:元|美元|块|人民币|刀)?\s*(小时)?/y;
const LATIN_RE = /[A-Za-z][A-Za-z0-9&'’.-]*[A-Za-z0-9]|[A-Za-z]/y;

export async function translateQuestion(db: GraphExecutor, catalog: SchemaCatalog, question: string, opts: { collections: string[] | null; timeoutMs?: number }): Promise<Translation> {
  const text = arabicNumerals(question.normalize('NFKC'));
  // One-character words jieba leaves alone may be stored values ("高" priority).
  const singles = hanWordSpans(text).filter((s) => s.end - s.start === 1 && !ZH_WORDS[text.slice(s.start, s.end)]);
  const values = longestFirst(
    (await findValues(db, catalog, text, { ...opts, singles })).filter((v) => {
      const phrase = text.slice(v.start, v.end);
      // A general word is read as such ("经理" is the relationship, even if some title is "经理"); bare numbers are numbers.
      return !ZH_WORDS[phrase] && !/^[\d.,\s]+$/.test(phrase);
    }),
  );
  const tokens = lex(text, values);
  const english = assemble(tokens, catalog);
  const unknown = tokens.filter((t) => t.kind === 'unknown').map((t) => t.text);
  return { english, unknown, tokens };
}

/** Character spans of jieba's words in the Han runs of `text`. */
function hanWordSpans(text: string): Array<{ start: number; end: number }> {
  const out: Array<{ start: number; end: number }> = [];
  for (const m of text.matchAll(/\p{Script=Han}+/gu)) {
    let at = m.index;
    for (const w of segment(m[0])) {
      const i = text.indexOf(w, at);
      if (i < 0) continue;
      out.push({ start: i, end: i + w.length });
      at = i + w.length;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Words

function lex(text: string, values: FoundValue[]): ZhToken[] {
  const tokens: ZhToken[] = [];
  let i = 0;
  const push = (t: ZhToken) => tokens.push(t);
  while (i < text.length) {
    const v = values.find((x) => x.start === i);
    if (v) {
      push({ text: text.slice(v.start, v.end), kind: 'value', en: `"${text.slice(v.start, v.end).replace(/"/g, '')}"`, value: v });
      i = v.end;
      continue;
    }
    const c = text[i]!;
    if (/[\d]/.test(c)) {
      TIME_RE.lastIndex = i;
      const t = TIME_RE.exec(text);
      if (t) {
        const year = Number(t[1] ?? t[4] ?? t[7] ?? t[9]);
        const month = t[2] ?? t[5] ?? t[8];
        const day = t[3] ?? t[6];
        const time = { year, ...(month ? { month: Number(month) } : {}), ...(day ? { day: Number(day) } : {}) };
        push({ text: t[0], kind: 'time', en: String(year), time });
        i += t[0].length;
        continue;
      }
      NUMBER_RE.lastIndex = i;
      const n = NUMBER_RE.exec(text)!;
      const scale = n[2] === '万' ? 10_000 : n[2] === '千' || n[2]?.toLowerCase() === 'k' ? 1000 : 1;
      const value = Number(n[1]!.replace(/,/g, '')) * scale;
      push({ text: n[0], kind: 'number', en: `${value}${n[3] ? ' hours' : ''}` });
      i += n[0].length;
      continue;
    }
    if (/[A-Za-z]/.test(c)) {
      LATIN_RE.lastIndex = i;
      const m = LATIN_RE.exec(text)!;
      push({ text: m[0], kind: 'latin', en: m[0] });
      i += m[0].length;
      continue;
    }
    if (/\p{Script=Han}/u.test(c)) {
      let end = i;
      while (end < text.length && /\p{Script=Han}/u.test(text[end]!) && !values.some((x) => x.start === end)) end++;
      for (const w of segment(text.slice(i, end))) tokens.push(...lexWord(w));
      i = end;
      continue;
    }
    i++;
  }
  return mergeUnknown(tokens);
}

/** A jieba word through the lexicon; a word it does not know is split into the longest known words it holds. */
function lexWord(w: string): ZhToken[] {
  const known = ZH_WORDS[w];
  if (known) return [{ text: w, kind: known.kind, en: known.en }];
  const out: ZhToken[] = [];
  let i = 0;
  while (i < w.length) {
    let len = Math.min(6, w.length - i);
    while (len > 0 && !ZH_WORDS[w.slice(i, i + len)]) len--;
    if (len === 0) {
      out.push({ text: w[i]!, kind: 'unknown', en: '' });
      i++;
      continue;
    }
    const part = w.slice(i, i + len);
    out.push({ text: part, kind: ZH_WORDS[part]!.kind, en: ZH_WORDS[part]!.en });
    i += len;
  }
  // A word that splits into mostly unknown characters stays one unknown word.
  return out.filter((t) => t.kind === 'unknown').length * 2 > w.length ? [{ text: w, kind: 'unknown', en: '' }] : out;
}

function mergeUnknown(tokens: ZhToken[]): ZhToken[] {
  const out: ZhToken[] = [];
  for (const t of tokens) {
    const last = out[out.length - 1];
    if (t.kind === 'unknown' && last?.kind === 'unknown') last.text += t.text;
    else out.push({ ...t });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Sentence

/** Whether an English gloss names a label of the catalog (as the English grounding would match it). */
function namesLabel(catalog: SchemaCatalog, en: string): boolean {
  const words = en.split(' ');
  const last = stem(words[words.length - 1]!);
  return catalog.labels.some((l) => {
    if (l.label === 'Entity') return false;
    const lw = nameWords(l.label);
    return synonymsOf(stem(lw[lw.length - 1]!)).includes(last);
  });
}

function assemble(all: ZhToken[], catalog: SchemaCatalog): string {
  // 前 before a number is "top"; 前N名 keeps its classifier out.
  const T: ZhToken[] = [];
  for (let i = 0; i < all.length; i++) {
    const t = all[i]!;
    if (t.text === '前' && all[i + 1]?.kind === 'number') {
      T.push({ text: '前', kind: 'top', en: `top ${all[i + 1]!.en}` });
      i++;
      continue;
    }
    T.push(t);
  }
  const isLabel = (t: ZhToken | undefined) => !!t && t.kind === 'word' && namesLabel(catalog, t.en);
  const significant = (i: number, step: 1 | -1, skip = (t: ZhToken) => t.kind === 'drop' && !['是', '有', '为'].includes(t.text)): number => {
    let j = i + step;
    while (j >= 0 && j < T.length && (skip(T[j]!) || T[j]!.kind === 'number' && step === 1)) j += step;
    return j >= 0 && j < T.length ? j : -1;
  };
  // A label word right beside a name of that label belongs to the name ("Atlas项目").
  const partOfName = (i: number) =>
    [T[i - 1], T[i + 1]].some((n) => n?.kind === 'value' && n.value!.isName && namesLabel(catalog, T[i]!.en) && synonymsOf(stem(nameWords(n.value!.label).pop()!)).includes(stem(T[i]!.en.split(' ').pop()!)));

  const qIdx = T.findIndex((t) => t.kind === 'q');
  const q = qIdx >= 0 ? T[qIdx]! : undefined;
  const prevQ = qIdx >= 0 ? significant(qIdx, -1) : -1;
  const nextQ = qIdx >= 0 ? significant(qIdx, 1, (t) => t.kind === 'drop') : -1;
  let kind: 'count' | 'which' | 'who' | 'what' | 'when' | 'list' | 'check' =
    !q ? (T.some((t) => t.kind === 'list') ? 'list' : T.some((t) => PARTICLES_QUESTION.has(t.text)) ? 'check' : 'list')
    : q.en === 'how many' ? 'count' : (q.en as 'which' | 'who' | 'what' | 'when');
  // "是多少" asks for a value ("平均工资是多少"), "有多少 / 多少名员工" for a count.
  if (kind === 'count' && prevQ >= 0 && ['是', '为'].includes(T[prevQ]!.text) && !isLabel(T[nextQ])) kind = 'what';

  // The head noun: after the question word, or right before "有/是 + question word", or the last noun not followed by 的.
  let target = -1;
  if (q && isLabel(T[nextQ]) && !partOfName(nextQ) && kind !== 'what') target = nextQ;
  if (target < 0 && q) {
    let j = qIdx - 1;
    while (j >= 0 && (T[j]!.kind === 'drop' || T[j]!.kind === 'number')) j--;
    if (j >= 0 && isLabel(T[j]) && !partOfName(j) && T.slice(j + 1, qIdx).some((t) => ['是', '有', '为'].includes(t.text) || t.kind === 'number')) target = j;
  }
  if (target < 0 && kind !== 'who' && kind !== 'what' && kind !== 'check') {
    const labels = T.map((t, i) => (isLabel(t) && !partOfName(i) ? i : -1)).filter((i) => i >= 0);
    const heads = labels.filter((i) => T[i + 1]?.text !== '的');
    target = heads.length ? heads[heads.length - 1]! : labels.length ? labels[labels.length - 1]! : -1;
  }

  // Object position: the question word right after a verb or coverb ("张伟负责哪些项目", "张伟向谁汇报").
  const objectPos = q !== undefined && prevQ >= 0 && (T[prevQ]!.kind === 'coverb' || (T[prevQ]!.kind === 'word' && !isLabel(T[prevQ]))) && T.slice(0, prevQ).some((t) => t.kind === 'value' || t.kind === 'latin');
  // "工资最高的3名员工": a number before the head noun in a ranking is how many.
  const superlative = T.some((t) => t.kind === 'super');
  let topN: string | undefined;
  if (target >= 0 && superlative) {
    let j = target - 1;
    while (j >= 0 && T[j]!.kind === 'drop') j--;
    if (j >= 0 && T[j]!.kind === 'number') {
      topN = `top ${T[j]!.en}`;
      T[j] = { ...T[j]!, kind: 'drop' };
    }
  }
  const skip = new Set<number>([qIdx, target].filter((i) => i >= 0));
  const rest = render(T, skip, isLabel);
  const head = target >= 0 ? T[target]!.en : '';
  const front =
    kind === 'count' ? 'how many'
    : kind === 'which' ? 'which'
    : kind === 'who' ? (head ? 'who are' : 'who')
    : kind === 'what' ? 'what is'
    : kind === 'when' ? 'when'
    : kind === 'check' ? (rest.includes('"') ? 'is' : 'are there')
    : 'list';
  return [front, topN, head, objectPos ? 'does' : '', rest].filter(Boolean).join(' ').replace(/\s+/g, ' ').trim() + '?';
}

function timeText(t: ZhToken, op: string | undefined): string {
  const { year, month, day } = t.time!;
  const iso = (m: number, d: number) => `${year}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
  if (day !== undefined && month !== undefined) return `${op ?? 'on'} ${iso(month, day)}`;
  if (month !== undefined) {
    if (op === 'before') return `before ${iso(month, 1)}`;
    if (op === 'after') return `after ${iso(month, new Date(Date.UTC(year, month, 0)).getUTCDate())}`;
    if (op === 'since') return `since ${iso(month, 1)}`;
    return `in ${MONTHS[month - 1] ?? ''} ${year}`;
  }
  return `${op ?? 'in'} ${year}`;
}

/** The words after the head, in Chinese order, with postpositions, coverbs and superlatives put the English way. */
function render(T: ZhToken[], skip: Set<number>, isLabel: (t: ZhToken | undefined) => boolean): string {
  const out: string[] = [];
  const done = new Set(skip);
  const verbAt = (from: number, within: number) => {
    for (let j = from; j < Math.min(T.length, from + within); j++) {
      const t = T[j]!;
      if (done.has(j) && T[j]!.kind !== 'q') continue;
      if (t.kind === 'word' && !isLabel(t)) return j;
    }
    return -1;
  };
  for (let i = 0; i < T.length; i++) {
    if (done.has(i)) continue;
    const t = T[i]!;
    const next = T[i + 1];
    switch (t.kind) {
      case 'drop':
      case 'list':
      case 'unknown':
        break;
      case 'q':
        // A question word in object position is fronted; here it leaves nothing.
        break;
      case 'coverb': {
        const v = verbAt(i + 1, 5);
        if (v < 0) {
          out.push(t.en);
          break;
        }
        const inner: string[] = [];
        for (let j = i + 1; j < v; j++) {
          if (done.has(j)) continue;
          const x = T[j]!;
          if (x.kind === 'value' || x.kind === 'latin' || x.kind === 'word') inner.push(x.en);
          done.add(j);
        }
        out.push(T[v]!.en, t.en, ...inner);
        done.add(v);
        break;
      }
      case 'time':
      case 'number': {
        const post = next?.kind === 'post' ? next : undefined;
        const phrase = t.kind === 'time'
          ? timeText(t, post && ['before', 'after', 'since'].includes(post.en) ? post.en : undefined) + (post && !['before', 'after', 'since'].includes(post.en) ? ` ${post.en}` : '')
          : post ? (['or more', 'or less'].includes(post.en) ? `${t.en} ${post.en}` : `${post.en} ${t.en}`) : t.en;
        if (post) done.add(i + 1);
        // "2023年之后入职": the verb the time qualifies comes first in English.
        let k = i + (post ? 2 : 1);
        while (T[k]?.kind === 'drop' && T[k]!.text !== '的') k++;
        if (T[k]?.kind === 'word' && !isLabel(T[k]) && (t.kind === 'time' || post)) {
          out.push(T[k]!.en, phrase);
          done.add(k);
        } else out.push(phrase);
        break;
      }
      case 'word': {
        // "工资最高": the superlative goes before its property.
        if (next?.kind === 'super') {
          out.push(next.en, t.en);
          done.add(i + 1);
        } else out.push(t.en);
        break;
      }
      default:
        out.push(t.en);
    }
  }
  return out.join(' ');
}
