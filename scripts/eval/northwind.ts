/**
 * Northwind text2cypher groundwork: loads the Northwind graph into the shared Neo4j next to kgrag's
 * data, computes gold answers by running the reference Cypher, and compares answers by value.
 *   npx tsx scripts/eval/northwind.ts --load [--gold out.json] [--bench ../shared/bench]
 *
 * The load translates the official `northwind.cypher` statement by statement: same labels, MERGE
 * keys, property conversions, constraints and relationships; only LOAD CSV from a URL becomes local
 * CSV rows sent as UNWIND parameters. Like LOAD CSV, every value stays a string (including the
 * literal "NULL" of the CSVs) unless the script converts it, and an empty unquoted field is null.
 * The script loads neither employees, shippers, regions nor territories: neither does this.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { loadConfig } from '../../src/config/index.ts';
import { GraphExecutor, type Row } from '../../src/graph/executor.ts';
import { silentLogger } from '../../src/logging.ts';

/** Bump when the load changes: a graph loaded by another version is loaded again (MERGE makes that safe). */
export const NORTHWIND_VERSION = 1;
const MARKER_KEY = 'bench-northwind';
const BATCH = 500;
const GOLD_TIMEOUT_MS = 10_000;

export const NORTHWIND_LABELS = ['Product', 'Category', 'Supplier', 'Customer', 'Order'] as const;

export interface NorthwindQuestion {
  id: string;
  question: string;
  type: string;
  reference_cypher: string;
}

export interface GoldAnswer {
  id: string;
  type: string;
  question: string;
  /** Rows as value tuples in RETURN order; nodes and relationships reduced to their properties. */
  gold: unknown[][] | null;
  /** Whether row order is part of the answer (the reference Cypher has ORDER BY). */
  ordered: boolean;
  error?: string;
}

type Log = (line: string) => void;

const CONSTRAINTS = [
  'CREATE CONSTRAINT Product_productID IF NOT EXISTS FOR (p:Product) REQUIRE (p.productID) IS UNIQUE',
  'CREATE CONSTRAINT Category_categoryID IF NOT EXISTS FOR (c:Category) REQUIRE (c.categoryID) IS UNIQUE',
  'CREATE CONSTRAINT Supplier_supplierID IF NOT EXISTS FOR (s:Supplier) REQUIRE (s.supplierID) IS UNIQUE',
  'CREATE CONSTRAINT Customer_customerID IF NOT EXISTS FOR (c:Customer) REQUIRE (c.customerID) IS UNIQUE',
  'CREATE CONSTRAINT Order_orderID IF NOT EXISTS FOR (o:Order) REQUIRE (o.orderID) IS UNIQUE',
];

/**
 * The script's steps in its order. `csv` steps run once per batch of rows; the others once. The
 * `collection IS NULL` conditions never change the result on a graph that passed the pre-check; they
 * keep kgrag nodes out even if one appears during the load.
 */
const STEPS: Array<{ csv?: string; cypher: string }> = [
  {
    csv: 'products.csv',
    cypher: `UNWIND $rows AS row
MERGE (n:Product {productID:row.productID})
SET n += row,
n.unitPrice = toFloat(row.unitPrice),
n.unitsInStock = toInteger(row.unitsInStock), n.unitsOnOrder = toInteger(row.unitsOnOrder),
n.reorderLevel = toInteger(row.reorderLevel), n.discontinued = (row.discontinued <> "0")`,
  },
  { csv: 'categories.csv', cypher: 'UNWIND $rows AS row\nMERGE (n:Category {categoryID:row.categoryID})\nSET n += row' },
  { csv: 'suppliers.csv', cypher: 'UNWIND $rows AS row\nMERGE (n:Supplier {supplierID:row.supplierID})\nSET n += row' },
  {
    cypher: `MATCH (p:Product),(c:Category)
WHERE p.categoryID = c.categoryID AND p.collection IS NULL AND c.collection IS NULL
MERGE (p)-[:PART_OF]->(c)`,
  },
  {
    cypher: `MATCH (p:Product),(s:Supplier)
WHERE p.supplierID = s.supplierID AND p.collection IS NULL AND s.collection IS NULL
MERGE (s)-[:SUPPLIES]->(p)`,
  },
  { csv: 'customers.csv', cypher: 'UNWIND $rows AS row\nMERGE (n:Customer {customerID:row.customerID})\nSET n += row' },
  { csv: 'orders.csv', cypher: 'UNWIND $rows AS row\nMERGE (n:Order {orderID:row.orderID})\nSET n += row' },
  {
    cypher: `MATCH (c:Customer),(o:Order)
WHERE c.customerID = o.customerID AND c.collection IS NULL AND o.collection IS NULL
MERGE (c)-[:PURCHASED]->(o)`,
  },
  {
    csv: 'order-details.csv',
    cypher: `UNWIND $rows AS row
MATCH (p:Product), (o:Order)
WHERE p.productID = row.productID AND o.orderID = row.orderID AND p.collection IS NULL AND o.collection IS NULL
MERGE (o)-[details:ORDERS]->(p)
SET details = row,
details.quantity = toInteger(row.quantity)`,
  },
];

