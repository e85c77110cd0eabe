import pLimit from 'p-limit';
import { GraphError, InputError } from '../errors.ts';
import { SYSTEM_LABEL_PREFIX } from '../domain/ids.ts';
import { silentLogger, type Logger } from '../logging.ts';
import { cypher, labelExpression, quoteName } from './cypher.ts';
import { ENTITY_LABEL, META_LABEL, displayName, patternName, presentedLabel } from './names.ts';
import { isChunkLabel } from './collection-index.ts';
import { int, type GraphExecutor, type Params, type Row } from './executor.ts';

/**
 * The schema catalog of the live graph: labels, relationship patterns with their directions,
 * property names, types and example values. The query planner maps questions onto it, on kgrag's
 * own graph and on any Neo4j 5 graph kgrag did not build — so it uses only built-in procedures
 * and plain Cypher (no APOC), and samples instead of scanning.
 *
 * Why not `db.schema.nodeTypeProperties()` / `relTypeProperties()` / `visualization()`: the first
 * two scan every node and relationship and cannot be restricted to collections; the third comes
 * from the count store and reports label combinations that do not exist in the data. Here every
 * label and relationship type is sampled with its own bounded, parameterised statement.
 *
 * Collections: when the graph carries `collection` properties and the caller names collections,
 * every count, property and sample comes only from nodes of those collections (relationships:
 * both ends), and labels or types with nothing in them are left out, names included. Nodes
 * without a `collection` (a graph kgrag did not build, beside kgrag's collections) count as the
 * reserved scope `@graph`. A graph without any `collection` property (a foreign graph alone) is
 * read whole and reported with `collections: null`.
 *
 * kgrag's entities are stored under labels of their own (`Kgrag_Person`, see src/graph/names.ts)
 * and shown under their type (`Person`), merged with a graph's own `Person` when both exist;
 * `LabelInfo.stored` names the stored labels.
 *
 * Not persisted in the database: a stored copy would need write access on a read path and would
 * hold values of every collection where any reader of KgragMeta could see them. `CatalogCache`
 * keeps catalogs per process, and for the CLI (a process per command, where the dozen statements
 * of a build dominate an exact answer) also on disk under KGRAG_HOME, valid until the next write
 * (catalog-store.ts).
 */

export interface PropertyInfo {
  name: string;
  /** Neo4j type names: STRING, INTEGER, FLOAT, BOOLEAN, DATE, DATE_TIME, LOCAL_DATE_TIME, LIST<STRING>… most frequent first. */
  types: string[];
  /** Sampled nodes (or relationships) that have the property. */
  count: number;
  /** Distinct sampleable values seen (short strings, string-list elements, numbers, booleans, dates). */
  distinct?: number;
  /** Most frequent values first: up to maxSamples when few distinct values exist, else a few examples. */
  samples: Array<string | number | boolean>;
  /** Numbers and temporals (temporals as ISO strings). */
  min?: string | number;
  max?: string | number;
  /** Longest string value seen: tells a name or code from a text field. */
  maxLength?: number;
}

export interface LabelInfo {
  label: string;
  /** Exact node count in scope (count store when not filtered by collection). */
  count: number;
  /** Nodes the property statistics come from. */
  sampled: number;
  properties: PropertyInfo[];
  /** The property that looks like the display name (name, title, …), when one is present on most nodes. */
  nameProperty?: string;
  /**
   * The labels stored in the graph that this label stands for, when that is not just `label`:
   * kgrag's entities of type Person are stored as `Kgrag_Person`, beside a graph's own `Person`
   * nodes if it has any. Write it into Cypher with `labelExpression`.
   */
  stored?: string[];
}

/** One directed pattern `(:from)-[:type]->(:to)`; each end named by its most specific label. */
export interface RelationshipInfo {
  type: string;
  from: string;
  to: string;
  /**
   * Exact when every relationship of the type in scope was sampled, or counted within collections;
   * on the whole graph beyond the sample, the count store's upper bound (`estimated`).
   */
  count: number;
  estimated?: boolean;
  sampled: number;
  properties: PropertyInfo[];
}

export interface SchemaCatalog {
  generatedAt: string;
  /** The collections the catalog is restricted to; null when not restricted (all, or a graph without collections). */
  collections: string[] | null;
  /** The data graph: entities, imported records, or a foreign graph's labels. */
  labels: LabelInfo[];
  relationships: RelationshipInfo[];
  /** kgrag's lexical graph (Document, Chunk and the patterns touching them), which the planner treats specially. */
  internal: { documents: boolean; labels: LabelInfo[]; relationships: RelationshipInfo[] };
  /** Parts left out or approximated (a statement that hit its timeout). */
  warnings: string[];
  /** Nodes per label and relationships per type the properties come from, at most. */
  sampleSize: number;
  elapsedMs: number;
}

