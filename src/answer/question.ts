import { builtinPatternSet } from '../extraction/offline/patterns.ts';
import { fineWords } from '../planner/zh/segment.ts';
import { containsName, isStopWord, stem, tokens } from '../retrieval/terms.ts';

/**
 * What an open question asks, in terms a sentence can be matched against: the names it gives,
 * the other content words (what is asked about those names), the kind of value expected, and
 * acronyms. Words are compared as stems, after role phrases ("chief executive officer" = "CEO")
 * and a few everyday equivalences ("born" / "birth") are brought to one form.
 */

export type AnswerType = 'person' | 'date' | 'place' | 'number' | 'reason' | 'any';

export interface QuestionAnalysis {
  /** Names the question gives (entities it names, capitalised phrases), as written. */
  names: string[];
  /** Stems of those names: they locate the topic but are not what is asked. */
  nameTerms: string[];
  /** Stems of the other content words: what is asked about the names. */
  askedTerms: string[];
  type: AnswerType;
  /** What a Chinese definition question asks about ("什么是X?" → X). */
  definiendum?: string;
  /** Terms of the noun a Chinese "X的Y是谁/是什么" asks for (Y): the answering sentence must say it. */
  headTerms?: string[];
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
  // Chinese: the same ideas in the words questions and passages use for them.
  ['创立', '创办', '创建', '创始', '创始人', '成立', '建立', '创立者'],
  ['收购', '并购', '买下', '购入'],
  ['优点', '优势', '好处', '长处', '益处'],
  ['缺点', '劣势', '不足', '短处', '局限'],
  ['营收', '收入', '营业收入', '销售额'],
  ['负责', '负责人', '主管', '牵头'],
  ['员工', '雇员', '职员', '人员'],
  ['工资', '薪资', '薪水', '薪酬'],
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

const HAN_RUN = /(\p{Script=Han}+)/u;
/**
 * Chinese function words and question words: how something is asked, not what about. One-character
 * words outside this list stay terms (names are often split into characters: 张|伟).
 */
const ZH_STOP_WORDS = new Set(
  (
    '的 了 是 在 有 和 与 及 或 也 都 就 而 被 把 给 对 从 向 为 以 于 其 之 这 那 个 些 吗 呢 吧 啊 么 着 过 得 地 所 等 将 会 能 可 可以 ' +
    '什么 如何 怎么 怎样 为什么 哪些 哪个 哪里 哪 谁 多少 几 是否 有没有 请问 请 一下 一个 一种 这个 那个 这些 那些 我们 你们 他们 它们 我 你 他 她 它 ' +
    '以及 并且 而且 或者 还是 因为 所以 但是 如果 虽然 然后 通过 进行 使用 具有 没有 不 也是 就是 还 又 很 更 最 已经 可能 需要'
  ).split(' '),
);

/** Terms of a text with Chinese in it: jieba words for the Han runs, English terms for the rest. */
function mixedTermsOf(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(HAN_RUN)) {
    if (!part) continue;
    if (HAN_RUN.test(part)) out.push(...fineWords(part).filter((w) => !ZH_STOP_WORDS.has(w)).map(equivalenceOf));
    else out.push(...termsOf(part));
  }
  return out;
}

/**
 * Comparable terms of `text`: folded tokens with role phrases replaced by their canonical form
 * (longest first), stop words dropped, stemmed, equivalent words merged. Chinese is segmented into
 * words first (Chinese has no spaces between them).
 */
export function termsOf(text: string): string[] {
  if (HAN_RUN.test(text)) return mixedTermsOf(text);
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
  // A Chinese name has no spaces around it: it is in the question when its characters are.
  for (const name of entityNames) {
    if (containsName(question, name)) names.add(name);
    else if (HAN_RUN.test(name)) {
      // A Chinese company is usually named without its legal form ("明德软件" for 明德软件有限公司).
      const short = name.trim().replace(/(股份有限公司|有限责任公司|有限公司|集团公司|集团|公司)$/, '');
      const found = [name.trim(), short].find((n) => n.length >= 2 && question.includes(n));
      if (found) names.add(found);
    }
  }
  // English names inside Chinese text end where the Chinese begins ("Spruce Data是哪家公司").
  for (const phrase of capitalisedPhrases(question.replace(/\p{Script=Han}+/gu, ' '))) names.add(phrase);
  // Keep the longest of overlapping names ("Project Atlas" over "Atlas").
  const kept = [...names].filter((n) => ![...names].some((o) => o.length > n.length && ` ${tokens(o).join(' ')} `.includes(` ${tokens(n).join(' ')} `)));
  const nameTerms = [...new Set(kept.flatMap((n) => termsOf(n)))];
  const words = tokens(question);
  const askedTerms = [...new Set(termsOf(question))].filter(
    (t) => !nameTerms.includes(t) && !TYPE_WORDS.has(t) && !words.some((w) => TYPE_WORDS.has(w) && equivalenceOf(stem(w)) === t),
  );
  const definiendum = /^\s*什么是(.+?)[?？\s]*$/.exec(question)?.[1] ?? /^\s*(.+?)是什么[?？\s]*$/.exec(question)?.[1];
  // "东方银行的行长是谁": the noun after the last 的, before the question's verb, is what is asked.
  const head = /的([^的]{1,8}?)(?:是|有|为|叫|在)[^的]*$/u.exec(question)?.[1];
  const headTerms = head && HAN_RUN.test(head) ? termsOf(head).filter((t) => askedTerms.includes(t)) : [];
  return {
    names: kept,
    nameTerms,
    askedTerms,
    type: answerType(question),
    ...(definiendum ? { definiendum: definiendum.trim() } : {}),
    ...(headTerms.length ? { headTerms } : {}),
  };
}

function answerType(question: string): AnswerType {
  if (HAN_RUN.test(question)) {
    if (/什么时候|何时|哪一?年|哪天|哪一天|几月|日期|时间是/.test(question)) return 'date';
    if (/多少|几[个名位家项年天次]?|多久|多长/.test(question)) return 'number';
    if (/哪里|在哪|何处|哪个城市|哪个国家/.test(question)) return 'place';
    if (/谁/.test(question)) return 'person';
    if (/为什么|为何|什么原因|原因是/.test(question)) return 'reason';
    return 'any';
  }
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
