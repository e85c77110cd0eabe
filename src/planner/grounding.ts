/**
 * Grounding: which words of a question name labels, properties, relationship types, stored values
 * or particular nodes of the live graph. Labels, properties and types come from the schema catalog;
 * values and names are looked up in the graph itself (bounded, parameterised, collection-scoped),
 * so a question can name any record, not only the catalog's samples.
 */
import { cypher } from '../graph/cypher.ts';
import { fillNames, type LabelInfo, type PropertyInfo, type RelationshipInfo, type SchemaCatalog } from '../graph/catalog.ts';
import { int, type GraphExecutor } from '../graph/executor.ts';
import { initialsOf, lookupInDictionary } from './value-dictionary.ts';
import { NEGATIONS, VALUE_SYNONYMS, closeEnough, isStopword, nameWords, stem, synonymsOf, tokenize, type Token } from './lexicon.ts';

/** Token range [start, end). */
export interface Span {
  start: number;
  end: number;
}

export interface LabelMention {
  label: string;
  span: Span;
  /** The word named a subset: nodes that have this property ("employees" → Person with employeeId). */
  subset?: string;
}

export interface PropertyMention {
  label: string;
  property: PropertyInfo;
  span: Span;
  /** Share of the property name's words the question used (1 = all). */
  score: number;
}

export interface ValueMention {
  label: string;
  property: string;
  value: string;
  span: Span;
  /** Nodes holding the value (element ids, capped) and how many there are. */
  ids: string[];
  count: number;
  /** Most relationships of one of those nodes (chunks not counted). */
  degree: number;
  /** The value is the node's display name or alias: the phrase names a node, not a filter. */
  isName: boolean;
  negated: boolean;
}

export interface RelationMention {
  type: string;
  span: Span;
  /** The word names the relationship from its far end ("manager" of REPORTS_TO). */
  inverse: boolean;
  /** The word is a role noun of the type's verb: its doer ("director" of DIRECTED) or its receiver ("employee" of EMPLOYS). */
  role?: 'agent' | 'patient';
}

export interface Grounding {
  question: string;
  tokens: Token[];
  labels: LabelMention[];
  properties: PropertyMention[];
  values: ValueMention[];
  relations: RelationMention[];
  /** Labels of the data graph the parser may use, with their catalog entries. */
  labelInfo: Map<string, LabelInfo>;
  relationships: RelationshipInfo[];
  /** Whether the graph is kgrag's (Entity umbrella label, bookkeeping properties). */
  kgrag: boolean;
}

/** Bookkeeping properties of kgrag entities: never what a question is about. */
const KGRAG_HIDDEN = new Set(['id', 'aliases', 'type', 'createdAt', 'updatedAt', 'created', 'updated', 'confidence']);
/** Words too generic to name a property on their own. */
const WEAK_WORDS = new Set(['id', 'name', 'type', 'date', 'number', 'value', 'at', 'is', 'has', 'of', 'usd', 'in', 'on', 'to', 'by']);
/** Relationship cue words that name the far end of a hierarchy relationship. */
const INVERSE_CUES = new Set(['manag', 'boss', 'supervis', 'manager']);

/** Head nouns English puts after the word of a value's kind ("IP address", "email address"). */
const HEAD_NOUNS = new Set(['address', 'addresses'].map(stem));
/** Head nouns of a measured quantity ("RAM capacity", "CPU power", "disk size", "memory usage"): numeric properties only. */
const MEASURE_NOUNS = new Set(['capacity', 'usage', 'power', 'size', 'sizes'].map(stem));

const MAX_PHRASE_TOKENS = 6;
const VALUE_SCAN = 200_000;
/** Node ids returned per matched value, at most. */
const MAX_IDS = 50;

export interface GroundOptions {
  collections: string[] | null;
  timeoutMs?: number;
}