/**
 * CSV rows the way LOAD CSV WITH HEADERS yields them: strings, null for an empty unquoted field, and
 * fields beyond the header dropped (unquoted commas in 176 orders and 9 suppliers shift their
 * columns: the official graph has them shifted too, and the reference answers were computed on it).
 */
export function readCsv(file: string): Array<Record<string, string | null>> {
  const records = parse(readFileSync(file), {
    bom: true,
    relax_column_count: true,
    skip_empty_lines: true,
    cast: (value, context) => (value === '' && !context.quoting ? null : value),
  }) as Array<Array<string | null>>;
  const [header, ...rows] = records;
  if (!header) return [];
  return rows.map((fields) => Object.fromEntries(header.map((name, i) => [String(name), fields[i] ?? null])));
}

/** Northwind nodes and relationships (kgrag nodes excluded: PART_OF is also kgrag's chunk-to-document type). */
async function countNorthwind(db: GraphExecutor): Promise<{ nodes: number; relationships: number; byLabel: Record<string, number> }> {
  const byLabel: Record<string, number> = {};
  for (const label of NORTHWIND_LABELS) {
    const [row] = await db.read(`MATCH (n:${label}) WHERE n.collection IS NULL RETURN count(n) AS c`);
    byLabel[label] = Number(row?.c ?? 0);
  }
  const [rels] = await db.read(
    `CALL () { MATCH (:Product)-[r:PART_OF]->(:Category) RETURN count(r) AS c
       UNION ALL MATCH (:Supplier)-[r:SUPPLIES]->(:Product) RETURN count(r) AS c
       UNION ALL MATCH (:Customer)-[r:PURCHASED]->(:Order) RETURN count(r) AS c
       UNION ALL MATCH (:Order)-[r:ORDERS]->(:Product) RETURN count(r) AS c }
     RETURN sum(c) AS c`,
  );
  const nodes = Object.values(byLabel).reduce((a, b) => a + b, 0);
  return { nodes, relationships: Number(rels?.c ?? 0), byLabel };
}

export async function loadNorthwind(
  db: GraphExecutor,
  benchDir: string,
  log: Log,
): Promise<{ nodes: number; relationships: number; skipped: boolean }> {
  const [marker] = await db.read('MATCH (m:KgragMeta {key: $key}) RETURN m.version AS version', { key: MARKER_KEY });
  if (marker?.version === NORTHWIND_VERSION) {
    const counts = await countNorthwind(db);
    log(`northwind: already loaded (version ${NORTHWIND_VERSION}): ${counts.nodes} nodes, ${counts.relationships} relationships`);
    return { nodes: counts.nodes, relationships: counts.relationships, skipped: true };
  }
  // MERGE on these labels would adopt kgrag nodes and the constraints would bind kgrag imports: refuse.
  for (const label of NORTHWIND_LABELS) {
    const [row] = await db.read(`MATCH (n:${label}) WHERE n.collection IS NOT NULL RETURN count(n) AS c`);
    if (Number(row?.c ?? 0) > 0) {
      throw new Error(`northwind: ${row?.c} kgrag node(s) carry the label ${label}; refusing to load Northwind into this database`);
    }
  }
  const started = performance.now();
  for (const statement of CONSTRAINTS) await db.runSchema(statement);
  const importDir = path.join(benchDir, 'northwind', 'import');
  for (const step of STEPS) {
    if (!step.csv) {
      await db.write(step.cypher);
      continue;
    }
    const rows = readCsv(path.join(importDir, step.csv));
    for (let i = 0; i < rows.length; i += BATCH) await db.write(step.cypher, { rows: rows.slice(i, i + BATCH) });
    log(`northwind: ${step.csv}: ${rows.length} rows`);
  }
  // Written last, so that an interrupted load is simply run again.
  await db.write('MERGE (m:KgragMeta {key: $key}) SET m.version = $version, m.loadedAt = datetime()', {
    key: MARKER_KEY,
    version: NORTHWIND_VERSION,
  });
  const counts = await countNorthwind(db);
  const seconds = (performance.now() - started) / 1000;
  log(
    `northwind: loaded in ${seconds.toFixed(1)} s: ${counts.nodes} nodes (${Object.entries(counts.byLabel)
      .map(([l, c]) => `${l} ${c}`)
      .join(', ')}), ${counts.relationships} relationships`,
  );
  return { nodes: counts.nodes, relationships: counts.relationships, skipped: false };
}

