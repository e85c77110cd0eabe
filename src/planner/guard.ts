import { GraphError, UnsafeQueryError } from '../errors.ts';
import { GRAPH_SCOPE } from '../domain/ids.ts';
import type { GraphExecutor, Params, QueryPlanInfo, Row } from '../graph/executor.ts';
import { Tokens, applyEdits, describe, tokenize, unionBranches, type Edit, type Token } from './guard/cypher-tokens.ts';
import { COLLECTIONS_PARAM, FORBIDDEN_WORDS } from './guard/rules.ts';

export { COLLECTIONS_PARAM } from './guard/rules.ts';

export { scopeToCollections } from './guard/scope.ts';
export { tokenize, type Token, type TokenKind } from './guard/cypher-tokens.ts';

/**
 * The safety layer every generated query goes through before it touches the database.
 *
 * `runReadOnly` (every generated query, the parser's and the LLM's):
 *   1. lexical checks on the statement: one statement; no write, admin, LOAD CSV, USE, FOREACH or
 *      `IN TRANSACTIONS` keywords; no EXPLAIN/PROFILE/CYPHER prefix; procedures only from a short
 *      allowlist; no APOC and no user-defined (namespaced) functions outside a few built-in namespaces;
 *   2. a row cap: the final RETURN of every UNION branch gets `LIMIT limit+1` (a smaller LIMIT of
 *      the query is kept) so that `truncated` can be told;
 *   3. `EXPLAIN`: the planner must call it read-only (query type `r`), with no writing or file-reading
 *      operator and no procedure outside the allowlist (LOAD CSV plans as `r`, hence the operator check);
 *   4. a READ transaction with the caller's timeout (the server refuses writes in it too).
 *
 * `scopeToCollections` (untrusted Cypher, i.e. the LLM's) rewrites the query so that every node a
 * MATCH introduces must be in `$collections`, and refuses what it cannot scope. Supported subset:
 *
 *   query    := part (UNION [ALL] part)*
 *   part     := ( [OPTIONAL] MATCH patterns [WHERE expr] | UNWIND expr AS var
 *               | WITH projection [ORDER BY …] [SKIP …] [LIMIT …] [WHERE expr] )* RETURN projection …
 *   patterns := [path =] chain | shortestPath(chain) | allShortestPaths(chain), comma-separated
 *   chain    := (node) ( -[rel]-> | <-[rel]- | -[rel]- | --> | <-- | -- ) (node) …
 *   expr     := anything without CALL, where whatever can reach nodes is scoped or anchored:
 *               EXISTS/COUNT/COLLECT { … } subqueries and pattern comprehensions are scoped like
 *               a MATCH; pattern predicates (`WHERE (a)-->(:B)`, which have no WHERE of their own)
 *               must contain a node variable already bound in the enclosing scope.
 *
 * Why that is enough: every node a query can see comes from a pattern. MATCH patterns,
 * comprehensions and subqueries get `coalesce(v.collection, '@graph') IN $collections` for every
 * node (anonymous ones are named first; a node without a collection belongs to the existing graph's
 * scope @graph), ANDed in front of the query's own WHERE, which is parenthesised so that
 * `OR true` cannot widen it. Pattern predicates only test neighbours of an already scoped node, and
 * in kgrag's graph no relationship crosses collections (the same holds for the inner nodes of
 * variable-length paths, which are never bound). Refused: CALL (procedures and subqueries),
 * quantified path patterns and GQL path modes, `RETURN *`/`WITH *`
 * when an anonymous node had to be named (the name would become a column), and anything the
 * tokenizer or this parser does not recognise. A final pass refuses the query if any MATCH or
 * pattern was not seen by the scoping walk, so a parser gap fails closed.
 */

export interface GuardOptions {
  /** The caller's collections; null for a graph without `collection` properties (no scoping). */
  collections: string[] | null;
  /** Rows returned at most; more make `truncated` true. */
  limit: number;
  /** Transaction timeout of the run (and of the EXPLAIN before it). */
  timeoutMs: number;
}

export interface GuardedResult {
  /** The statement that ran (row cap applied). */
  query: string;
  params: Params;
  rows: Row[];
  /** More rows matched than `limit`; `rows` holds the first `limit`. */
  truncated: boolean;
}


/** Read-only built-in procedures generated queries may call: search indexes and schema names. */
export const ALLOWED_PROCEDURES: ReadonlySet<string> = new Set([
  'db.index.vector.queryNodes',
  'db.index.fulltext.queryNodes',
  'db.labels',
  'db.relationshipTypes',
  'db.propertyKeys',
]);

/**
 * Namespaces of built-in functions (temporal constructors, spatial and vector maths). Every other
 * namespaced function is a plugin's (APOC, GDS…), which can run Cypher, read files or reach the
 * network; none is needed for questions, so none is allowed.
 */
const ALLOWED_FUNCTION_NAMESPACES: ReadonlySet<string> = new Set([
  'date', 'datetime', 'localdatetime', 'localtime', 'time', 'duration', 'point', 'vector.similarity',
]);
const ALLOWED_FUNCTIONS: ReadonlySet<string> = new Set(['db.namefromelementid']);