export async function ground(db: GraphExecutor, catalog: SchemaCatalog, question: string, opts: GroundOptions): Promise<Grounding> {
  const tokens = tokenize(question);
  const kgrag = catalog.internal.documents || catalog.collections !== null;
  const labels = catalog.labels;
  const labelInfo = new Map(labels.map((l) => [l.label, l]));
  const visible = (p: PropertyInfo) => !(kgrag && KGRAG_HIDDEN.has(p.name));

  const values = await lookupValues(db, catalog, tokens, question, opts, visible);
  if (kgrag && opts.collections) values.push(...(await lookupMisspelledNames(db, tokens, values, labelInfo, opts)));
  const nameSpans = values.filter((v) => v.isName && v.span.end - v.span.start > 1);
  const insideName = (s: Span) => nameSpans.some((n) => n.span.start <= s.start && s.end <= n.span.end && n.span.end - n.span.start > s.end - s.start);

  const labelMentions: LabelMention[] = [];
  for (const t of tokens) {
    if (t.quoted || isStopword(t.text)) continue;
    // "ordered", "shipping": a verb form names a relationship, not the label that shares its stem.
    if (/(?:ed|ing)$/.test(t.text) && labels.every((l) => !nameWords(l.label).includes(t.text))) continue;
    for (const l of labels) {
      const words = nameWords(l.label).map(stem);
      const last = words[words.length - 1]!;
      // A label of several words may be typed as its own name in one word ("DataCenter", "datacenters").
      const asOneWord = words.length > 1 && t.stem === stem(nameWords(l.label).join(''));
      const matches = words.length === 1 ? synonymsOf(last).includes(t.stem) : asOneWord || (t.stem === last && words.slice(0, -1).every((w, i) => tokens[t.index - words.length + 1 + i]?.stem === w));
      // "employees" names the Person nodes that have an employeeId.
      const subset = l.properties.find((p) => /(?:Id|ID|_id)$/.test(p.name) && stem(nameWords(p.name)[0]!) === t.stem && nameWords(p.name).length === 2);
      if (subset && subset.count < l.sampled && !insideName({ start: t.index, end: t.index + 1 })) {
        labelMentions.push({ label: l.label, span: { start: t.index, end: t.index + 1 }, subset: subset.name });
        continue;
      }
      if (matches) {
        const span = { start: t.index - (words.length === 1 || asOneWord ? 0 : words.length - 1), end: t.index + 1 };
        if (!insideName(span)) labelMentions.push({ label: l.label, span });
      }
    }
  }

  const properties: PropertyMention[] = [];
  for (const l of labels) {
    for (const p of l.properties.filter(visible)) properties.push(...propertyMentions(l.label, p, tokens, insideName));
  }
  for (const r of catalog.relationships) {
    for (const p of r.properties.filter(visible)) {
      properties.push(...propertyMentions(relKey(r), p, tokens, insideName));
    }
  }

  const relations: RelationMention[] = [];
  const types = [...new Set(catalog.relationships.map((r) => r.type))];
  for (const type of types) {
    const words = nameWords(type).map(stem).filter((w) => !WEAK_WORDS.has(w));
    for (const t of tokens) {
      if (t.quoted || isStopword(t.text) || insideName({ start: t.index, end: t.index + 1 })) continue;
      const parts = partStems(t);
      const hit = words.find((w) => parts.some((s) => synonymsOf(w).includes(s)));
      const role = hit ? undefined : words.map((w) => roleOf(w, t.stem)).find(Boolean);
      // "dependencies", "payments": the noun of the act names the relationship itself.
      if (!hit && !role && words.some((w) => actNoun(w, t.stem))) {
        relations.push({ type, span: { start: t.index, end: t.index + 1 }, inverse: false });
        continue;
      }
      // A type that is itself a role noun ("(:Filing)-[:ORIGINATOR]->(:Entity)") says what its end node
      // is to its start, like any noun-named type (COUNTRY): the word, that noun, names the end node.
      const named = hit && !role && words.length === 1 && t.stem === words[0] && ROLE_NOUN.test(words[0]!) && !INVERSE_CUES.has(hit) ? 'patient' : role;
      if (hit || role) relations.push({ type, span: { start: t.index, end: t.index + 1 }, inverse: parts.some((s) => INVERSE_CUES.has(s)) && hit !== 'manag', ...(named ? { role: named } : {}) });
    }
  }

  return { question, tokens, labels: labelMentions, properties, values, relations, labelInfo, relationships: catalog.relationships, kgrag };
}

/**
 * Whether a question word (its stem) is a role noun of a verb (its stem), by English derivation:
 * the doer takes -er/-or ("direct" → director, "write" → writer, "supply" → supplier), the
 * receiver -ee ("employ" → employee, "assign" → assignee).
 */
export function roleOf(verbStem: string, word: string): 'agent' | 'patient' | undefined {
  const irregular = IRREGULAR_ROLES.get(word);
  if (irregular) return irregular.verb === verbStem ? irregular.role : undefined;
  if (verbStem.length < 3 || word.length <= verbStem.length) return undefined;
  const bases = [verbStem, verbStem.replace(/e$/, ''), verbStem.replace(/y$/, 'i')];
  if (bases.some((b) => word === `${b}er` || word === `${b}or` || word === `${b}r`)) return 'agent';
  if (bases.some((b) => word === `${b}ee`)) return 'patient';
  return undefined;
}

