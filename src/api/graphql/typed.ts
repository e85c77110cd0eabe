import pluralize from 'pluralize';
import type { LabelInfo, PropertyInfo, SchemaCatalog } from '../../graph/catalog.ts';
import { isKgragLabel } from '../../graph/names.ts';

/**
 * GraphQL type definitions for @neo4j/graphql, generated from the live graph's schema catalog of
 * the caller's collections: one type per data label, its properties with a single stable type, and
 * a field per relationship pattern in each direction. Why the catalog and not @neo4j/introspector:
 * the catalog is already restricted to collections (a key never sees label or property names that
 * exist only elsewhere), it leaves out kgrag's own bookkeeping, and the introspector scans the whole
 * graph and pins neo4j-driver 5.
 *
 * Every type is read-only (`@mutation(operations: [])`) and carries an authorization filter on
 * `collection`, which @neo4j/graphql applies to every match, nested traversal and aggregation: data
 * outside the caller's collections is filtered in the database, not after.
 */

const GRAPHQL_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

/**
 * Names the generic schema (schemas/kgrag.graphql) and @neo4j/graphql already use, or that would
 * produce clashing query fields (`stats`, `documents`…): such labels get no typed access.
 */
const RESERVED = new Set(
  [
    'Query', 'Mutation', 'Subscription', 'JSON', 'Int', 'Float', 'String', 'Boolean', 'ID', 'BigInt', 'Date', 'DateTime',
    'LocalDateTime', 'Time', 'LocalTime', 'Duration', 'Point', 'CartesianPoint', 'PageInfo', 'SortDirection', 'JWT',
    'Document', 'Chunk', 'Entity', 'KgragMeta', 'Stat', 'Stats', 'Collection', 'Job', 'Search', 'Ask', 'Schema', 'GraphSchema',
    'Neighbourhood', 'Fact', 'Mention', 'Citation', 'GraphFact', 'GraphNode', 'GraphEdge', 'CypherRun', 'Plan', 'PlanStep',
    'SearchHit', 'SearchMode', 'AskResult', 'CollectionStats', 'DeleteResult', 'EntityDetail', 'EntityFilter', 'EntitySort',
    'EntityRelationship', 'OtherEntity', 'CursorInfo', 'DocumentPage', 'EntityPage',
  ].map((n) => n.toLowerCase()),
);

const SCALARS: Record<string, string> = {
  STRING: 'String',
  FLOAT: 'Float',
  BOOLEAN: 'Boolean',
  DATE: 'Date',
  DATE_TIME: 'DateTime',
  LOCAL_DATE_TIME: 'LocalDateTime',
  LOCAL_TIME: 'LocalTime',
  TIME: 'Time',
  DURATION: 'Duration',
  'LIST<STRING>': '[String!]',
  'LIST<FLOAT>': '[Float!]',
  'LIST<BOOLEAN>': '[Boolean!]',
};
const INT32 = 2 ** 31 - 1;

function fieldType(p: PropertyInfo): string | undefined {
  const types = p.types.filter((t) => t !== 'NULL');
  // Mixed types would fail at read time for some nodes: left out.
  if (types.length !== 1) return undefined;
  const type = types[0]!;
  if (type === 'INTEGER') {
    const small = [p.min, p.max].every((v) => typeof v === 'number' && Math.abs(v) <= INT32);
    return small ? 'Int' : 'BigInt';
  }
  if (type === 'LIST<INTEGER>') return '[BigInt!]';
  return SCALARS[type];
}

/** Stored only as kgrag's own labels (Kgrag_Person): nodes that carry a collection. */
const isKgrag = (l: LabelInfo) => (l.stored ?? [l.label]).every(isKgragLabel);
const camel = (s: string) => s.toLowerCase().replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
const lowerFirst = (s: string) => s.charAt(0).toLowerCase() + s.slice(1);
const upperFirst = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export interface TypedDefinitions {
  typeDefs: string;
  /** Labels with typed access. */
  types: string[];
  /** Labels left out, with the reason. */
  skipped: Array<{ label: string; reason: string }>;
}

