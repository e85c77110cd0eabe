/**
 * The parser's query specification, and its compilation to one parameterised Cypher statement.
 * Every value is a parameter; every label, type and property name comes from the schema catalog
 * and is quoted. Every node the statement matches is restricted to the caller's collections.
 */
import { inScope, quoteName } from '../graph/cypher.ts';
import { int, type Params } from '../graph/executor.ts';

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | 'contains' | 'startsWith' | 'endsWith' | 'in' | 'notIn' | 'isNull' | 'isNotNull';

export interface Condition {
  property: string;
  op: CompareOp;
  /** A date condition is compared with `date(...)`; a string date (foreign graphs) as text. */
  value: string | number | boolean | Array<string | number | boolean>;
  /** `numericText`: a number stored as text (common in CSV-loaded graphs), compared as a number. */
  kind: 'string' | 'number' | 'boolean' | 'date' | 'numericText';
  /** Compared with the average of the property over every node of the label ("above the average price"), not with `value`. */
  average?: boolean;
  /** Only nodes that have the property at all (the "employees" subset of Person). */
}

export interface NodeSpec {
  v: string;
  label: string;
  /** Particular nodes (named in the question), by element id, with the name the question used. */
  ids?: string[];
  names?: string[];
  conditions: Condition[];
  /** Property that must be present (a subset named by a noun: "employees"). */
  requires?: string;
}

/** One hop of a path; `dir` is the direction from `from` to `to`. */
export interface EdgeSpec {
  from: string;
  to: string;
  type: string;
  dir: 'out' | 'in';
  /** Variable-length hierarchy walk (1..maxHops); exact `hops` otherwise. */
  hops?: number;
  variable?: boolean;
  /** Variable of the relationship, when its properties are filtered, ranked or aggregated ("quantity" of ORDERS). */
  v?: string;
  conditions?: Condition[];
}

/** A pattern that must (or must not) exist from the target: "tasks with no assignee". */
export interface ExistsSpec {
  negated: boolean;
  edges: EdgeSpec[];
  nodes: NodeSpec[];
  /** Instead of existence: how many distinct far-end nodes ("more than one category") or paths ("ordered more than 10 times"). */
  count?: { op: CompareOp; value: number; distinct: boolean };
  /** Ranked by: every path counts ("borrowed the most times"), not only distinct far-end nodes. */
  occurrences?: boolean;
}

export type Aggregate = 'count' | 'sum' | 'avg' | 'min' | 'max';

export type ResultSpec =
  /** `first`: "the first 3 orders" keeps the graph's own order instead of sorting by name. */
  /** `byName`: nodes told apart by nothing but a display name that repeats: each name once, with how many nodes bear it. */
  /** `related`: names of related nodes asked for as a column ("machines and their types"), one list per row; or their `property` ("… and what year was it released"). */
  | { kind: 'list'; properties: string[]; first?: number; byName?: boolean; related?: Array<{ node: string; column: string; property?: string }> }
  | { kind: 'count' }
  /** A yes/no question: whether any node meets the conditions. */
  | { kind: 'check' }
  /** The nodes above the target along a hierarchy relationship, nearest first ("chain of command"). */
  | { kind: 'chain'; type: string }
  | { kind: 'aggregate'; fn: Aggregate; node: string; property: string; asNumber?: boolean }
  | { kind: 'value'; node: string; property: string; temporal?: 'years' | 'days' | 'until-days'; asOf?: string }
  | {
      kind: 'rank';
      /** Ordered by a property of the target, or by how many related nodes it has (`count`), or an aggregate of a related node's property. */
      by: { node: string; property: string; fn?: Aggregate; asNumber?: boolean } | { count: ExistsSpec };
      descending: boolean;
      limit: number;
      /** Keep everything tied with the last place (a "who has the most" question). */
      withTies: boolean;
      /** Group by a property of the target instead of ranking the targets themselves. */
      groupBy?: string;
      /** The target's own key ("orderID"), returned beside its display name, which need not be unique. */
      key?: string;
      /** The target's property named like its label (a Grade's `grade`), returned beside its display name. */
      own?: string;
    }
  /** `limit` / `ascending`: "the 3 most common countries", "the least common". */
  | { kind: 'group'; groupBy: string; fn: Aggregate; property?: string; limit?: number; ascending?: boolean };

