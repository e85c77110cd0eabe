/**
 * Words, not schemas: how English names the things a graph stores. The parser compares question
 * words with label, property and relationship-type names through these helpers, so nothing here
 * knows any particular graph. Synonyms are general English (an "employee" is a kind of person, to
 * "earn" is about salary), never names from one dataset.
 */
import { compromise } from '../nlp.ts';

export interface Token {
  /** Lower-cased surface form. */
  text: string;
  /** Original surface form. */
  raw: string;
  stem: string;
  index: number;
  /** Character offsets in the question. */
  start: number;
  end: number;
  quoted?: boolean;
}

const STOPWORDS = new Set(
  (
    'a an the of in on at to for by with from and but or is are was were be been being do does did has have had ' +
    'what which who whom whose when where how why that this these those there their them they it its ' +
    'me my our we you your i all any each every some than then as into about across per via s'
  ).split(' '),
);

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word);
}

/**
 * The dictionary form of a word: plural nouns singular ("movies" → movie, "people" → person,
 * "categories" → category), verb forms to the infinitive ("wrote" → write, "ran" → run), by
 * compromise's lexicon and inflection rules. Cached: schema names and question words repeat.
 */
export function lemma(word: string): string {
  const w = word.toLowerCase();
  let out = LEMMAS.get(w);
  if (out === undefined) {
    // compromise loads on the first word the table lacks (the CLI seeds it from disk: lemma-cache.ts).
    const doc = compromise()(w);
    doc.compute('root');
    const root = doc.text('root').trim();
    // One word in, one word out; compromise leaves unknown words as they are.
    out = root && !/\s/.test(root) ? root : w;
    if (LEMMAS.size < 50_000) LEMMAS.set(w, out);
  }
  return out;
}
const LEMMAS = new Map<string, string>();

/** The lemmas computed so far: what a process hands to the next (lemma-cache.ts). */
export function lemmaTable(): ReadonlyMap<string, string> {
  return LEMMAS;
}

/** Adds lemmas computed by an earlier process with the same lemma() and compromise (lemma-cache.ts checks). */
export function seedLemmas(entries: Iterable<[string, string]>): void {
  for (const [word, root] of entries) if (LEMMAS.size < 50_000 && typeof word === 'string' && typeof root === 'string') LEMMAS.set(word, root);
}