/** Row order matters when the reference orders its results (anywhere, e.g. before a LIMIT in a WITH). */
export function isOrdered(cypher: string): boolean {
  return /\bORDER\s+BY\b/i.test(cypher);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reduces what GraphExecutor returns to comparable values: nodes and relationships (already plain
 * objects with elementId/labels/type) become their property maps, paths the list of their nodes.
 * Element ids are dropped: they differ between databases and mean nothing to an answer.
 */
export function plainValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(plainValue);
  if (!isRecord(value)) return value;
  if ('elementId' in value && 'properties' in value && ('labels' in value || 'type' in value)) {
    return plainValue(value.properties);
  }
  if ('start' in value && 'end' in value && Array.isArray(value.segments)) {
    const segments = value.segments.filter(isRecord);
    return [plainValue(value.start), ...segments.map((s) => plainValue(s.end))];
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainValue(v)]));
}

export function rowsToTuples(rows: Row[]): unknown[][] {
  return rows.map((row) => Object.values(row).map(plainValue));
}

/** Runs every reference query read-only (a READ session: Neo4j rejects writes in it) with a 10 s limit. */
export async function goldAnswers(db: GraphExecutor, questions: NorthwindQuestion[]): Promise<GoldAnswer[]> {
  const out: GoldAnswer[] = [];
  for (const q of questions) {
    const base = { id: q.id, type: q.type, question: q.question, ordered: isOrdered(q.reference_cypher) };
    try {
      const rows = await db.read(q.reference_cypher, {}, { timeoutMs: GOLD_TIMEOUT_MS });
      out.push({ ...base, gold: rowsToTuples(rows) });
    } catch (err) {
      out.push({ ...base, gold: null, error: err instanceof Error ? err.message : String(err) });
    }
  }
  return out;
}

const REL_TOLERANCE = 1e-6;

function asNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  // Northwind keeps most numbers as strings ("14.00"): an answer may rightly return them as numbers.
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

/** One gold cell against one answer cell. */
function valuesMatch(expected: unknown, actual: unknown): boolean {
  if (expected === actual) return true;
  if (expected === null || actual === null || expected === undefined || actual === undefined) return false;
  if (typeof expected === 'number' || typeof actual === 'number') {
    const a = asNumber(expected);
    const b = asNumber(actual);
    if (a === null || b === null) return false;
    return Math.abs(a - b) <= REL_TOLERANCE * Math.max(Math.abs(a), Math.abs(b)) || Math.abs(a - b) < 1e-12;
  }
  if (typeof expected === 'string' && typeof actual === 'string') return expected === actual;
  if (Array.isArray(expected) && Array.isArray(actual)) {
    // Lists come mostly from collect(), whose order is arbitrary.
    return multisetMatch(expected, actual, valuesMatch);
  }
  if (isRecord(expected) && isRecord(actual)) {
    const keys = Object.keys(expected);
    return (
      keys.length === Object.keys(actual).length &&
      keys.every((k) => k in actual && valuesMatch(expected[k], actual[k]))
    );
  }
  // A gold node (property map) against a scalar: the answer named it by one of its properties.
  if (isRecord(expected) && !Array.isArray(actual) && !isRecord(actual)) {
    return Object.values(expected).some((v) => valuesMatch(v, actual));
  }
  return false;
}

/** Greedy multiset matching: enough for exact values; with tolerances, near-ties could in theory mislead it. */
function multisetMatch<T>(expected: T[], actual: T[], eq: (a: T, b: T) => boolean): boolean {
  if (expected.length !== actual.length) return false;
  const used = new Array<boolean>(actual.length).fill(false);
  for (const e of expected) {
    const j = actual.findIndex((a, i) => !used[i] && eq(e, a));
    if (j < 0) return false;
    used[j] = true;
  }
  return true;
}

function sequenceMatch<T>(expected: T[], actual: T[], eq: (a: T, b: T) => boolean): boolean {
  return expected.length === actual.length && expected.every((e, i) => eq(e, actual[i] as T));
}

/** Rows match when their cells pair up one to one, in any column order (column names are never compared). */
function rowsMatch(expected: unknown[], actual: unknown[]): boolean {
  return multisetMatch(expected, actual, valuesMatch);
}

function column(rows: unknown[][], j: number): unknown[][] {
  return rows.map((r) => [r[j]]);
}

/**
 * Whether `actual` answers like `expected` (both as row value tuples).
 * - Cells: numbers within 1e-6 relative (a numeric string counts as its number, since Northwind
 *   stores most numbers as strings); lists as multisets; maps key by key; a gold node (its property
 *   map) also matches a scalar equal to one of its properties (references often RETURN whole nodes).
 * - Rows: column names and column order are ignored: a row matches when its cells pair up.
 * - Row sets: a multiset comparison, or in sequence when `ordered` (reference has ORDER BY).
 * - Projections: when one side has a single column and the other several, it is enough that the
 *   single column matches one column of the other side (an answer that returns only the names the
 *   reference returns with their counts, or the names plus extra details). Lenient by design: the
 *   reference Cypher is noisy, and it is the values asked for that matter.
 * - Empty gold matches only an empty answer.
 */