export interface CatalogOptions {
  /** Restrict to these collections (ignored on a graph without `collection` properties). */
  collections?: string[];
  /** Nodes per label and relationships per type that are sampled (default 1000). */
  sampleSize?: number;
  /** Example values kept per property (default 20). */
  maxSamples?: number;
  /** Timeout of each statement (default 5000 ms). */
  timeoutMs?: number;
  /** Statements in flight at once (default 4). */
  concurrency?: number;
  logger?: Logger;
  /**
   * Whether nodes carry `collection` properties, when the caller knows; detected otherwise. (A test
   * database that holds kgrag data cannot pose as a foreign graph any other way: property-key
   * tokens outlive the data.)
   */
  collectionsInGraph?: boolean;
  /** Testing hook: force the pre-5.13 type expression instead of valueType(). */
  typeFunction?: 'valueType' | 'fallback';
}

/** kgrag's lexical graph: reported under `internal`. */
export const INTERNAL_LABELS: ReadonlySet<string> = new Set(['Document', 'Chunk']);
/** kgrag's bookkeeping node and the umbrella label of its entities (each also has its type's label): never part of the catalog. */
const HIDDEN_LABELS: ReadonlySet<string> = new Set([META_LABEL, ENTITY_LABEL]);

/** Vectors are never sampled, on any graph. */
const ALWAYS_SKIPPED_KEYS = ['embedding'];
/** kgrag's bookkeeping properties: skipped on collection graphs only (a foreign graph's `sources` is data). */
const BOOKKEEPING_KEYS = [
  'collection', 'normalizedName', 'aliasKeys', 'facts', 'importKey', 'importSources', 'sources', 'documentIds', 'evidence',
];

/** Display-name properties, in order of preference. */
const NAME_KEYS = [
  'name', 'title', 'fullName', 'full_name', 'displayName', 'display_name', 'label', 'caption',
  'companyName', 'company_name', 'productName', 'product_name', 'username', 'userName',
];
/** `movieTitle`, `company_name`, `PRODUCT_NAME` — but not `surname` or `filename`. */
const NAME_SUFFIX = /(?:^|_)(?:name|title|Name|Title|NAME|TITLE)$|[a-z0-9](?:Name|Title)$/;

const DEFAULTS = { sampleSize: 1000, maxSamples: 20, timeoutMs: 5000, concurrency: 4 };
/** At most this many distinct values: the property is an enumeration, show its values. */
const LOW_CARDINALITY = 50;
/** Examples kept for a high-cardinality property. */
const FEW_EXAMPLES = 5;
/** Longer strings are text, not values a question would name. */
const MAX_SAMPLE_LENGTH = 200;
const MAX_LIST_ITEMS = 20;

/** valueType() names (Neo4j 5.13+) of values with a meaningful min/max, and of values worth sampling. */
const RANGE_TYPES = ['INTEGER', 'FLOAT', 'DATE', 'ZONED DATETIME', 'LOCAL DATETIME', 'ZONED TIME', 'LOCAL TIME'].map(
  (t) => `${t} NOT NULL`,
);
const SAMPLE_TYPES = ['INTEGER', 'FLOAT', 'BOOLEAN', 'DATE'].map((t) => `${t} NOT NULL`);

interface Settings {
  collections: string[] | null;
  sampleSize: number;
  maxSamples: number;
  timeoutMs: number;
  skipKeys: string[];
  typeFunction: 'valueType' | 'fallback';
  logger: Logger;
  warnings: string[];
}

/** kgrag's bookkeeping (keys, jobs, conversations…): never described, so no read path can name it. */
function isSystemLabel(label: string): boolean {
  return label.startsWith(SYSTEM_LABEL_PREFIX);
}