/**
 * The lemma, then a light suffix stemmer over it: good enough to meet "hired" with hireDate,
 * "tasks" with Task, "movies" with Movie and "categories" with Category. (Porter would merge more
 * but also mangles names.)
 */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/[’']s$/, '');
  if (w.length <= 3) return w;
  const irregular = IRREGULAR[w];
  // "wrote" meets "write" (and WROTE): an irregular form stems as its base word does.
  if (irregular) return IRREGULAR[irregular] !== undefined ? finalY(irregular) : stem(irregular);
  if (/^[a-z]+$/.test(w)) w = lemma(w);
  if (w.length <= 3) return w;
  if (w.endsWith('ies') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (/(ches|shes|sses|xes|zes)$/.test(w)) w = w.slice(0, -2);
  else if (w.endsWith('s') && !/(ss|us|is)$/.test(w)) w = w.slice(0, -1);
  if (w.endsWith('ied') && w.length > 4) w = w.slice(0, -3) + 'y';
  else if (w.endsWith('ed') && w.length > 4) w = undouble(w.slice(0, -2));
  else if (w.endsWith('ing') && w.length > 5) w = undouble(w.slice(0, -3));
  if (w.endsWith('ly') && w.length > 5) w = w.slice(0, -2);
  if (w.endsWith('e') && w.length > 3) w = w.slice(0, -1);
  return finalY(w);
}

/**
 * A final y as i: a plural in -ies is a noun in -y ("categories") or in -ie ("movies",
 * "smoothies"), and no lemmatiser knows every noun; "category" → categori and "smoothie" →
 * smoothi meet their plurals either way.
 */
function finalY(w: string): string {
  return w.length > 3 && w.endsWith('y') ? `${w.slice(0, -1)}i` : w;
}

function undouble(w: string): string {
  return /([bdfgmnprt])\1$/.test(w) ? w.slice(0, -1) : w;
}

const IRREGULAR: Record<string, string> = {
  people: 'person',
  persons: 'person',
  men: 'man',
  women: 'woman',
  children: 'child',
  led: 'lead',
  paid: 'pay',
  bought: 'buy',
  sold: 'sell',
  made: 'make',
  wrote: 'write',
  written: 'write',
  began: 'begin',
  begun: 'begin',
  held: 'hold',
  ran: 'run',
  // (A stem of its own: "employee" is not "employ".)
  employe: 'employe',
  employees: 'employe',
  employee: 'employe',
  employed: 'employ',
  employes: 'employe',
};

/** Splits camelCase, snake_case and UPPER_SNAKE names into lower-case words. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/**
 * General synonyms, keyed by the stem of a word as it appears in schema names; each lists stems a
 * question may use instead. Kept small and generic on purpose.
 */
const SYNONYMS: Record<string, string[]> = {
  person: ['employe', 'staff', 'worker', 'colleague', 'people', 'individual', 'member', 'who', 'someone', 'user'],
  organization: ['company', 'compani', 'firm', 'organisation', 'business', 'corporation', 'vendor', 'client', 'customer', 'competitor', 'partner'],
  company: ['organization', 'organisation', 'firm', 'business'],
  salary: ['earn', 'pay', 'paid', 'wage', 'compensation', 'payroll', 'salary', 'make'],
  hire: ['join', 'start', 'employ', 'recruit', 'hire'],
  price: ['cost', 'expensive', 'cheap', 'priced'],
  estimate: ['effort', 'estimat', 'hour'],
  budget: ['funding', 'budget'],
  found: ['establish', 'create', 'old', 'founded'],
  due: ['deadline', 'due'],
  office: ['location', 'site'],
  desk: ['seat', 'capacity'],
  title: ['role', 'position', 'job'],
  level: ['grade', 'seniority'],
  remote: ['remot', 'remotely', 'home'],
  lead: ['led', 'head', 'run', 'own', 'leader', 'ceo', 'chief', 'owner'],
  report: ['manag', 'manager', 'boss', 'supervis', 'subordinat', 'report', 'team'],
  assign: ['assigne', 'responsibl', 'own', 'work'],
  work: ['employ', 'job', 'base', 'based'],
  depend: ['block', 'wait', 'prerequisit', 'depend'],
  client: ['customer', 'account', 'for'],
  acquir: ['buy', 'bought', 'purchas', 'acquisit', 'acquir'],
  purchas: ['buy', 'bought', 'order', 'placed'],
  order: ['purchas', 'buy', 'bought', 'ordered'],
  suppli: ['provid', 'supply', 'sell', 'supplier', 'suppli'],
  categor: ['type', 'kind', 'group', 'categori'],
  part: ['in', 'belong', 'categor', 'on'],
  unit: ['item'],
  stock: ['inventory', 'stock'],
  status: ['state'],
  count: ['headcount', 'number'],
  employe: ['headcount', 'staff'],
  quantity: ['amount', 'units', 'many'],
  discount: ['discount', 'reduction'],
  freight: ['shipping', 'freight'],
  ship: ['deliver', 'send', 'sent', 'shipped'],
  // To act is to play a part: "starred in", "the cast of".
  act: ['star', 'play', 'cast', 'appear'],
  movie: ['film', 'picture'],
  film: ['movie', 'picture'],
};

/** Synonym lists keyed by the stem of their key; each list holds the words and their stems. Built on first use (after the lemma table is seeded). */
let SYNONYM_STEMS: Map<string, string[]> | undefined;
function synonymStems(): Map<string, string[]> {
  if (SYNONYM_STEMS) return SYNONYM_STEMS;
  const stems = new Map<string, string[]>();
  for (const [key, words] of Object.entries(SYNONYMS)) {
    for (const k of new Set([key, stem(key)])) {
      stems.set(k, [...new Set([...(stems.get(k) ?? []), ...words, ...words.map(stem)])]);
    }
  }
  return (SYNONYM_STEMS = stems);
}

/** Stems that may stand for the schema word with stem `s` (including itself). */
export function synonymsOf(s: string): string[] {
  return [s, ...(synonymStems().get(s) ?? [])];
}

/** Value words and the stored values they usually mean (status vocabularies). */
export const VALUE_SYNONYMS: Record<string, string[]> = {
  completed: ['finished', 'done', 'complete', 'closed', 'resolved'],
  'in progress': ['ongoing', 'underway', 'in-progress'],
  active: ['current', 'currently', 'running', 'live'],
  blocked: ['stuck'],
  open: ['pending', 'todo', 'to do'],
  'on hold': ['paused', 'suspended'],
  planned: ['upcoming', 'future'],
};

/** Words that negate the value or relation right after them. */
export const NEGATIONS = new Set(['not', 'no', 'non', 'without', "isn't", "aren't", "don't", "doesn't", 'never', 'yet']);

/** Words of a person ("who"): labels with these stems take "who" questions. */
export const PERSON_LABEL_STEMS = new Set(['person', 'employe', 'user', 'people', 'author', 'actor', 'member', 'customer', 'contact', 'staff', 'individual']);

export const NUMBER_WORDS: Record<string, number> = {
  zero: 0, one: 1, two: 2, three: 3, four: 4, five: 5, six: 6, seven: 7, eight: 8, nine: 9, ten: 10,
  eleven: 11, twelve: 12, fifteen: 15, twenty: 20, single: 1, first: 1, second: 2, third: 3,
};

const TOKEN_RE = /"([^"]+)"|'((?:[^']|'(?=[A-Za-z]))+)'|“([^”]+)”|‘([^’]+)’|(\$?\d[\d,]*(?:\.\d+)?(?:\s+(?:thousand|million|billion)\b|[kKmM]\b|%)?(?:-\d{2}-\d{2})?)|([A-Za-z][A-Za-z0-9]*(?:[-'’][A-Za-z0-9]+)*)/g;