/** Administration commands, which can only start a statement (so `start` or `stop` stay usable as variables). */
const ADMIN_WORDS: ReadonlySet<string> = new Set([
  'SHOW', 'DROP', 'ALTER', 'GRANT', 'DENY', 'REVOKE', 'START', 'STOP', 'RENAME', 'ENABLE', 'TERMINATE', 'DEALLOCATE', 'REALLOCATE',
]);
/** Plan operators that write, read files, batch transactions or administer, even when the query type says `r`. */
const FORBIDDEN_OPERATOR = /^(?:LoadCSV|Create|Merge|Set|Delete|DetachDelete|Remove|Foreach|Transaction|SubqueryForeach|AdministrationCommand|SystemProcedureCall|EmptyResult)/;

const MAX_LIMIT = 100_000;

// ---------------------------------------------------------------------------------------------
// Running

/**
 * The scope of untrusted Cypher. A graph kgrag did not build is read whole by keys that grant
 * everything (`collections: null`), but free-form Cypher is still scoped, to GRAPH_SCOPE: kgrag's
 * bookkeeping (API key hashes, jobs, conversations; `collection: '@system'`) lives in every
 * database, and `MATCH (n) RETURN n` must never reach it. (Nodes of such a graph that carry a
 * `collection` property of their own are then out of reach of free-form Cypher too.)
 */
export function untrustedScope(collections: string[] | null): string[] {
  return collections ?? [GRAPH_SCOPE];
}

/**
 * Runs a generated read query under every rule above. Refusals are UnsafeQueryErrors, database
 * failures GraphErrors (QUERY_TIMEOUT when it ran too long, QUERY_INVALID for Cypher errors).
 */
export async function runReadOnly(db: GraphExecutor, query: string, params: Params, opts: GuardOptions): Promise<GuardedResult> {
  checkOptions(opts);
  const tokens = tokenize(query);
  checkStatement(tokens, opts.collections !== null);
  const limited = enforceLimit(query, opts.limit, params);
  // The caller's collections always win over a parameter of the same name in the query's own params.
  const finalParams: Params = opts.collections === null ? { ...params } : { ...params, [COLLECTIONS_PARAM]: opts.collections };

  checkPlan(await db.explain(limited, finalParams, { timeoutMs: opts.timeoutMs }));

  let rows: Row[];
  try {
    rows = await db.read(limited, finalParams, { timeoutMs: opts.timeoutMs });
  } catch (err) {
    if (err instanceof GraphError && err.code === 'QUERY_TIMEOUT') {
      throw new GraphError(
        'QUERY_TIMEOUT',
        `The query took too long: it was stopped after ${opts.timeoutMs} ms. Ask a narrower question or raise the timeout.`,
        { cause: err, neo4jCode: err.neo4jCode },
      );
    }
    throw err;
  }
  const truncated = rows.length > opts.limit;
  return { query: limited, params: finalParams, rows: truncated ? rows.slice(0, opts.limit) : rows, truncated };
}

/** What EXPLAIN must show: a read-only query type, no writing or file-reading operator, allowlisted procedures. */
export function checkPlan(plan: QueryPlanInfo): void {
  const operators = plan.operators.map((o) => o.replace(/@.*$/, ''));
  const badOperator = operators.find((o) => FORBIDDEN_OPERATOR.test(o));
  if (plan.queryType !== 'r' || badOperator) {
    throw new UnsafeQueryError(
      `The query is not read-only (query type "${plan.queryType}"${badOperator ? `, operator ${badOperator}` : ''}); generated queries may only read.`,
    );
  }
  const badProcedure = plan.procedures.find((p) => !ALLOWED_PROCEDURES.has(p));
  if (badProcedure) throw new UnsafeQueryError(`The procedure ${badProcedure} is not allowed in generated queries.`);
}

function checkOptions(opts: GuardOptions): void {
  if (!Number.isInteger(opts.limit) || opts.limit < 1 || opts.limit > MAX_LIMIT) {
    throw new UnsafeQueryError(`The row limit must be an integer from 1 to ${MAX_LIMIT} (got ${opts.limit}).`);
  }
  if (!Number.isInteger(opts.timeoutMs) || opts.timeoutMs < 1) {
    throw new UnsafeQueryError(`The query timeout must be a positive number of milliseconds (got ${opts.timeoutMs}).`);
  }
}

// ---------------------------------------------------------------------------------------------
// Statement checks