export interface QuerySpec {
  /** The first node is the target: what the question asks about. */
  nodes: NodeSpec[];
  edges: EdgeSpec[];
  exists: ExistsSpec[];
  result: ResultSpec;
  /** Display-name property per label, for answers. */
  nameProperty: Record<string, string | undefined>;
  limit: number;
}

export interface CompiledQuery {
  query: string;
  params: Params;
  /** Columns that carry the answer: names of nodes, or values. */
  answerColumn: string;
}

/**
 * `labelOf` writes a catalog label as Cypher: by default the label itself; for a catalog label
 * that stands for several stored labels (kgrag's `Kgrag_Person` beside a graph's `Person`), the
 * catalog's label expression (see `labelMatcher` in src/graph/catalog.ts).
 */
export function compile(spec: QuerySpec, collections: string[] | null, labelOf: (label: string) => string = quoteName): CompiledQuery {
  const params: Params = {};
  let n = 0;
  const param = (value: unknown): string => {
    const name = `p${n++}`;
    params[name] = value;
    return `$${name}`;
  };
  if (collections) params.collections = collections;
  const scope = (v: string) => (collections ? [inScope(v)] : []);

  const nodeWhere = (node: NodeSpec): string[] => [
    ...scope(node.v),
    ...(node.ids ? [`elementId(${node.v}) IN ${param(node.ids)}`] : []),
    ...(node.requires ? [`${node.v}.${quoteName(node.requires)} IS NOT NULL`] : []),
    ...node.conditions.map((c) => (c.average ? averageCondition(node, c) : condition(node.v, c, param))),
  ];
  /** `x.price > COLLECT { MATCH (avg:L) WHERE <scope> RETURN avg(avg.price) }[0]`: the average over the caller's nodes of the label. */
  const averageCondition = (node: NodeSpec, c: Condition): string => {
    const a = `avg_${node.v}`;
    const value = (v: string) => (c.kind === 'numericText' ? `toFloat(${v}.${quoteName(c.property)})` : `${v}.${quoteName(c.property)}`);
    const where = scope(a);
    return `${value(node.v)} ${c.op} COLLECT { MATCH (${a}:${labelOf(node.label)})${where.length ? ` WHERE ${where.join(' AND ')}` : ''} RETURN avg(${value(a)}) }[0]`;
  };
  const pattern = (e: EdgeSpec, labels: Map<string, string>, bound: Set<string>) => {
    const end = (v: string) => (bound.has(v) ? `(${v})` : `(${v}:${labelOf(labels.get(v)!)})`);
    const length = e.variable ? `*1..${e.hops ?? 6}` : e.hops && e.hops > 1 ? `*${e.hops}` : '';
    const rel = `[${e.v ?? ''}:${quoteName(e.type)}${length}]`;
    return e.dir === 'out' ? `${end(e.from)}-${rel}->${end(e.to)}` : `${end(e.from)}<-${rel}-${end(e.to)}`;
  };

  const labels = new Map(spec.nodes.map((x) => [x.v, x.label]));
  const target = spec.nodes[0]!;
  const lines: string[] = [];
  const bound = new Set<string>();
  lines.push(`MATCH (${target.v}:${labelOf(target.label)})`);
  const where = nodeWhere(target);
  for (const ex of spec.exists) where.push(existsClause(ex, labels, bound, target.v, nodeWhere, pattern, param));
  if (where.length) lines.push(`WHERE ${where.join(' AND ')}`);
  bound.add(target.v);
  for (const e of spec.edges) {
    const fresh = bound.has(e.from) ? e.to : e.from;
    // A variable-length walk is named so that its intermediate nodes can be scoped too.
    lines.push(`MATCH ${e.variable ? `walk_${fresh} = ` : ''}${pattern(e, labels, bound)}`);
    const node = spec.nodes.find((x) => x.v === fresh);
    const w = node ? nodeWhere(node) : scope(fresh);
    if (collections && e.variable) w.push(`all(x IN nodes(walk_${fresh}) WHERE ${inScope('x')})`);
    if (e.v) w.push(...(e.conditions ?? []).map((c) => condition(e.v!, c, param)));
    if (w.length) lines.push(`WHERE ${w.join(' AND ')}`);
    bound.add(fresh);
  }
  const t = target.v;
  const name = (v: string) => {
    const p = spec.nameProperty[labels.get(v)!];
    return p ? `${v}.${quoteName(p)}` : `elementId(${v})`;
  };
  // Created on first use, so that a statement carries no parameter it does not use. One row more
  // than the cap: the read-only guard cuts it off and so can tell a list that went on ("1,634
  // machines" must not read as "1000 machines").
  let limitParam: string | undefined;
  const limitOf = () => (limitParam ??= param(int(spec.limit + 1)));
  const r = spec.result;
  let answerColumn = 'name';
  switch (r.kind) {
    case 'count':
      lines.push(`RETURN count(DISTINCT ${t}) AS count`);
      answerColumn = 'count';
      break;
    case 'chain': {
      // The longest walk: up to a node with nowhere further to go (cycles stop at 20 hops).
      lines.push(`MATCH walk = (${t})-[:${quoteName(r.type)}*1..20]->(top)`);
      lines.push(`WHERE NOT (top)-[:${quoteName(r.type)}]->()${collections ? ` AND all(x IN nodes(walk) WHERE ${inScope('x')})` : ''}`);
      lines.push(`WITH walk ORDER BY length(walk) DESC LIMIT 1`);
      lines.push(`UNWIND range(1, length(walk)) AS level`);
      const p = spec.nameProperty[target.label];
      lines.push(`RETURN ${p ? `nodes(walk)[level].${quoteName(p)}` : 'elementId(nodes(walk)[level])'} AS name, level ORDER BY level`);
      break;
    }
    case 'check':
      lines.push(`RETURN count(DISTINCT ${t}) > 0 AS answer, collect(DISTINCT ${name(t)})[..10] AS names`);
      answerColumn = 'answer';
      break;
    case 'aggregate': {
      lines.push(`WITH DISTINCT ${r.node}`);
      const v = r.asNumber ? `toFloat(${r.node}.${quoteName(r.property)})` : `${r.node}.${quoteName(r.property)}`;
      lines.push(`RETURN ${r.fn}(${v}) AS value, count(${v}) AS over`);
      answerColumn = 'value';
      break;
    }
    case 'group': {
      const agg = r.property ? `${r.fn}(${t}.${quoteName(r.property)})` : 'count(*)';
      lines.push(`WITH DISTINCT ${t}`);
      lines.push(`WHERE ${t}.${quoteName(r.groupBy)} IS NOT NULL`);
      lines.push(`RETURN ${t}.${quoteName(r.groupBy)} AS name, ${agg} AS value ORDER BY value ${r.ascending ? 'ASC' : 'DESC'}, name LIMIT ${r.limit ? param(int(r.limit)) : limitOf()}`);
      break;
    }
    case 'value': {
      const value = `${r.node}.${quoteName(r.property)}`;
      if (!r.temporal) {
        // A node without the property has no answer to give (not "unknown" as if it were one).
        lines.push(`WITH DISTINCT ${r.node} WHERE ${value} IS NOT NULL`);
        lines.push(`RETURN ${name(r.node)} AS name, ${value} AS value LIMIT ${limitOf()}`);
        answerColumn = 'value';
        break;
      }
      // Durations against the reference date; text dates (foreign graphs) by their first ten characters.
      const day = `CASE WHEN ${value} IS :: DATE THEN ${value} WHEN ${value} IS :: INTEGER THEN date({year: ${value}}) ELSE date(left(toString(${value}), 10)) END`;
      const asOf = `date(${param(r.asOf)})`;
      lines.push(`WITH DISTINCT ${r.node} WHERE ${value} IS NOT NULL`);
      lines.push(`WITH ${r.node}, ${day} AS day`);
      if (r.temporal === 'years') {
        lines.push(`RETURN ${name(r.node)} AS name, day AS value, round(duration.inDays(day, ${asOf}).days / 365.25, 1) AS years LIMIT ${limitOf()}`);
        answerColumn = 'years';
      } else {
        const days = r.temporal === 'days' ? `duration.inDays(day, ${asOf}).days` : `duration.inDays(${asOf}, day).days`;
        lines.push(`RETURN ${name(r.node)} AS name, day AS value, ${days} AS days LIMIT ${limitOf()}`);
        answerColumn = 'days';
      }
      break;
    }
    case 'list': {
      // A count the question filtered on ("more than 5 products") is part of the answer: return it.
      const counted = spec.exists
        .filter((ex) => ex.count && !ex.negated)
        .map((ex, i) => `, ${existsClause({ ...ex, counted: true }, labels, bound, t, nodeWhere, pattern, param)} AS ${i === 0 ? 'count' : `count${i + 1}`}`)
        .join('');
      const related = r.related ?? [];
      const extra = r.properties.map((p) => `, ${t}.${quoteName(p)} AS ${quoteName(p)}`).join('') + counted + related.map((x) => `, ${quoteName(x.column)}`).join('');
      lines.push(related.length ? `WITH ${t}${related.map((x) => `, collect(DISTINCT ${x.property ? `${x.node}.${quoteName(x.property)}` : name(x.node)}) AS ${quoteName(x.column)}`).join('')}` : `WITH DISTINCT ${t}`);
      if (r.byName && !extra) {
        lines.push(`WITH ${name(t)} AS name, count(*) AS nodes`);
        lines.push(r.first ? `RETURN name, nodes LIMIT ${param(int(r.first))}` : `RETURN name, nodes ORDER BY name LIMIT ${limitOf()}`);
        break;
      }
      lines.push(r.first ? `RETURN ${name(t)} AS name${extra} LIMIT ${param(int(r.first))}` : `RETURN ${name(t)} AS name${extra} ORDER BY name LIMIT ${limitOf()}`);
      break;
    }
    case 'rank': {
      const order = r.descending ? 'DESC' : 'ASC';
      // Fetch a little beyond the limit so that ties at the last place can be kept.
      const fetch = param(int(r.withTies ? r.limit + 50 : r.limit));
      const ranksTargets = !r.groupBy && r.key !== undefined;
      const own = !r.groupBy && r.own ? quoteName(r.own) : undefined;
      const key = (ranksTargets ? `, ${t}.${quoteName(r.key!)} AS key` : '') + (own ? `, ${t}.${own} AS ${own}` : '');
      const keyColumn = ranksTargets ? ', key' : '';
      const ownColumn = own ? `, ${own}` : '';
      if ('count' in r.by) {
        const ex = r.by.count;
        const w = ex.nodes.flatMap((x) => nodeWhere(x));
        lines.push(`WITH DISTINCT ${t}`);
        lines.push(`OPTIONAL MATCH ${ex.edges.map((e) => pattern(e, new Map([...labels, ...ex.nodes.map((x) => [x.v, x.label] as const)]), new Set([t]))).join(', ')}`);
        if (w.length) lines.push(`WHERE ${w.join(' AND ')}`);
        const counted = `${ex.occurrences ? '' : 'DISTINCT '}${ex.nodes[ex.nodes.length - 1]!.v}`;
        if (r.groupBy) {
          lines.push(`WITH ${t}.${quoteName(r.groupBy)} AS name, count(${counted}) AS value WHERE name IS NOT NULL`);
        } else {
          lines.push(`WITH ${t}, count(${counted}) AS value`);
          lines.push(`WITH ${name(t)} AS name${key}, value`);
        }
        lines.push(`RETURN name${keyColumn}${ownColumn}, value ORDER BY value ${order}, name${keyColumn} LIMIT ${fetch}`);
      } else {
        const by = r.by;
        const expr = by.asNumber ? `toFloat(${by.node}.${quoteName(by.property)})` : `${by.node}.${quoteName(by.property)}`;
        if (r.groupBy) {
          lines.push(`WITH DISTINCT ${t}`);
          lines.push(`WITH ${t}.${quoteName(r.groupBy)} AS name, ${by.fn ?? 'sum'}(${expr}) AS value WHERE name IS NOT NULL`);
        } else if (by.fn) {
          lines.push(`WITH ${t}, ${by.fn}(${expr}) AS value`);
          lines.push(`WITH ${name(t)} AS name${key}, value`);
        } else {
          lines.push(`WITH DISTINCT ${t}${by.node !== t ? `, ${by.node}` : ''}`);
          lines.push(`WITH ${name(t)} AS name${key}, ${expr} AS value WHERE value IS NOT NULL`);
        }
        lines.push(`RETURN name${keyColumn}${ownColumn}, value ORDER BY value ${order}, name${keyColumn} LIMIT ${fetch}`);
      }
      break;
    }
  }
  return { query: lines.join('\n'), params, answerColumn };
}