/** Tokens of a question; quoted phrases stay one token. */
export function tokenize(question: string): Token[] {
  const tokens: Token[] = [];
  for (const m of question.matchAll(TOKEN_RE)) {
    const quoted = m[1] ?? m[2] ?? m[3] ?? m[4];
    // An apostrophe inside a word ("Globex's") is not a quote: only take quotes that open a word.
    if (quoted !== undefined && m[0][0] === "'" && m.index! > 0 && /\w/.test(question[m.index! - 1]!)) {
      continue;
    }
    const raw = quoted ?? m[0];
    const text = raw.toLowerCase().replace(/[’']s$/, '');
    tokens.push({
      text,
      raw,
      // "IPs", "SKUs": the plural of an acronym.
      stem: quoted !== undefined ? text : /^[A-Z]{2,}s$/.test(raw) ? stem(text.slice(0, -1)) : stem(text),
      index: tokens.length,
      start: m.index!,
      end: m.index! + m[0].length,
      quoted: quoted !== undefined || undefined,
    });
  }
  return tokens;
}

/** A number in a token: "200,000", "$1.2M", "40", "1.5k", "three". */
export function parseNumber(token: Token): number | undefined {
  if (token.quoted) return undefined;
  const word = NUMBER_WORDS[token.text];
  if (word !== undefined && !['first', 'second', 'third', 'single'].includes(token.text)) return word;
  // "$2 million", "1.5 billion": a number word scales the number before it (one token).
  const m = /^\$?(\d[\d,]*(?:\.\d+)?)(?:\s+(thousand|million|billion)|([km]))?$/i.exec(token.text);
  if (!m) return undefined;
  const n = Number(m[1]!.replace(/,/g, ''));
  if (!Number.isFinite(n)) return undefined;
  const unit = (m[2] ?? m[3] ?? '').toLowerCase();
  const scale = ({ k: 1e3, thousand: 1e3, m: 1e6, million: 1e6, billion: 1e9 } as Record<string, number>)[unit] ?? 1;
  return n * scale;
}

/** An ISO date token ("2025-06-01"). */
export function parseIsoDate(token: Token): string | undefined {
  return /^\d{4}-\d{2}-\d{2}$/.test(token.text) ? token.text : undefined;
}

export const MONTHS = [
  'january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december',
];

/** Edit distance at most 1 (or 2 for long words): tolerates typos in names. */
export function closeEnough(a: string, b: string): boolean {
  if (a === b) return true;
  const budget = Math.max(a.length, b.length) >= 8 ? 2 : a.length >= 5 ? 1 : 0;
  if (budget === 0 || Math.abs(a.length - b.length) > budget) return false;
  // Banded Levenshtein.
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]! <= budget;
}

/**
 * Words that shape a question without naming anything in the graph. Any other word the parser
 * could not place makes a structured answer suspect ("What is John Doe's phone number?").
 */
export const FUNCTION_WORDS = new Set(
  (
    'how many much long which what who whom whose list show name names find give get tell display identify return ' +
    'count number total sum average mean avg highest lowest maximum minimum max min largest smallest biggest greatest most least ' +
    'fewest top first last rank ranked order sort sorted descending ascending newest oldest latest earliest recent recently ' +
    'there currently still yet exactly also both each every per including inclusive here overall combined all not no never ' +
    'more less than over under above below between before after since during within up fewer greater higher lower larger bigger ' +
    'equal equals least at or and on in currently now today ago years year days day months month weeks week next past previous coming ' +
    'please can could would should will shall may might does do did done is are was were be been being has have had ' +
    'other another someone anyone something thing things one ones whole entire knowledge base graph database record records ' +
    'across among along first second third lead based want know many indirect indirectly direct directly overdue late ' +
    'left until remaining scheduled longest shortest counting skip-level chain ' +
    'located provide provides provided providing include includes included including associated involving involved ' +
    'specified available details detail value values used made applied option method terms specification listed having ' +
    'exist exists existing placed containing contain contains named called known recorded registered information info ' +
    'respective respectively corresponding their its along together given rate rates charge charges fee fees ' +
    'distinct different unique id ids identifier identifiers node nodes system through upon got gotten'
  ).split(' '),
);
