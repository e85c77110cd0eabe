/**
 * The short string values of a label, kept in memory for as long as its schema catalog is (the
 * catalog cache's TTL, or until a writer invalidates it), so that grounding matches a question's
 * phrases without scanning the label again. A label is scanned per question the first time it is
 * asked about; the second time, its values are read once into a dictionary that later questions
 * use. A one-shot process (the CLI) never builds one. A label with more values than
 * `MAX_ROWS` keeps the per-question scan.
 */
import { cypher } from '../graph/cypher.ts';
import { fillNames, type SchemaCatalog } from '../graph/catalog.ts';
import { int, type GraphExecutor } from '../graph/executor.ts';

/** One stored value of one property, and the nodes that hold it. */
export type ValueRow = {
  key: string;
  value: string;
  count: number;
  ids: string[];
  degree: number;
};

type Entry = ValueRow & {
  lower: string;
  /** First letters of the lower-case value's words (for values of 60 characters or fewer), as value-lookup.cypher computes them. */
  initials: string | undefined;
};

interface Dictionary {
  byLower: Map<string, Entry[]>;
  byInitials: Map<string, Entry[]>;
}

/**
 * The first letters of a lower-case value's words ("chief executive officer" → "ceo"), or
 * undefined for a value longer than 60 characters: how value-lookup.cypher matches an acronym.
 */
export function initialsOf(lower: string): string | undefined {
  return lower.length <= 60 ? lower.split(' ').map((w) => w.slice(0, 1)).join('') : undefined;
}

/** Values read into one label's dictionary at most; beyond it the label is scanned per question. */
const MAX_ROWS = 300_000;

interface LabelState {
  asked: number;
  dictionary?: Promise<Dictionary | undefined>;
}

/** Per catalog object (so it lives and dies with it), per collection scope and label. */
const states = new WeakMap<SchemaCatalog, Map<string, LabelState>>();

export interface DictionaryQuery {
  /** The label, or the stored labels it stands for (see LabelInfo.stored). */
  label: string | readonly string[];
  props: string[];
  collections: string[] | null;
  scan: number;
  maxIds: number;
  timeoutMs: number;
}

/**
 * The rows value-lookup.cypher would return for these phrases and acronyms, from the label's
 * dictionary; undefined when the label has none (yet): the caller scans.
 */
export async function lookupInDictionary(
  db: GraphExecutor,
  catalog: SchemaCatalog,
  q: DictionaryQuery,
  phrases: readonly string[],
  acronyms: readonly string[],
): Promise<Array<ValueRow & { phrase: string }> | undefined> {
  const byScope = states.get(catalog) ?? new Map<string, LabelState>();
  states.set(catalog, byScope);
  const key = JSON.stringify([q.collections, q.label, q.props]);
  const state = byScope.get(key) ?? { asked: 0 };
  byScope.set(key, state);
  state.asked++;
  if (state.asked < 2) return undefined;
  state.dictionary ??= build(db, q).catch(() => undefined);
  const dictionary = await state.dictionary;
  if (!dictionary) return undefined;
  const wanted = new Set(phrases);
  const out: Array<ValueRow & { phrase: string }> = [];
  for (const phrase of wanted) for (const e of dictionary.byLower.get(phrase) ?? []) out.push(row(e, phrase));
  // As the Cypher does: a value that is not itself a phrase may match by its initials, when the question has acronyms.
  if (acronyms.length > 0) {
    for (const initials of new Set([...phrases, ...acronyms])) {
      for (const e of dictionary.byInitials.get(initials) ?? []) if (!wanted.has(e.lower)) out.push(row(e, initials));
    }
  }
  return out;
}

const row = (e: Entry, phrase: string): ValueRow & { phrase: string } => ({ key: e.key, value: e.value, count: e.count, ids: e.ids, degree: e.degree, phrase });

async function build(db: GraphExecutor, q: DictionaryQuery): Promise<Dictionary | undefined> {
  const rows = await db.read(
    fillNames(cypher('planner/value-dictionary'), { __LABEL__: q.label }),
    { props: q.props, collections: q.collections, scan: int(q.scan), maxIds: int(q.maxIds), maxRows: int(MAX_ROWS + 1) },
    { timeoutMs: q.timeoutMs },
  );
  if (rows.length > MAX_ROWS) return undefined;
  const dictionary: Dictionary = { byLower: new Map(), byInitials: new Map() };
  const push = (map: Map<string, Entry[]>, k: string, e: Entry) => {
    const list = map.get(k);
    if (list) list.push(e);
    else map.set(k, [e]);
  };
  for (const r of rows) {
    const value = String(r.value);
    const lower = value.toLowerCase();
    const initials = initialsOf(lower);
    const e: Entry = { key: String(r.key), value, count: Number(r.count), ids: (r.ids as string[]) ?? [], degree: Number(r.degree ?? 0), lower, initials };
    push(dictionary.byLower, lower, e);
    if (initials !== undefined) push(dictionary.byInitials, initials, e);
  }
  return dictionary;
}