/** `counted`: the number of distinct far-end nodes itself, as an expression (not a test). */
function existsClause(
  ex: ExistsSpec & { counted?: boolean },
  labels: Map<string, string>,
  bound: Set<string>,
  target: string,
  nodeWhere: (node: NodeSpec) => string[],
  pattern: (e: EdgeSpec, labels: Map<string, string>, bound: Set<string>) => string,
  param: (value: unknown) => string,
): string {
  const all = new Map([...labels, ...ex.nodes.map((x) => [x.v, x.label] as const)]);
  const paths = ex.edges.map((e) => pattern(e, all, new Set([...bound, target]))).join(', ');
  const w = ex.nodes.flatMap((x) => nodeWhere(x));
  const body = `MATCH ${paths}${w.length ? ` WHERE ${w.join(' AND ')}` : ''}`;
  if (ex.count) {
    const op = ['=', '<>', '<', '<=', '>', '>='].includes(ex.count.op) ? ex.count.op : '>';
    const last = ex.nodes[ex.nodes.length - 1]!.v;
    const counted = ex.count.distinct ? `size(COLLECT { ${body} RETURN DISTINCT ${last} })` : `COUNT { ${body} }`;
    return ex.counted ? counted : `${counted} ${op} ${param(ex.count.value)}`;
  }
  return `${ex.negated ? 'NOT ' : ''}EXISTS { ${body} }`;
}