export async function buildCatalog(db: GraphExecutor, opts: CatalogOptions = {}): Promise<SchemaCatalog> {
  const started = performance.now();
  const sampleSize = checkInt('sampleSize', opts.sampleSize ?? DEFAULTS.sampleSize, 1, 100_000);
  const maxSamples = checkInt('maxSamples', opts.maxSamples ?? DEFAULTS.maxSamples, 0, 1000);
  const timeoutMs = checkInt('timeoutMs', opts.timeoutMs ?? DEFAULTS.timeoutMs, 1, 3_600_000);
  const concurrency = checkInt('concurrency', opts.concurrency ?? DEFAULTS.concurrency, 1, 64);
  const [typeFunction, scoped, labelNames, typeNames] = await Promise.all([
    opts.typeFunction ?? valueTypeSupport(db),
    opts.collectionsInGraph ?? hasCollections(db, timeoutMs),
    db.read(cypher('catalog/labels'), {}, { timeoutMs }).then((rows) => rows.map((r) => String(r.label)).filter((l) => !isSystemLabel(l))),
    db.read(cypher('catalog/relationship-types'), {}, { timeoutMs }).then((rows) => rows.map((r) => String(r.type))),
  ]);
  const settings: Settings = {
    // A caller with explicit collections is always scoped (nodes without a collection count as
    // '@graph'), even when the graph looks foreign: a catalog cached while the database held no
    // collection yet must not open every collection to that caller later.
    collections: opts.collections ? [...new Set(opts.collections)].sort() : null,
    sampleSize,
    maxSamples,
    timeoutMs,
    skipKeys: scoped ? [...ALWAYS_SKIPPED_KEYS, ...BOOKKEEPING_KEYS] : ALWAYS_SKIPPED_KEYS,
    typeFunction,
    logger: opts.logger ?? silentLogger(),
    warnings: [],
  };
  const limit = pLimit(concurrency);

  const groups = labelGroups(labelNames);
  const labelInfos = (
    await Promise.all([...groups].map(([label, stored]) => limit(() => describeLabel(db, settings, label, stored))))
  ).filter((l): l is LabelInfo => l !== null);
  // The stored labels a pattern end may be named by: every catalog label (not kgrag's hidden ones).
  const endLabels = labelInfos.flatMap((l) => l.stored ?? [l.label]);
  const patterns = (
    await Promise.all(typeNames.map((t) => limit(() => describeType(db, settings, t, endLabels, groups))))
  ).flat();

  const isInternal = (p: RelationshipInfo) => INTERNAL_LABELS.has(p.from) || INTERNAL_LABELS.has(p.to);
  const internalLabels = labelInfos.filter((l) => INTERNAL_LABELS.has(l.label));
  const catalog: SchemaCatalog = {
    generatedAt: new Date().toISOString(),
    collections: settings.collections,
    labels: labelInfos.filter((l) => !INTERNAL_LABELS.has(l.label)).sort(byCountThen((l) => l.label)),
    relationships: patterns.filter((p) => !isInternal(p)).sort(byCountThen<RelationshipInfo>(patternName)),
    internal: {
      documents: internalLabels.some((l) => l.label === 'Document'),
      labels: internalLabels.sort(byCountThen((l) => l.label)),
      relationships: patterns.filter(isInternal).sort(byCountThen<RelationshipInfo>(patternName)),
    },
    warnings: settings.warnings,
    sampleSize,
    elapsedMs: Math.round(performance.now() - started),
  };
  settings.logger.debug(
    { labels: labelInfos.length, patterns: patterns.length, ms: catalog.elapsedMs, collections: catalog.collections },
    'schema catalog built',
  );
  return catalog;
}

/**
 * Catalog labels and the stored labels each stands for: kgrag's `Kgrag_Person` is shown as
 * `Person`, together with a graph's own `Person` when both exist (the graph's first).
 */
