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
import { ZH_WORDS, arabicNumerals, isFinishedState, type ZhKind } from './lexicon.ts';
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
      // "被云杉数据": the aspect and passive markers belong to states ("已阻塞"), never to names.
      const marker = /^(已经|已|被)/.exec(phrase)?.[0];
      return !/^[\d.,\s]+$/.test(phrase) && !(marker && v.isName && !v.value.startsWith(marker));
    }),
  );
  const tokens = generalWords(lex(text, values), catalog);
  const english = assemble(tokens, catalog);
  const unknown = tokens.filter((t) => t.kind === 'unknown' || t.kind === 'open').map((t) => t.text);
  return { english, unknown, tokens };
}

/**
 * A stored value that is also a general word ("客户" as a company category) is a value only when
 * another word of the question names its label ("哪些公司是客户"); otherwise the general word it is
 * ("经理" is the relationship, even if some title is "经理").
 */
function generalWords(tokens: ZhToken[], catalog: SchemaCatalog): ZhToken[] {
  return tokens.map((t) => {
    const word = t.kind === 'value' ? ZH_WORDS[t.text] : undefined;
    if (!word) return t;
    const labelNamed = tokens.some((o) => o !== t && o.kind === 'word' && labelOf(catalog, o.en)?.label === t.value!.label);
    return labelNamed ? t : { text: t.text, kind: word.kind, en: word.en };
  });
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
      // The stored form goes on ("受阻" said, "已阻塞" stored), so that the English grounding finds it again.
      push({ text: text.slice(v.start, v.end), kind: 'value', en: `"${v.value.replace(/"/g, '')}"`, value: v });
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

/** The catalog label an English gloss names (as the English grounding would match it). */
function labelOf(catalog: SchemaCatalog, en: string): SchemaCatalog['labels'][number] | undefined {
  const words = en.split(' ');
  const last = stem(words[words.length - 1]!);
  return catalog.labels.find((l) => {
    if (l.label === 'Entity') return false;
    const lw = nameWords(l.label);
    return synonymsOf(stem(lw[lw.length - 1]!)).includes(last);
  });
}

function namesLabel(catalog: SchemaCatalog, en: string): boolean {
  return labelOf(catalog, en) !== undefined;
}

/**
 * What the head noun's label makes of some words: "最年轻" of a label with a birth date is the
 * latest birth date; "逾期" leaves out the label's finished states ("已完成"), which the English
 * reading only knows in English.
 */
function forLabel(T: ZhToken[], label: SchemaCatalog['labels'][number] | undefined): string {
  if (!label) return '';
  const birth = label.properties.find((p) => nameWords(p.name).includes('birth'));
  for (const [i, t] of T.entries()) {
    if (birth && t.kind === 'super' && (t.en === 'youngest' || t.en === 'oldest')) t.en = t.en === 'youngest' ? 'latest birth date' : 'earliest birth date';
    // "年龄最大": the greatest age is the earliest birth date.
    const age = birth && t.en === 'age' ? T.slice(i + 1, i + 3).find((x) => x.kind === 'super') : undefined;
    if (age && ['largest', 'highest', 'most', 'smallest', 'lowest', 'fewest'].includes(age.en)) {
      age.en = ['largest', 'highest', 'most'].includes(age.en) ? 'earliest' : 'latest';
      t.en = 'birth date';
    }
  }
  if (!T.some((t) => t.en === 'overdue')) return '';
  const finished = label.properties.flatMap((p) => p.samples.filter((v): v is string => typeof v === 'string' && isFinishedState(v)));
  return [...new Set(finished)].map((v) => `not "${v}"`).join(' ');
}

/**
 * A verb with several English readings ("负责": lead a project, be responsible for a task) keeps
 * the readings whose relationship type connects most of the labels the question names.
 */
function relationReadings(catalog: SchemaCatalog, en: string, labels: Set<string>): string {
  const readings = en.split('|');
  if (readings.length === 1) return en;
  const fit = (reading: string) => {
    const w = stem(reading.split(' ')[0]!);
    const rels = catalog.relationships.filter((r) => nameWords(r.type).map(stem).some((x) => synonymsOf(x).includes(w)));
    return Math.max(-1, ...rels.map((r) => (labels.has(r.from) ? 1 : 0) + (labels.has(r.to) && r.to !== r.from ? 1 : 0)));
  };
  const scored = readings.map((r) => ({ r, s: fit(r) }));
  const best = Math.max(...scored.map((x) => x.s));
  return best < 0 ? readings[0]! : scored.filter((x) => x.s === best).map((x) => x.r).join(' ');
}

/** "张伟的下属": the people related to a named one, said the way the English parser reads it ("employees report to 张伟"). */
function relationalNouns(T: ZhToken[]): ZhToken[] {
  const out = [...T];
  const i = out.findIndex((t) => RELATIONAL_NOUNS[t.text]);
  if (i < 0) return out;
  // The one named before it is whose they are ("张伟的下属", "张伟有几个下属").
  const owners = out.slice(0, i).map((t, j) => (t.kind === 'value' && t.value!.isName ? j : -1)).filter((j) => j >= 0);
  if (owners.length !== 1) return out;
  const rel = RELATIONAL_NOUNS[out[i]!.text]!;
  const owner = out[owners[0]!]!;
  out.splice(i, 1, { text: out[i]!.text, kind: 'word', en: rel.head }, { text: out[i]!.text, kind: 'word', en: rel.verb }, owner);
  out.splice(owners[0]!, 1);
  return out;
}

/** Nouns that name people by their relationship to someone: the head they stand for and the relationship. */
const RELATIONAL_NOUNS: Record<string, { head: string; verb: string }> = {
  下属: { head: 'employees', verb: 'report to' },
  直接下属: { head: 'employees', verb: 'report to' },
  手下: { head: 'employees', verb: 'report to' },
  团队成员: { head: 'employees', verb: 'report to' },
};

function assemble(all: ZhToken[], catalog: SchemaCatalog): string {
  const named = new Set(all.flatMap((t) => (t.kind === 'value' ? [t.value!.label] : t.kind === 'word' ? [labelOf(catalog, t.en)?.label ?? ''] : [])).filter(Boolean));
  for (const t of all) if (t.kind === 'word') t.en = relationReadings(catalog, t.en, named);
  // 前 before a number is "top"; 前N名 keeps its classifier out.
  const T: ZhToken[] = [];
  const words = relationalNouns(all);
  for (let i = 0; i < words.length; i++) {
    const t = words[i]!;
    if (t.text === '前' && words[i + 1]?.kind === 'number') {
      T.push({ text: '前', kind: 'top', en: `top ${words[i + 1]!.en}` });
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
  let kind: 'count' | 'which' | 'who' | 'what' | 'when' | 'how long' | 'list' | 'check' =
    !q ? (T.some((t) => t.kind === 'list') ? 'list' : T.some((t) => PARTICLES_QUESTION.has(t.text)) ? 'check' : 'list')
    : q.en === 'how many' ? 'count' : (q.en as 'which' | 'who' | 'what' | 'when' | 'how long');
  // "是多少" asks for a value ("平均工资是多少"), "有多少 / 多少名员工" for a count.
  if (kind === 'count' && prevQ >= 0 && ['是', '为'].includes(T[prevQ]!.text) && !isLabel(T[nextQ])) kind = 'what';

  // "多少预估工时": how many of a quantity is its sum over the head noun's nodes.
  let quantity: string | undefined;
  if (kind === 'count' && T[nextQ]?.kind === 'word' && !isLabel(T[nextQ]) && nextQ === qIdx + 1) {
    quantity = T[nextQ]!.en;
    T[nextQ] = { ...T[nextQ]!, kind: 'drop' };
  }
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
  // "在公司工作了多少年": how long someone has worked is counted from when they were employed.
  if (kind === 'how long') for (const t of T) if (t.kind === 'word' && ['work', 'joined'].includes(t.en)) t.en = 'employed';
  const skip = new Set<number>([qIdx, target].filter((i) => i >= 0));
  const extra = forLabel(T, target >= 0 ? labelOf(catalog, T[target]!.en) : undefined);
  const rest = `${render(T, skip, isLabel)} ${extra}`.trim();
  const head = target >= 0 ? T[target]!.en : '';
  const front =
    kind === 'count' ? `how many${quantity ? ` ${quantity}` : ''}`
    : kind === 'which' ? 'which'
    : kind === 'who' ? (head ? 'who are' : 'who')
    : kind === 'what' ? 'what is'
    : kind === 'when' ? 'when'
    : kind === 'how long' ? 'how long'
    : kind === 'check' ? (rest.includes('"') ? 'is' : 'are there')
    : 'list';
  // A value right after the head would read as part of its name ("companies 云杉数据" = the company 云杉数据).
  const joiner = head && !objectPos && rest.startsWith('"') ? 'that' : '';
  return [front, topN, head, objectPos ? 'does' : '', joiner, rest].filter(Boolean).join(' ').replace(/\s+/g, ' ').trim() + '?';
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
      case 'open':
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
        // "被云杉数据收购": the agent is the subject ("was 云杉数据 acquired"), which is how the English reading tells the direction.
        if (t.text === '被' || t.text === '由') out.push('was', ...inner, T[v]!.en);
        else out.push(T[v]!.en, t.en, ...inner);
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