/**
 * Stems of agent nouns by their English suffix (originator, distributor, director, emissary,
 * pianist); short -or words ("monitor", "sponsor") are as often verbs.
 */
const ROLE_NOUN = /^(?:[a-z]{3,}(?:at|ut|ct|ss)or|[a-z]{4,}ari|[a-z]{4,}ist)$/;

/**
 * English role nouns not formed with -er/-or/-ee (Latin -ary, -ant, -ent): whose verb, and which
 * end. "X benefits Y": Y is the beneficiary; "X receives Y": X is the recipient.
 */
const IRREGULAR_ROLES = new Map(
  (
    [
      ['beneficiary', 'benefit', 'patient'],
      ['recipient', 'receive', 'agent'],
      ['participant', 'participate', 'agent'],
      ['applicant', 'apply', 'agent'],
      ['resident', 'reside', 'agent'],
      ['occupant', 'occupy', 'agent'],
      ['attendant', 'attend', 'agent'],
      ['assistant', 'assist', 'agent'],
    ] as const
  ).map(([noun, verb, role]) => [stem(noun), { verb: stem(verb), role }]),
);

/** Whether a word (its stem) is the noun of a verb's act, by English derivation: "depend" → dependency, "pay" → payment. */
export function actNoun(verbStem: string, word: string): boolean {
  if (verbStem.length < 3 || word.length <= verbStem.length) return false;
  const base = verbStem.replace(/e$/, '');
  return ['enci', 'ency', 'enc', 'anci', 'ancy', 'anc', 'ment'].some((suffix) => word === `${base}${suffix}`);
}

export function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Key under which relationship properties are reported: `REL:TYPE`. */
export function relKey(r: Pick<RelationshipInfo, 'type'>): string {
  return `REL:${r.type}`;
}

/** Words of one root ("acquire" / "acquisition"): a shared prefix of five letters or more. */
function sameRoot(a: string, b: string): boolean {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i >= 5 && i >= Math.min(a.length, b.length) * 0.7;
}

function partStems(t: Token): string[] {
  const parts = t.text.split('-').filter(Boolean);
  return parts.length > 1 ? [t.stem, ...parts.map(stem)] : [t.stem];
}

function propertyMentions(label: string, p: PropertyInfo, tokens: Token[], insideName: (s: Span) => boolean): PropertyMention[] {
  const words = nameWords(p.name).map(stem);
  // "taskId" of Task, "productName" of Product: the label's own word names the label, not the property.
  const own = new Set(label.startsWith('REL:') ? [] : nameWords(label).map(stem));
  const strong = words.filter((w) => !WEAK_WORDS.has(w) && !(own.has(w) && words.length > 1));
  if (strong.length === 0) return [];
  const out: PropertyMention[] = [];
  for (const t of tokens) {
    if (isStopword(t.text) || insideName({ start: t.index, end: t.index + 1 })) continue;
    if (t.quoted) {
      // A quoted property name ("'reorder level'") names the property.
      const qs = nameWords(t.raw).map(stem);
      if (qs.length > 0 && words.every((w) => qs.includes(w)) && qs.every((w) => words.includes(w))) out.push({ label, property: p, span: { start: t.index, end: t.index + 1 }, score: 1 });
      continue;
    }
    if (t.text === p.name.toLowerCase() && words.length > 1) {
      // The property's own name typed as one word ("unitsInStock").
      out.push({ label, property: p, span: { start: t.index, end: t.index + 1 }, score: 1 });
      continue;
    }
    const parts = partStems(t);
    const exact = strong.some((w) => parts.includes(w));
    const viaSynonym = !exact && strong.some((w) => parts.some((s) => synonymsOf(w).includes(s) || sameRoot(w, s)));
    if (!exact && !viaSynonym) continue;
    // Extend over the following tokens that name further words of the property ("units in stock").
    let end = t.index + 1;
    let matched = 1;
    while (end < tokens.length && words.includes(tokens[end]!.stem) && !tokens[end]!.quoted) {
      if (strong.includes(tokens[end]!.stem)) matched++;
      end++;
    }
    while (end > t.index + 1 && !strong.includes(tokens[end - 1]!.stem)) end--;
    // "IP addresses", "RAM capacity": a generic head noun after the property's word is part of its name.
    const head = tokens[end];
    if (head && !head.quoted && (HEAD_NOUNS.has(head.stem) || (MEASURE_NOUNS.has(head.stem) && p.types.some((x) => x === 'INTEGER' || x === 'FLOAT')))) end++;
    const score = Math.min(1, matched / strong.length) * (exact ? 1 : 0.8);
    out.push({ label, property: p, span: { start: t.index, end }, score });
  }
  return out;
}