function condition(v: string, c: Condition, param: (value: unknown) => string): string {
  const prop = `${v}.${quoteName(c.property)}`;
  const value = (x: unknown) => (c.kind === 'date' ? `date(${param(x)})` : param(x));
  if (c.kind === 'numericText' && !['contains', 'startsWith', 'endsWith', 'in', 'notIn', 'isNull', 'isNotNull'].includes(c.op)) {
    return c.op === '<>' ? `coalesce(toFloat(${prop}) <> ${param(c.value)}, true)` : `toFloat(${prop}) ${c.op} ${param(c.value)}`;
  }
  switch (c.op) {
    case 'contains':
      return `toLower(toString(${prop})) CONTAINS toLower(${param(c.value)})`;
    case 'startsWith':
      return `toString(${prop}) STARTS WITH ${param(c.value)}`;
    case 'endsWith':
      return `toString(${prop}) ENDS WITH ${param(c.value)}`;
    // Text placeholders ("", "NULL") count as missing: CSV-loaded graphs are full of them.
    case 'isNull':
      return `(${prop} IS NULL OR toString(${prop}) IN ['', 'NULL'])`;
    case 'isNotNull':
      return `(${prop} IS NOT NULL AND NOT toString(${prop}) IN ['', 'NULL'])`;
    case 'in':
      return c.kind === 'string' ? `toLower(${prop}) IN ${param((c.value as string[]).map((x) => x.toLowerCase()))}` : `${prop} IN ${param(c.value)}`;
    case 'notIn':
      return `NOT coalesce(${c.kind === 'string' ? `toLower(${prop})` : prop} IN ${param(c.kind === 'string' ? (c.value as string[]).map((x) => x.toLowerCase()) : c.value)}, false)`;
    case '=':
      return c.kind === 'string' ? `toLower(${prop}) = toLower(${param(c.value)})` : `${prop} = ${value(c.value)}`;
    case '<>':
      return c.kind === 'string' ? `coalesce(toLower(${prop}) <> toLower(${param(c.value)}), true)` : `coalesce(${prop} <> ${value(c.value)}, true)`;
    default:
      return `${prop} ${c.op} ${value(c.value)}`;
  }
}

/** Rows as the answer wants them: a ranking with ties keeps every row tied with the last place. */
export function finishRows<R extends Record<string, unknown>>(spec: QuerySpec, rows: R[]): R[] {
  const r = spec.result;
  if (r.kind !== 'rank' || !r.withTies || rows.length <= r.limit) return r.kind === 'rank' ? rows.slice(0, r.limit) : rows;
  const last = JSON.stringify(rows[r.limit - 1]!.value);
  let end = r.limit;
  while (end < rows.length && JSON.stringify(rows[end]!.value) === last) end++;
  return rows.slice(0, end);
}