/**
 * `filterByCollection`: false only for a graph without collections (a foreign graph) read by a key
 * that grants every collection; then there is nothing to filter by.
 */
export function typedDefinitions(catalog: SchemaCatalog, opts: { filterByCollection: boolean }): TypedDefinitions {
  const skipped: TypedDefinitions['skipped'] = [];
  const labels: LabelInfo[] = [];
  for (const l of catalog.labels) {
    if (!GRAPHQL_NAME.test(l.label) || l.label.startsWith('__')) skipped.push({ label: l.label, reason: 'not a GraphQL name' });
    else if (RESERVED.has(l.label.toLowerCase()) || RESERVED.has(pluralize.singular(l.label).toLowerCase())) {
      skipped.push({ label: l.label, reason: 'name taken by the generic API' });
    } else labels.push(l);
  }
  const included = new Set(labels.map((l) => l.label));
  const fields = new Map<string, Map<string, string>>(labels.map((l) => [l.label, new Map()]));

  for (const l of labels) {
    const own = fields.get(l.label)!;
    own.set('collection', opts.filterByCollection && isKgrag(l) ? 'String!' : 'String');
    for (const p of l.properties) {
      const type = fieldType(p);
      if (type && GRAPHQL_NAME.test(p.name) && !own.has(p.name)) own.set(p.name, type);
    }
  }

  const patterns = catalog.relationships.filter((r) => included.has(r.from) && included.has(r.to) && GRAPHQL_NAME.test(r.type));
  const targets = (from: string, type: string) => new Set(patterns.filter((r) => r.from === from && r.type === type).map((r) => r.to));
  const sources = (to: string, type: string) => new Set(patterns.filter((r) => r.to === to && r.type === type).map((r) => r.from));
  const addField = (label: string, names: string[], definition: string) => {
    const own = fields.get(label)!;
    const name = names.find((n) => !own.has(n));
    if (name) own.set(name, definition);
  };
  for (const r of patterns) {
    // (:Task)-[:ASSIGNED_TO]->(:Person): Task.assignedTo and Person.tasksAssignedTo.
    const out = camel(r.type);
    const outNames = targets(r.from, r.type).size > 1 ? [`${out}${r.to}`] : [out, `${out}${r.to}`];
    addField(r.from, outNames, `[${r.to}!]! @relationship(type: "${r.type}", direction: OUT)`);
    const inName = `${lowerFirst(pluralize(r.from))}${upperFirst(out)}`;
    const inNames = sources(r.to, r.type).size > 1 ? [inName] : [inName, `${inName}In`];
    addField(r.to, inNames, `[${r.from}!]! @relationship(type: "${r.type}", direction: IN)`);
  }

  const authorization = opts.filterByCollection
    ? ' @authorization(filter: [{ where: { node: { collection: { in: "$jwt.collections" } } } }])'
    : '';
  const blocks = labels.map((l) => {
    const body = [...fields.get(l.label)!].map(([name, type]) => `  ${name}: ${type}`).join('\n');
    // A graph kgrag did not build (no `collection` on its nodes) is in the catalog only for callers
    // who hold its scope (@graph), and kgrag never relates its own entities to it: its types need no
    // collection filter. A label both have is served from the graph's own nodes.
    const stored = (l.stored ?? [l.label])[0]!;
    return `type ${l.label} @node(labels: ["${stored}"])${isKgrag(l) ? authorization : ''} @mutation(operations: []) {\n${body}\n}`;
  });
  const jwt = opts.filterByCollection ? 'type JWT @jwt {\n  collections: [String!]!\n}\n\n' : '';
  return { typeDefs: jwt + blocks.join('\n\n') + '\n', types: labels.map((l) => l.label), skipped };
}