/** Lexical rules of runReadOnly; see the module comment. */
function checkStatement(list: Token[], scoped: boolean): void {
  const t = new Tokens(list);
  if (list.length === 0) throw new UnsafeQueryError('The query is empty.');
  list.forEach((tok, i) => {
    if (tok.kind === 'punct' && tok.text === ';' && i !== list.length - 1) {
      throw new UnsafeQueryError('Only one statement may run: the query contains ";".');
    }
  });
  const first = t.bareWord(0);
  if (first === 'EXPLAIN' || first === 'PROFILE' || first === 'CYPHER') {
    throw new UnsafeQueryError(`The query may not start with ${first}.`);
  }
  if (first && ADMIN_WORDS.has(first)) throw new UnsafeQueryError(`${first} commands are not allowed: generated queries may only read.`);
  let readsGraph = false;
  for (let i = 0; i < list.length; i++) {
    const word = t.bareWord(i);
    if (word && FORBIDDEN_WORDS.has(word)) {
      throw new UnsafeQueryError(`${word === 'TRANSACTIONS' ? 'IN TRANSACTIONS' : word} is not allowed: generated queries may only read.`);
    }
    if (word === 'MATCH') readsGraph = true;
    if (word === 'CALL' && !t.punct(i + 1, '{') && !t.punct(i + 1, '(')) {
      const { name, next } = dottedName(t, i + 1);
      if (!ALLOWED_PROCEDURES.has(name)) {
        throw new UnsafeQueryError(`The procedure ${name || describe(list[i + 1])} is not allowed in generated queries.`);
      }
      readsGraph = true;
      i = next - 1;
      continue;
    }
    if (t.ident(i) !== undefined && !t.punct(i - 1, '.')) {
      const { name, next } = dottedName(t, i);
      if (t.punct(next, '(') && name.includes('.')) checkFunction(name);
      if (/^apoc(\.|$)/i.test(name)) throw new UnsafeQueryError('APOC is not allowed in generated queries.');
    }
  }
  if (scoped && readsGraph && !list.some((tok) => tok.kind === 'param' && tok.value === COLLECTIONS_PARAM)) {
    throw new UnsafeQueryError(`The query reads the graph without restricting it to the caller's collections ($${COLLECTIONS_PARAM}).`);
  }
}

/** `a.b.c` from i (words or backtick names); a backtick name may itself contain dots. */
function dottedName(t: Tokens, i: number): { name: string; next: number } {
  const parts: string[] = [];
  let j = i;
  while (t.ident(j) !== undefined) {
    parts.push(t.ident(j)!);
    j++;
    if (!t.punct(j, '.') || t.ident(j + 1) === undefined) break;
    j++;
  }
  return { name: parts.join('.'), next: j };
}

function checkFunction(name: string): void {
  const namespace = name.slice(0, name.lastIndexOf('.'));
  // Built-in function names are case-insensitive in Cypher.
  if (ALLOWED_FUNCTIONS.has(name.toLowerCase()) || ALLOWED_FUNCTION_NAMESPACES.has(namespace.toLowerCase())) return;
  throw new UnsafeQueryError(`The function ${name} is not allowed in generated queries (plugin functions are not allowed).`);
}

// ---------------------------------------------------------------------------------------------
// Row cap

/**
 * Caps the rows of the final RETURN of every UNION branch at `limit + 1` (one more than returned,
 * to tell `truncated`). A LIMIT the query already has is kept when it is at most `limit`, lowered
 * otherwise; it must be an integer literal or an integer parameter (written into the query as a
 * literal: JSON numbers reach Neo4j as floats, which LIMIT rejects).
 */
export function enforceLimit(query: string, limit: number, params: Params = {}): string {
  const list = tokenize(query);
  const t = new Tokens(list);
  const edits: Edit[] = [];
  let end = list.length;
  if (t.punct(end - 1, ';')) {
    edits.push({ at: list[end - 1]!.start, remove: 1, insert: '', order: 0 });
    end--;
  }
  if (end === 0) throw new UnsafeQueryError('The query is empty.');
  for (const [from, to] of unionBranches(t, 0, end)) {
    let returnAt = -1;
    let limitAt = -1;
    for (let i = from; i < to; i = t.skip(i)) {
      if (t.keyword(i, 'RETURN')) {
        returnAt = i;
        limitAt = -1;
      } else if (returnAt >= 0 && t.keyword(i, 'LIMIT')) limitAt = i;
    }
    if (returnAt < 0) throw new UnsafeQueryError('The query must end with a RETURN clause.');
    if (limitAt < 0) {
      edits.push({ at: list[to - 1]!.end, remove: 0, insert: ` LIMIT ${limit + 1}`, order: 0 });
      continue;
    }
    const own = limitValue(list.slice(limitAt + 1, to), params);
    const kept = Math.min(own, limit + 1);
    const startAt = list[limitAt + 1]!.start;
    edits.push({ at: startAt, remove: list[to - 1]!.end - startAt, insert: String(kept), order: 0 });
  }
  return applyEdits(query, edits);
}

function limitValue(expr: Token[], params: Params): number {
  const only = expr.length === 1 ? expr[0]! : undefined;
  let value: unknown;
  if (only?.kind === 'number' && /^[0-9]+$/.test(only.text)) value = Number(only.text);
  else if (only?.kind === 'param') value = integerParam(params[only.value]);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new UnsafeQueryError('The final LIMIT must be a non-negative integer or an integer parameter.');
  }
  return value;
}

/** A JS integer, or a driver Integer (which has toNumber), as a number. */
function integerParam(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'object' && value !== null && 'toNumber' in value && typeof value.toNumber === 'function') {
    const n: unknown = value.toNumber();
    return typeof n === 'number' ? n : undefined;
  }
  return undefined;
}