/**
 * Names written with a typo ("Priya Natarjan"): runs of capitalised words that matched nothing are
 * looked up fuzzily in kgrag's entity-name index, and kept only when every word is within a small
 * edit distance of the entity's name.
 */
async function lookupMisspelledNames(
  db: GraphExecutor,
  tokens: Token[],
  found: ValueMention[],
  labelInfo: Map<string, LabelInfo>,
  opts: GroundOptions,
): Promise<ValueMention[]> {
  const covered = (i: number) => found.some((v) => v.span.start <= i && i < v.span.end);
  const runs: Span[] = [];
  for (let i = 1; i < tokens.length; i++) {
    const capital = (t: Token | undefined) => !!t && !t.quoted && /^[A-Z][a-z]/.test(t.raw) && !covered(t.index);
    if (!capital(tokens[i])) continue;
    let end = i + 1;
    while (end < tokens.length && capital(tokens[end])) end++;
    if (end - i >= 2) runs.push({ start: i, end });
    i = end;
  }
  const out: ValueMention[] = [];
  for (const span of runs.slice(0, 3)) {
    const words = tokens.slice(span.start, span.end).map((t) => t.text.replace(/[’']s$/, ''));
    const query = words.map((w) => `${w.replace(/[^\p{L}\p{N}]/gu, '')}~`).filter((w) => w.length > 2).join(' ');
    if (!query) continue;
    const rows = await db.read(cypher('planner/fuzzy-names'), { query, collections: opts.collections, limit: int(10) }, { timeoutMs: opts.timeoutMs ?? 5000 });
    for (const row of rows) {
      const nameWordsOf = String(row.name).toLowerCase().split(/\s+/);
      if (nameWordsOf.length !== words.length || !nameWordsOf.every((w, i) => closeEnough(w, words[i]!))) continue;
      for (const label of (row.labels as string[]).filter((l) => labelInfo.has(l))) {
        out.push({ label, property: labelInfo.get(label)!.nameProperty ?? 'name', value: String(row.name), span, ids: [String(row.id)], count: 1, degree: Number(row.degree), isName: true, negated: false });
      }
    }
  }
  return out;
}

/**
 * The catalog holds every value of the property: it saw every node of the label. (A large sample
 * with few values is not enough: with skewed values, a name most nodes share and a few that some
 * hold, the rare ones are missed, and a name read as another node's is a wrong answer.)
 */
function allValuesKnown(l: LabelInfo, p: PropertyInfo): boolean {
  const whole = l.sampled >= l.count;
  return whole && p.distinct !== undefined && p.samples.length >= p.distinct && p.types.every((t) => t === 'STRING');
}

/** Whether a stored value (lower case) is one of the phrases, or has one of the acronyms as initials (as value-lookup.cypher decides). */
function couldMatch(value: string, phrases: string[], acronyms: string[]): boolean {
  if (phrases.includes(value)) return true;
  const initials = acronyms.length > 0 ? initialsOf(value) : undefined;
  return initials !== undefined && (phrases.includes(initials) || acronyms.includes(initials));
}

/**
 * Phrases of the question (n-grams, quoted strings and value synonyms) looked up among the short
 * string properties of every label, in one bounded statement per label.
 */
async function lookupValues(
  db: GraphExecutor,
  catalog: SchemaCatalog,
  tokens: Token[],
  question: string,
  opts: GroundOptions,
  visible: (p: PropertyInfo) => boolean,
): Promise<ValueMention[]> {
  const phrases = new Map<string, Span[]>();
  const add = (phrase: string, span: Span) => {
    const key = phrase.toLowerCase().trim();
    if (!key) return;
    const spans = phrases.get(key) ?? [];
    if (spans.some((s) => s.start === span.start && s.end === span.end)) return;
    spans.push(span);
    phrases.set(key, spans);
  };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.quoted) {
      add(t.raw, { start: i, end: i + 1 });
      continue;
    }
    for (let j = i; j < Math.min(tokens.length, i + MAX_PHRASE_TOKENS); j++) {
      const last = tokens[j]!;
      if (last.quoted) break;
      if (isStopword(t.text) || (j > i && isStopword(last.text))) continue;
      // Bare numbers are counts and limits ("top 5"); a number meant as a stored value is quoted.
      if (i === j && /^[\d.,$%]+(?: (?:thousand|million|billion))?$/.test(t.text)) continue;
      // "ID", "IDs" is the noun for identifiers ("the order IDs"), not a stored code such as a region "ID".
      if (i === j && /^ids?$/.test(t.text)) continue;
      const phrase = question.slice(t.start, last.end).replace(/[’']s$/, '');
      add(phrase, { start: i, end: j + 1 });
      if (i === j) {
        // Plural and possessive forms of a single word ("customers" for "customer").
        if (/[^s]s$/.test(t.text)) add(t.text.slice(0, -1), { start: i, end: i + 1 });
        if (/(ches|shes|xes|sses)$/.test(t.text)) add(t.text.slice(0, -2), { start: i, end: i + 1 });
        add(t.text.replace(/-/g, ' '), { start: i, end: i + 1 });
        // "Berlin-based", "high-priority": each part may be a value on its own.
        if (t.text.includes('-')) for (const part of t.text.split('-')) if (part.length > 2 && !isStopword(part)) add(part, { start: i, end: i + 1 });
      }
    }
    for (const [value, synonyms] of Object.entries(VALUE_SYNONYMS)) {
      if (synonyms.includes(t.text) || (t.text.startsWith('un') && synonyms.includes(t.text.slice(2)))) add(value, { start: i, end: i + 1 });
    }
  }
  if (phrases.size === 0) return [];
  const acronyms = tokens.filter((t) => !t.quoted && /^[A-Z]{2,5}$/.test(t.raw)).map((t) => t.text);
  const params = { phrases: [...phrases.keys()], acronyms, collections: opts.collections, scan: int(VALUE_SCAN), maxIds: int(MAX_IDS) };
  const timeoutMs = opts.timeoutMs ?? 5000;
  const results = await Promise.all(
    catalog.labels.map(async (l) => {
      const short = l.properties.filter((p) => (visible(p) || p.name === 'aliases') && p.types.some((t) => t === 'STRING' || t === 'LIST<STRING>') && (p.maxLength ?? 0) <= 200);
      const props = short
        .filter((p) => !allValuesKnown(l, p) || p.samples.some((v) => couldMatch(String(v).toLowerCase(), params.phrases, acronyms)))
        .map((p) => p.name);
      if (props.length === 0) return [];
      const label = l.stored ?? l.label;
      const query = { label, props: short.map((p) => p.name), collections: opts.collections, scan: VALUE_SCAN, maxIds: MAX_IDS, timeoutMs };
      const rows: ReadonlyArray<Record<string, unknown>> =
        (await lookupInDictionary(db, catalog, query, params.phrases, acronyms)) ??
        (await db.read(fillNames(cypher('planner/value-lookup'), { __LABEL__: label }), { ...params, props }, { timeoutMs }));
      return rows.map((r) => ({ label: l.label, nameProperty: l.nameProperty, row: r }));
    }),
  );
  const mentions: ValueMention[] = [];
  for (const { label, nameProperty, row } of results.flat()) {
    const property = String(row.key);
    for (const span of phrases.get(String(row.phrase)) ?? []) {
      const single = span.end - span.start === 1 ? tokens[span.start]! : undefined;
      // A lone lower-case word ("account") is a value, never the name of a node: names are written as names.
      // (Except right after "named" or "called": "the application named crm" names it.)
      const named = ['named', 'called'].includes(tokens[span.start - 1]?.text ?? '');
      if ((property === nameProperty || property === 'aliases') && single && !single.quoted && !named && single.raw === single.raw.toLowerCase() && !/\d/.test(single.raw)) continue;
      const before = tokens.slice(Math.max(0, span.start - 3), span.start).map((t) => t.text);
      const word = tokens[span.start]!.text;
      const negated = before.some((w) => NEGATIONS.has(w)) || (word.startsWith('un') && !String(row.value).toLowerCase().startsWith('un'));
      mentions.push({
        label,
        property,
        value: String(row.value),
        span,
        ids: (row.ids as string[]) ?? [],
        count: Number(row.count),
        degree: Number(row.degree ?? 0),
        isName: property === nameProperty || property === 'aliases',
        negated,
      });
    }
  }
  return mentions;
}