export function compareAnswers(expected: unknown[][], actual: unknown[][], opts: { ordered?: boolean } = {}): boolean {
  const rowSets = opts.ordered ? sequenceMatch<unknown[]> : multisetMatch<unknown[]>;
  if (expected.length !== actual.length) return false;
  if (expected.length === 0) return true;
  if (rowSets(expected, actual, rowsMatch)) return true;
  if (opts.ordered && tiesMatch(expected, actual)) return true;
  const width = (rows: unknown[][]) => rows[0]?.length ?? 0;
  const [we, wa] = [width(expected), width(actual)];
  if (wa === 1 && we > 1) {
    for (let j = 0; j < we; j++) if (rowSets(column(expected, j), actual, rowsMatch)) return true;
  }
  if (we === 1 && wa > 1) {
    for (let j = 0; j < wa; j++) if (rowSets(expected, column(actual, j), rowsMatch)) return true;
  }
  return false;
}

/**
 * A ranking cut by LIMIT in the middle of a tie has no single right answer: the reference keeps
 * whichever tied rows the database met first. Rankings match when some column holds the same
 * sequence of numbers on both sides and the rows agree group by group, the last (cut) group only
 * by how many rows it has.
 */
function tiesMatch(expected: unknown[][], actual: unknown[][]): boolean {
  const width = (rows: unknown[][]) => rows[0]?.length ?? 0;
  for (let je = 0; je < width(expected); je++) {
    const ev = expected.map((r) => asNumber(r[je]));
    if (ev.some((v) => v === null)) continue;
    for (let ja = 0; ja < width(actual); ja++) {
      const av = actual.map((r) => asNumber(r[ja]));
      if (!ev.every((v, i) => av[i] !== null && valuesMatch(v, av[i]))) continue;
      const last = ev[ev.length - 1];
      const rest = (rows: unknown[][], j: number) => rows.filter((_, i) => !valuesMatch(ev[i], last)).map((r) => r.filter((_, k) => k !== j));
      // Rows before the cut group must be the same rows (in any order within their ties).
      if (multisetMatch(rest(expected, je), rest(actual, ja), rowsMatch) || multisetMatch(rest(expected, je).map((r) => r.slice(0, 1)), rest(actual, ja).map((r) => r.slice(0, 1)), rowsMatch)) return true;
    }
  }
  return false;
}

export function readQuestions(benchDir: string): NorthwindQuestion[] {
  return JSON.parse(readFileSync(path.join(benchDir, 'northwind', 'questions.json'), 'utf8')) as NorthwindQuestion[];
}

/** Per question type: how many references return rows, return nothing, or fail. */
export function summarizeGold(answers: GoldAnswer[]): Record<string, { questions: number; withRows: number; empty: number; failed: number }> {
  const summary: Record<string, { questions: number; withRows: number; empty: number; failed: number }> = {};
  for (const a of [...answers, ...answers.map((x) => ({ ...x, type: 'ALL' }))]) {
    const s = (summary[a.type] ??= { questions: 0, withRows: 0, empty: 0, failed: 0 });
    s.questions++;
    if (a.gold === null) s.failed++;
    else if (a.gold.length === 0) s.empty++;
    else s.withRows++;
  }
  return summary;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      load: { type: 'boolean', default: false },
      gold: { type: 'string' },
      bench: { type: 'string', default: path.resolve(import.meta.dirname, '../../../shared/bench') },
    },
  });
  if (!values.load && !values.gold) throw new Error('Usage: northwind.ts [--load] [--gold OUT.json] [--bench DIR]');
  const log: Log = (line) => process.stdout.write(line + '\n');
  const db = await GraphExecutor.connect(loadConfig().neo4j, silentLogger());
  try {
    if (values.load) await loadNorthwind(db, values.bench, log);
    if (values.gold) {
      const started = performance.now();
      const answers = await goldAnswers(db, readQuestions(values.bench));
      const summary = summarizeGold(answers);
      log(`northwind gold: ${answers.length} questions in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      for (const [type, s] of Object.entries(summary)) {
        log(`  ${type.padEnd(28)} ${String(s.questions).padStart(4)} questions, ${s.withRows} with rows, ${s.empty} empty, ${s.failed} failed`);
      }
      for (const a of answers.filter((x) => x.error)) log(`  failed ${a.id}: ${a.error?.split('\n', 1)[0]}`);
      writeFileSync(values.gold, JSON.stringify({ summary, answers }, null, 1));
      log(`northwind gold: written to ${values.gold}`);
    }
  } finally {
    await db.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