function labelGroups(stored: string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const label of [...stored].sort((a, b) => Number(a !== presentedLabel(a)) - Number(b !== presentedLabel(b)) || a.localeCompare(b))) {
    if (HIDDEN_LABELS.has(label) || isChunkLabel(label)) continue;
    const shown = presentedLabel(label);
    groups.set(shown, [...(groups.get(shown) ?? []), label]);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

/** Writes a catalog label as a Cypher label expression (its stored labels): for compile() and lookups. */
export function labelMatcher(catalog: Pick<SchemaCatalog, 'labels' | 'internal'>): (label: string) => string {
  const stored = new Map([...catalog.labels, ...catalog.internal.labels].map((l) => [l.label, l.stored ?? [l.label]]));
  return (label) => labelExpression(stored.get(label) ?? [label]);
}

// Display helpers live in names.ts so that printing a catalog needs no database code.
export { displayName, patternName };

// ---------------------------------------------------------------------------------------------
// Labels

async function describeLabel(db: GraphExecutor, s: Settings, label: string, stored: string[]): Promise<LabelInfo | null> {
  const scope = { collections: s.collections, sampleSize: int(s.sampleSize), skipKeys: s.skipKeys };
  let statRows: Row[];
  try {
    statRows = await run(db, s, 'catalog/label-properties', { __LABEL__: stored }, { ...scope, rangeTypes: RANGE_TYPES });
  } catch (err) {
    // Without a sample we do not know whether the label has nodes in scope: leave it out.
    warnOnTimeout(s, err, `label ${label} left out: sampling its nodes timed out`);
    return null;
  }
  const sampled = sampledCount(statRows);
  if (sampled === 0) return null;
  const count = sampled < s.sampleSize ? sampled : await countLabel(db, s, label, stored, sampled);
  let valueRows: Row[] = [];
  try {
    // No property in the sample (only the null key row): there are no values to ask for.
    if (hasProperties(statRows)) valueRows = await run(db, s, 'catalog/label-values', { __LABEL__: stored }, { ...scope, ...valueParams(s) });
  } catch (err) {
    warnOnTimeout(s, err, `label ${label}: example values left out (timed out)`);
  }
  const properties = assembleProperties(statRows, valueRows, s.maxSamples);
  const nameProperty = guessNameProperty(properties, sampled);
  return {
    label,
    count,
    sampled,
    properties,
    ...(nameProperty ? { nameProperty } : {}),
    ...(stored.length !== 1 || stored[0] !== label ? { stored } : {}),
  };
}

/** The sample was full: count the label (count store, or a filtered scan within collections). */
async function countLabel(db: GraphExecutor, s: Settings, label: string, stored: string[], sampled: number): Promise<number> {
  try {
    const rows = s.collections
      ? await run(db, s, 'catalog/label-count-in-collections', { __LABEL__: stored }, { collections: s.collections })
      : await run(db, s, 'catalog/label-count', { __LABEL__: stored }, {});
    return Number(rows[0]?.count ?? sampled);
  } catch (err) {
    warnOnTimeout(s, err, `label ${label}: counting timed out, count is at least ${sampled}`);
    return sampled;
  }
}

/** The display-name property: a preferred name present as a string on at least half the sample. */
export function guessNameProperty(properties: PropertyInfo[], sampled: number): string | undefined {
  const usable = properties.filter((p) => p.types.includes('STRING') && p.count * 2 >= sampled);
  for (const key of NAME_KEYS) if (usable.some((p) => p.name === key)) return key;
  // Sorted by presence: the most common `somethingName` / `something_title` wins.
  return usable.find((p) => NAME_SUFFIX.test(p.name))?.name;
}

// ---------------------------------------------------------------------------------------------
// Relationship types

async function describeType(
  db: GraphExecutor,
  s: Settings,
  type: string,
  labels: string[],
  groups: Map<string, string[]>,
): Promise<RelationshipInfo[]> {
  const scope = { collections: s.collections, sampleSize: int(s.sampleSize), skipKeys: s.skipKeys, labels };
  let statRows: Row[];
  try {
    statRows = await run(db, s, 'catalog/type-patterns', { __TYPE__: type }, { ...scope, rangeTypes: RANGE_TYPES });
  } catch (err) {
    warnOnTimeout(s, err, `relationship type ${type} left out: sampling it timed out`);
    return [];
  }
  const total = sampledRelationships(statRows);
  if (total === 0) return [];
  let valueRows: Row[] = [];
  try {
    if (hasProperties(statRows)) valueRows = await run(db, s, 'catalog/type-values', { __TYPE__: type }, { ...scope, ...valueParams(s) });
  } catch (err) {
    warnOnTimeout(s, err, `relationship type ${type}: example values left out (timed out)`);
  }
  const patterns = patternsOf(type, statRows, valueRows, s.maxSamples);
  // A sample smaller than sampleSize saw every relationship of the type in scope: its counts are exact.
  if (total >= s.sampleSize) {
    if (!s.collections) patterns.push(...(await missedPatterns(db, s, type, patterns, scope, groups)));
    await countPatterns(db, s, type, patterns, labels, groups);
  }
  return patterns;
}

/** Patterns of sampled rows: one per (from, to) pair; the total row (null labels) is left out. */
function patternsOf(type: string, statRows: Row[], valueRows: Row[], maxSamples: number): RelationshipInfo[] {
  const patterns: RelationshipInfo[] = [];
  for (const [key, rows] of groupBy(statRows, patternKey)) {
    const [from, to] = JSON.parse(key) as [string | null, string | null];
    // Unlabelled ends cannot be named in a pattern the planner writes.
    if (from === null || to === null) continue;
    const values = valueRows.filter((r) => patternKey(r) === key);
    const sampled = sampledCount(rows);
    patterns.push({ type, from, to, count: sampled, sampled, properties: assembleProperties(rows, values, maxSamples) });
  }
  return patterns;
}

const SAMPLE_MATCH = 'MATCH (a)-[r:__TYPE__]->(b)';

/**
 * type-patterns.cypher sampling from one label at end `a` or `b`. Its MATCH line is rewritten, so
 * a change to that line must fail here rather than silently sample every relationship again.
 */
function narrowPatterns(template: string, end: 'a' | 'b'): string {
  if (template.split(SAMPLE_MATCH).length !== 2) throw new Error(`catalog/type-patterns.cypher must contain "${SAMPLE_MATCH}" exactly once`);
  return template.replace(SAMPLE_MATCH, end === 'a' ? 'MATCH (a:__LABEL__)-[r:__TYPE__]->(b)' : 'MATCH (a)-[r:__TYPE__]->(b:__LABEL__)');
}

/**
 * The first relationships of a type can all leave one kind of node (every LISTENS of the sample
 * from an Application, none from a Service). The count store tells which labels have
 * relationships of the type at all; each such label absent from the sample's patterns gets a
 * sample of its own, from that label (bounded like the first). Whole graph only: within
 * collections, the exact count that follows a full sample lists every pattern.
 */
async function missedPatterns(db: GraphExecutor, s: Settings, type: string, known: RelationshipInfo[], scope: Params, groups: Map<string, string[]>): Promise<RelationshipInfo[]> {
  const seen = { out: new Set(known.map((p) => p.from)), in: new Set(known.map((p) => p.to)) };
  const shown = [...groups.keys()].filter((l) => !seen.out.has(l) || !seen.in.has(l));
  const found: RelationshipInfo[] = [];
  try {
    const template = cypher('catalog/type-patterns');
    for (const label of shown) {
      // One count-store lookup per label (types are sampled concurrently already).
      const [row] = await run(db, s, 'catalog/label-type-degree', { __LABEL__: groups.get(label) ?? label, __TYPE__: type }, {});
      const d = { label, outgoing: Number(row?.outgoing ?? 0), incoming: Number(row?.incoming ?? 0) };
      for (const end of ['a', 'b'] as const) {
        if (end === 'a' ? d.outgoing === 0 || seen.out.has(d.label) : d.incoming === 0 || seen.in.has(d.label)) continue;
        const narrowed = narrowPatterns(template, end);
        const rows = await runText(db, s, narrowed, { __LABEL__: groups.get(d.label) ?? d.label, __TYPE__: type }, { ...scope, rangeTypes: RANGE_TYPES });
        for (const p of patternsOf(type, rows, [], s.maxSamples)) {
          if ([...known, ...found].some((k) => k.from === p.from && k.to === p.to)) continue;
          found.push(p);
          seen.out.add(p.from);
          seen.in.add(p.to);
        }
      }
    }
  } catch (err) {
    warnOnTimeout(s, err, `relationship type ${type}: patterns beyond its first ${s.sampleSize} relationships left out (timed out)`);
  }
  return found;
}

/**
 * Counts of a type whose sample was full. Within collections: one exact grouped scan of the type.
 * Whole graph: the count store's bound per pattern (no scan, so it scales to any graph).
 */
async function countPatterns(
  db: GraphExecutor,
  s: Settings,
  type: string,
  patterns: RelationshipInfo[],
  labels: string[],
  groups: Map<string, string[]>,
): Promise<void> {
  try {
    if (s.collections) {
      const rows = await run(db, s, 'catalog/type-pattern-counts-in-collections', { __TYPE__: type }, { collections: s.collections, labels });
      for (const row of rows) {
        if (typeof row.fromLabel !== 'string' || typeof row.toLabel !== 'string') continue;
        const [from, to] = [presentedLabel(row.fromLabel), presentedLabel(row.toLabel)];
        const known = patterns.find((p) => p.from === from && p.to === to);
        // A rare pattern the sample missed is still listed, without property statistics.
        if (known) known.count = Number(row.count);
        else patterns.push({ type, from, to, count: Number(row.count), sampled: 0, properties: [] });
      }
      return;
    }
    for (const p of patterns) {
      const [row] = await run(db, s, 'catalog/pattern-count-bound', { __FROM__: groups.get(p.from) ?? p.from, __TYPE__: type, __TO__: groups.get(p.to) ?? p.to }, {});
      p.count = Math.max(p.sampled, Math.min(Number(row?.outgoing ?? 0), Number(row?.incoming ?? 0)));
      p.estimated = true;
    }
  } catch (err) {
    warnOnTimeout(s, err, `relationship type ${type}: counting timed out, counts are those of the sample`);
    for (const p of patterns) p.estimated = true;
  }
}

/** The (from, to) pair of a row, each end as the catalog shows it. */
function patternKey(row: Row): string {
  const shown = (label: unknown) => (typeof label === 'string' ? presentedLabel(label) : null);
  return JSON.stringify([shown(row.fromLabel), shown(row.toLabel)]);
}

// ---------------------------------------------------------------------------------------------
// Properties

/**
 * Builds property entries from the statistics rows (one per key and type; the null key row
 * counts the sample) and the value rows (one per key: distinct count and most frequent values).
 */
export function assembleProperties(statRows: Row[], valueRows: Row[], maxSamples: number): PropertyInfo[] {
  const properties: PropertyInfo[] = [];
  for (const [name, rows] of groupBy(statRows, (r) => r.key)) {
    if (typeof name !== 'string') continue;
    const byPresence = [...rows].sort((a, b) => Number(b.present) - Number(a.present));
    const info: PropertyInfo = {
      name,
      types: withoutEmptyLists(byPresence.map((r) => catalogType(String(r.type)))),
      count: byPresence.reduce((sum, r) => sum + Number(r.present), 0),
      samples: [],
      ...range(byPresence),
    };
    const maxLength = byPresence.find((r) => typeof r.maxLength === 'number')?.maxLength;
    if (typeof maxLength === 'number') info.maxLength = maxLength;
    const values = valueRows.find((r) => r.key === name);
    // A text field (some value longer than a name or code would be) gets no samples at all.
    const isText = typeof maxLength === 'number' && maxLength > MAX_SAMPLE_LENGTH;
    if (values && !isText) {
      const distinct = Number(values.distinct);
      info.distinct = distinct;
      const keep = distinct <= LOW_CARDINALITY ? maxSamples : Math.min(FEW_EXAMPLES, maxSamples);
      info.samples = (values.top as unknown[]).filter(isSampleValue).slice(0, keep);
    }
    properties.push(info);
  }
  return properties.sort(byCountThen((p) => p.name));
}

/** Min and max: across numeric types together; otherwise those of the most common orderable type. */
function range(rows: Row[]): { min?: string | number; max?: string | number } {
  const ranged = rows.filter((r) => r.min !== null && r.min !== undefined);
  if (ranged.length === 0) return {};
  if (ranged.every((r) => typeof r.min === 'number' && typeof r.max === 'number')) {
    return { min: Math.min(...ranged.map((r) => r.min as number)), max: Math.max(...ranged.map((r) => r.max as number)) };
  }
  const [first] = ranged;
  return { min: first!.min as string | number, max: first!.max as string | number };
}

/** valueType() spelling → catalog spelling: `ZONED DATETIME NOT NULL` → `DATE_TIME`, `LIST<STRING NOT NULL> NOT NULL` → `LIST<STRING>`. */
export function catalogType(valueType: string): string {
  return valueType
    .replaceAll(' NOT NULL', '')
    .replaceAll('ZONED DATETIME', 'DATE_TIME')
    .replaceAll('LOCAL DATETIME', 'LOCAL_DATE_TIME')
    .replaceAll('ZONED TIME', 'TIME')
    .replaceAll('LOCAL TIME', 'LOCAL_TIME');
}

/** Empty lists type as LIST<NOTHING>: noise beside the element type of the non-empty ones. */
function withoutEmptyLists(types: string[]): string[] {
  return types.some((t) => t.startsWith('LIST<') && t !== 'LIST<NOTHING>') ? types.filter((t) => t !== 'LIST<NOTHING>') : types;
}

function isSampleValue(v: unknown): v is string | number | boolean {
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
}

function valueParams(s: Settings): Params {
  return {
    sampleTypes: SAMPLE_TYPES,
    maxLength: int(MAX_SAMPLE_LENGTH),
    maxListItems: int(MAX_LIST_ITEMS),
    maxSamples: int(s.maxSamples),
  };
}

/** Whether the sample had any property beyond the skipped ones (rows other than the null key row). */
function hasProperties(statRows: Row[]): boolean {
  return statRows.some((r) => r.key !== null);
}

/** Relationships sampled: the row without labels or key (type-patterns) counts each once. */
function sampledRelationships(rows: Row[]): number {
  return rows.filter((r) => r.key === null && r.fromLabel === null && r.toLabel === null).reduce((sum, r) => sum + Number(r.present), 0);
}

/** The null key row of each sampled element: its `present` is the number of elements sampled. */
function sampledCount(rows: Row[]): number {
  return rows.filter((r) => r.key === null).reduce((sum, r) => sum + Number(r.present), 0);
}

// ---------------------------------------------------------------------------------------------
// Statements

/** Do nodes carry a `collection` property (a kgrag graph), or is this a foreign graph? */
export async function hasCollections(db: GraphExecutor, timeoutMs = DEFAULTS.timeoutMs): Promise<boolean> {
  const [row] = await db.read(cypher('catalog/has-collections'), {}, { timeoutMs });
  return row?.scoped === true;
}

const valueTypeSupportByDb = new WeakMap<GraphExecutor, Promise<'valueType' | 'fallback'>>();

/** valueType() exists from Neo4j 5.13; older servers get an equivalent expression (asked once per executor). */
function valueTypeSupport(db: GraphExecutor): Promise<'valueType' | 'fallback'> {
  let support = valueTypeSupportByDb.get(db);
  if (!support) {
    support = db.read(cypher('catalog/value-type-probe')).then(
      () => 'valueType' as const,
      (err: unknown) => {
        if (err instanceof GraphError && err.code === 'QUERY_INVALID') return 'fallback' as const;
        valueTypeSupportByDb.delete(db);
        throw err;
      },
    );
    valueTypeSupportByDb.set(db, support);
  }
  return support;
}

/**
 * Runs a catalog statement for one label or relationship type. Names come from db.labels() /
 * db.relationshipTypes() and are backtick-quoted into their placeholders; every value is a parameter.
 */
function run(db: GraphExecutor, s: Settings, file: string, names: Record<string, string | readonly string[]>, params: Params): Promise<Row[]> {
  return runText(db, s, cypher(file), names, params);
}

function runText(db: GraphExecutor, s: Settings, template: string, names: Record<string, string | readonly string[]>, params: Params): Promise<Row[]> {
  let query = fillNames(template, names);
  if (s.typeFunction === 'fallback') query = query.split('valueType(value)').join(`(${cypher('catalog/value-type-fallback')})`);
  return db.read(query, params, { timeoutMs: s.timeoutMs });
}

/**
 * Puts quoted names into the `__LABEL__`-style placeholders of a statement, in one pass: a name
 * that itself contains a placeholder (or `$&`) is inserted literally and never rescanned.
 */
export function fillNames(template: string, names: Record<string, string | readonly string[]>): string {
  const filled = template.replace(/__[A-Z]+__/g, (placeholder) => {
    const name = names[placeholder];
    if (name === undefined) throw new Error(`No name given for ${placeholder}`);
    // Several names: a label expression matching any of them (a catalog label's stored labels).
    return typeof name === 'string' ? quoteName(name) : labelExpression(name);
  });
  for (const placeholder of Object.keys(names)) {
    if (!template.includes(placeholder)) throw new Error(`Catalog statement has no ${placeholder}`);
  }
  return filled;
}

function warnOnTimeout(s: Settings, err: unknown, message: string): void {
  if (!(err instanceof GraphError && err.code === 'QUERY_TIMEOUT')) throw err;
  s.warnings.push(message);
  s.logger.warn({ timeoutMs: s.timeoutMs }, message);
}

// ---------------------------------------------------------------------------------------------
// Helpers

function checkInt(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new InputError(`Catalog option ${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}

function groupBy<K>(rows: Row[], key: (row: Row) => K): Map<K, Row[]> {
  const groups = new Map<K, Row[]>();
  for (const row of rows) {
    const k = key(row);
    const group = groups.get(k);
    if (group) group.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}

function byCountThen<T extends { count: number }>(name: (item: T) => string): (a: T, b: T) => number {
  return (a, b) => b.count - a.count || name(a).localeCompare(name(b));
}

// ---------------------------------------------------------------------------------------------
// Cache

export interface CatalogCacheOptions extends Omit<CatalogOptions, 'collections'> {
  /** How long a catalog is reused (default 60 s): bounds staleness after writes by other processes. */
  ttlMs?: number;
  /** Distinct collection sets kept (default 100; the oldest entry goes first). */
  maxEntries?: number;
  /** Clock, for tests. */
  now?: () => number;
  /**
   * Share invalidations with every process on the database: `invalidate()` bumps a version node,
   * and `get()` drops its catalogs when it sees another process's bump (checked at most every
   * `versionCheckMs`, default 1 s: the staleness bound across servers).
   */
  shared?: boolean;
  versionCheckMs?: number;
  /**
   * Keep catalogs on disk here between processes (the CLI), each serving only its database, its
   * collection scope and the database state it was built from (see catalog-store.ts).
   */
  persistDir?: string;
}

const CATALOG_VERSION = 'catalog-version';

/**
 * Catalogs per collection set, reused for `ttlMs`. Writers in this process call `invalidate()`
 * after ingest and import; concurrent callers of the same collections share one build.
 */
export class CatalogCache {
  private readonly entries = new Map<string, { at: number; catalog: Promise<SchemaCatalog> }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly db: GraphExecutor,
    private readonly opts: CatalogCacheOptions = {},
  ) {
    this.ttlMs = opts.ttlMs ?? 60_000;
    this.maxEntries = opts.maxEntries ?? 100;
    this.now = opts.now ?? Date.now;
  }

  /** Concurrent callers of one collection set share one build (the same promise, when not shared). */
  get(collections?: string[]): Promise<SchemaCatalog> {
    if (!this.opts.shared) return this.cached(collections);
    return this.checkVersion().then(() => this.cached(collections));
  }

  private cached(collections?: string[]): Promise<SchemaCatalog> {
    const key = collections ? JSON.stringify([...new Set(collections)].sort()) : '*';
    const hit = this.entries.get(key);
    if (hit && this.now() - hit.at < this.ttlMs) return hit.catalog;
    const entry = { at: this.now(), catalog: this.loadOrBuild(collections) };
    this.entries.delete(key);
    this.entries.set(key, entry);
    // A failed build is not kept: the next caller tries again.
    entry.catalog.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry.catalog;
  }

  private async loadOrBuild(collections: string[] | undefined): Promise<SchemaCatalog> {
    const { ttlMs: _ttl, maxEntries: _max, now: _now, shared: _shared, versionCheckMs: _check, persistDir, ...buildOptions } = this.opts;
    const build = () => buildCatalog(this.db, { ...buildOptions, ...(collections ? { collections } : {}) });
    if (!persistDir) return build();
    const { CatalogStore } = await import('./catalog-store.ts');
    const store = new CatalogStore(persistDir, this.opts.logger);
    // The stamp is read before the build: a write racing the build only makes the file look older than it is.
    const { stamp } = await this.db.readStamped(cypher('system/version-get'), { name: CATALOG_VERSION });
    if (!stamp) return build();
    const key = { identity: this.db.identity, scope: collections ? [...new Set(collections)].sort() : null, stamp };
    const stored = await store.load(key);
    if (stored) return stored;
    const catalog = await build();
    await store.save(key, catalog);
    return catalog;
  }

  private version: number | undefined;
  private checkedAt = 0;
  private checking: Promise<void> | undefined;

  /** Drops the catalogs when another process has bumped the shared version since the last look. */
  private checkVersion(): Promise<void> {
    if (this.now() - this.checkedAt < (this.opts.versionCheckMs ?? 1000)) return Promise.resolve();
    this.checking ??= (async () => {
      try {
        const [row] = await this.db.read(cypher('system/version-get'), { name: CATALOG_VERSION });
        const version = Number(row?.version ?? 0);
        if (this.version !== undefined && version !== this.version) this.entries.clear();
        this.version = version;
        this.checkedAt = this.now();
      } catch (err) {
        // A missed check only delays a refresh; the read that follows reports a real outage.
        this.opts.logger?.debug({ err: (err as Error).message }, 'catalog version not read');
      } finally {
        this.checking = undefined;
      }
    })();
    return this.checking;
  }

  /** Forgets every catalog: the next get() reads the graph again (in every process, when shared). */
  invalidate(): void {
    this.entries.clear();
    if (!this.opts.shared) return;
    void this.db
      .write(cypher('system/version-bump'), { name: CATALOG_VERSION })
      .then(([row]) => {
        const version = Number(row?.version ?? 0);
        // Our own bump needs no second refresh; a concurrent one from elsewhere still shows up.
        if (this.version === undefined || version === this.version + 1) this.version = version;
      })
      .catch((err: unknown) => this.opts.logger?.warn({ err: (err as Error).message }, 'catalog version not bumped; other servers refresh within their TTL'));
  }
}
