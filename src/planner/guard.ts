import { GraphError, UnsafeQueryError } from '../errors.ts';
import { quoteName } from '../graph/cypher.ts';
import type { GraphExecutor, Params, QueryPlanInfo, Row } from '../graph/executor.ts';

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
 * comprehensions and subqueries get `v.collection IN $collections` for every node (anonymous ones
 * are named first), ANDed in front of the query's own WHERE, which is parenthesised so that
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

/** The parameter that carries the caller's collections. */
export const COLLECTIONS_PARAM = 'collections';

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

/** Keywords of clauses that write, read files, batch transactions or switch databases: refused anywhere. */
const FORBIDDEN_WORDS: ReadonlySet<string> = new Set([
  'CREATE', 'MERGE', 'SET', 'DELETE', 'DETACH', 'NODETACH', 'REMOVE', 'FOREACH', 'INSERT', 'LOAD', 'USE', 'TRANSACTIONS',
]);
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
// Tokenizer

export type TokenKind = 'word' | 'name' | 'string' | 'number' | 'param' | 'punct';

export interface Token {
  kind: TokenKind;
  /** As written (quotes and backticks included). */
  text: string;
  /** Identifier value: the word, or the backtick name unquoted; for `param`, the parameter name. */
  value: string;
  start: number;
  end: number;
}

const MULTI_PUNCT = ['<>', '<=', '>=', '=~', '..', '+=', '::', '||'];
const SINGLE_PUNCT = '(){}[],.:;|=<>+-*/%^!&?$';
const IDENT_START = /[\p{L}_]/u;
const IDENT_PART = /[\p{L}\p{N}_]/u;

/**
 * Splits Cypher into tokens, skipping whitespace and comments. Strings, backtick names and comments
 * are delimited the way Neo4j delimits them; any character outside the Cypher subset kgrag knows
 * (Unicode dashes and arrows Neo4j also reads as pattern syntax, control characters…) is refused
 * rather than guessed, so the tokens here are the tokens Neo4j sees.
 */
export function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = query.length;
  while (i < n) {
    const ch = query[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (query.startsWith('//', i)) {
      while (i < n && query[i] !== '\n' && query[i] !== '\r') i++;
    } else if (query.startsWith('/*', i)) {
      const close = query.indexOf('*/', i + 2);
      if (close < 0) throw new UnsafeQueryError('The query has an unterminated /* comment.');
      i = close + 2;
    } else if (ch === "'" || ch === '"') {
      let j = i + 1;
      while (j < n && query[j] !== ch) j += query[j] === '\\' ? 2 : 1;
      if (j >= n) throw new UnsafeQueryError('The query has an unterminated string.');
      tokens.push({ kind: 'string', text: query.slice(i, j + 1), value: query.slice(i + 1, j), start: i, end: j + 1 });
      i = j + 1;
    } else if (ch === '`') {
      const { value, end } = readBacktick(query, i);
      tokens.push({ kind: 'name', text: query.slice(i, end), value, start: i, end });
      i = end;
    } else if (ch === '$' && i + 1 < n && (IDENT_PART.test(query[i + 1]!) || query[i + 1] === '`')) {
      let end: number;
      let value: string;
      if (query[i + 1] === '`') ({ value, end } = readBacktick(query, i + 1));
      else {
        end = i + 1;
        while (end < n && IDENT_PART.test(query[end]!)) end++;
        value = query.slice(i + 1, end);
      }
      tokens.push({ kind: 'param', text: query.slice(i, end), value, start: i, end });
      i = end;
    } else if (/[0-9]/.test(ch)) {
      const m = /^(?:0x[0-9a-fA-F_]+|0o[0-7_]+|[0-9][0-9_]*(?:\.[0-9][0-9_]*)?(?:[eE][+-]?[0-9]+)?)/.exec(query.slice(i))!;
      tokens.push({ kind: 'number', text: m[0], value: m[0], start: i, end: i + m[0].length });
      i += m[0].length;
    } else if (IDENT_START.test(ch)) {
      let end = i + 1;
      while (end < n && IDENT_PART.test(query[end]!)) end++;
      const text = query.slice(i, end);
      tokens.push({ kind: 'word', text, value: text, start: i, end });
      i = end;
    } else {
      const multi = MULTI_PUNCT.find((p) => query.startsWith(p, i));
      if (multi) {
        tokens.push({ kind: 'punct', text: multi, value: multi, start: i, end: i + multi.length });
        i += multi.length;
      } else if (SINGLE_PUNCT.includes(ch)) {
        tokens.push({ kind: 'punct', text: ch, value: ch, start: i, end: i + 1 });
        i++;
      } else {
        const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
        throw new UnsafeQueryError(`The query contains a character generated queries may not use: U+${code}.`);
      }
    }
  }
  return tokens;
}

function readBacktick(query: string, start: number): { value: string; end: number } {
  let j = start + 1;
  let value = '';
  for (;;) {
    if (j >= query.length) throw new UnsafeQueryError('The query has an unterminated `name`.');
    if (query[j] === '`') {
      if (query[j + 1] === '`') {
        value += '`';
        j += 2;
        continue;
      }
      return { value, end: j + 1 };
    }
    value += query[j];
    j++;
  }
}

/** Edits applied to the original text by position, so comments and layout survive. */
interface Edit {
  at: number;
  /** Characters removed from `at`. */
  remove: number;
  insert: string;
  /** Tie-break for inserts at one position. */
  order: number;
}

function applyEdits(query: string, edits: Edit[]): string {
  let out = query;
  // From the end backwards so positions stay valid; at one position, removals first, then inserts
  // (the higher `order`, the further right it ends up).
  const sorted = edits
    .map((e, i) => ({ ...e, order: e.order * 1e6 + i }))
    .sort((a, b) => b.at - a.at || Number(b.remove > 0) - Number(a.remove > 0) || b.order - a.order);
  for (const e of sorted) out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Token helpers

class Tokens {
  /** Index of the matching closer of each (, [ and {. */
  readonly close: number[] = [];

  constructor(readonly list: Token[]) {
    const stack: number[] = [];
    const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
    list.forEach((t, i) => {
      if (t.kind !== 'punct') return;
      if (t.text === '(' || t.text === '[' || t.text === '{') stack.push(i);
      else if (pairs[t.text]) {
        const open = stack.pop();
        if (open === undefined || list[open]!.text !== pairs[t.text]) throw new UnsafeQueryError(`The query has an unbalanced "${t.text}".`);
        this.close[open] = i;
      }
    });
    if (stack.length > 0) throw new UnsafeQueryError(`The query has an unclosed "${list[stack.at(-1)!]!.text}".`);
  }

  get length(): number {
    return this.list.length;
  }

  at(i: number): Token | undefined {
    return this.list[i];
  }

  punct(i: number, text: string): boolean {
    const t = this.list[i];
    return t !== undefined && t.kind === 'punct' && t.text === text;
  }

  /** A bare word used as a keyword: not a property (`n.set`), label (`:Match`) or map key (`{set: 1}`). */
  keyword(i: number, ...words: string[]): string | undefined {
    const t = this.list[i];
    if (!t || t.kind !== 'word') return undefined;
    const upper = t.value.toUpperCase();
    if (words.length > 0 && !words.includes(upper)) return undefined;
    const prev = this.list[i - 1];
    if (prev?.kind === 'punct' && ['.', ':', '|', '&', '!', '%'].includes(prev.text)) return undefined;
    if (this.punct(i + 1, ':')) return undefined;
    return upper;
  }

  /**
   * A word that may be a keyword, by the strict rule of the statement checks: anything but a
   * property (`n.set`), a label (`:Create`) or a map key (`{set: 1}`).
   */
  bareWord(i: number): string | undefined {
    const t = this.list[i];
    if (!t || t.kind !== 'word' || this.punct(i - 1, '.') || this.punct(i - 1, ':') || this.punct(i + 1, ':')) return undefined;
    return t.value.toUpperCase();
  }

  /** An identifier (word or backtick name), e.g. a variable. */
  ident(i: number): string | undefined {
    const t = this.list[i];
    return t && (t.kind === 'word' || t.kind === 'name') ? t.value : undefined;
  }

  /** Index after the group opened at `i` when it opens one, else i + 1. */
  skip(i: number): number {
    const c = this.close[i];
    return c === undefined ? i + 1 : c + 1;
  }

  /** `-[`, `--`, `<-[`, `<--`: a relationship pattern starts at i. */
  relStart(i: number): boolean {
    if (this.punct(i, '-')) return this.punct(i + 1, '-') || this.punct(i + 1, '[');
    if (this.punct(i, '<')) return this.punct(i + 1, '-') && (this.punct(i + 2, '-') || this.punct(i + 2, '['));
    return false;
  }

  /** `(` at i closes before a relationship: the start of a path pattern. */
  patternStart(i: number): boolean {
    return this.punct(i, '(') && this.relStart(this.close[i]! + 1);
  }
}

function describe(t: Token | undefined): string {
  return t ? `"${t.text.length > 40 ? `${t.text.slice(0, 40)}…` : t.text}"` : 'the end of the query';
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

/** [from, to) of each part of a UNION at the top level of [start, end). */
function unionBranches(t: Tokens, start: number, end: number): Array<[number, number]> {
  const branches: Array<[number, number]> = [];
  let from = start;
  for (let i = start; i < end; i = t.skip(i)) {
    if (!t.keyword(i, 'UNION')) continue;
    branches.push([from, i]);
    from = t.keyword(i + 1, 'ALL', 'DISTINCT') ? i + 2 : i + 1;
  }
  branches.push([from, end]);
  for (const [a, b] of branches) if (a >= b) throw new UnsafeQueryError('A UNION part of the query is empty.');
  return branches;
}

// ---------------------------------------------------------------------------------------------
// Collection scoping

/**
 * Restricts untrusted Cypher to the collections in `$<param>` (see the module comment for the
 * supported subset). Returns the rewritten query; throws UnsafeQueryError for anything outside it.
 */
export function scopeToCollections(query: string, param = COLLECTIONS_PARAM): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(param)) throw new UnsafeQueryError(`Bad collections parameter name: ${param}`);
  const list = tokenize(query);
  let end = list.length;
  if (end > 0 && list[end - 1]!.kind === 'punct' && list[end - 1]!.text === ';') end--;
  if (end === 0) throw new UnsafeQueryError('The query is empty.');
  if (list.slice(0, end).some((x) => x.kind === 'punct' && x.text === ';')) {
    throw new UnsafeQueryError('Only one statement may run: the query contains ";".');
  }
  const scoper = new Scoper(new Tokens(list), param);
  scoper.query(0, end, new Set(), true);
  scoper.checkAllVisited(end);
  return applyEdits(query, scoper.edits);
}

/** Keywords that end an expression and start the next clause (or a clause that is refused). */
const CLAUSE_WORDS: ReadonlySet<string> = new Set(['MATCH', 'OPTIONAL', 'WITH', 'RETURN', 'UNWIND', 'UNION', 'CALL', ...FORBIDDEN_WORDS]);

interface NodeRef {
  /** Variable name (given or generated); undefined for anonymous nodes in expression patterns. */
  name: string | undefined;
}

interface ChainResult {
  end: number;
  nodes: NodeRef[];
  /** Every variable the pattern binds: nodes, relationships, path. */
  variables: Set<string>;
}

class Scoper {
  readonly edits: Edit[] = [];
  private readonly used: Set<string>;
  private readonly generated = new Set<string>();
  private readonly visitedMatch = new Set<number>();
  private readonly visitedNodes = new Set<number>();
  private readonly visitedSubqueries = new Set<number>();
  private counter = 0;

  constructor(
    private readonly t: Tokens,
    private readonly param: string,
  ) {
    this.used = new Set(t.list.filter((x) => x.kind === 'word' || x.kind === 'name').map((x) => x.value));
  }

  /** A UNION of parts, each starting from `scope`. */
  query(from: number, to: number, scope: ReadonlySet<string>, requireReturn: boolean): void {
    for (const [a, b] of unionBranches(this.t, from, to)) this.part(a, b, new Set(scope), requireReturn);
  }

  private part(from: number, to: number, scope: Set<string>, requireReturn: boolean): void {
    const t = this.t;
    let i = from;
    let returned = false;
    while (i < to) {
      if (returned) throw new UnsafeQueryError(`RETURN must be the last clause; found ${describe(t.at(i))} after it.`);
      const word = t.keyword(i);
      if (word === 'OPTIONAL' && t.keyword(i + 1, 'MATCH')) i = this.match(i + 1, to, scope);
      else if (word === 'MATCH') i = this.match(i, to, scope);
      else if (word === 'UNWIND') i = this.unwind(i, to, scope);
      else if (word === 'WITH' || word === 'RETURN') {
        i = this.projection(i, to, scope);
        returned = word === 'RETURN';
      } else {
        throw new UnsafeQueryError(
          `${describe(t.at(i))} is not supported in generated queries: use MATCH, OPTIONAL MATCH, WHERE, WITH, UNWIND and RETURN.`,
        );
      }
    }
    if (requireReturn && !returned) throw new UnsafeQueryError('The query must end with a RETURN clause.');
  }

  /** First top-level clause keyword at or after i (the end of an expression). */
  private clauseEnd(i: number, to: number): number {
    const t = this.t;
    for (let k = i; k < to; k = t.skip(k)) {
      const word = t.keyword(k);
      if (!word) continue;
      if (word === 'WITH' && t.keyword(k - 1, 'STARTS', 'ENDS')) continue;
      if (CLAUSE_WORDS.has(word)) return k;
    }
    return to;
  }

  /** `MATCH patterns [WHERE expr]` at i (the MATCH keyword). */
  private match(i: number, to: number, scope: Set<string>): number {
    this.visitedMatch.add(i);
    const mode = this.t.keyword(i + 1, 'ANY', 'ALL', 'SHORTEST', 'DIFFERENT', 'REPEATABLE');
    if (mode) throw new UnsafeQueryError(`MATCH ${mode} (GQL path modes) is not supported in generated queries.`);
    return this.patternsAndWhere(i + 1, to, scope);
  }

  /** Comma-separated path patterns, then an optional WHERE; every node gets scoped. */
  private patternsAndWhere(from: number, to: number, scope: Set<string>): number {
    const t = this.t;
    const outer = new Set(scope);
    const nodes: NodeRef[] = [];
    let p = from;
    for (;;) {
      const path = this.pathPattern(p, to, outer, true);
      nodes.push(...path.nodes);
      for (const v of path.variables) scope.add(v);
      p = path.end;
      if (!t.punct(p, ',')) break;
      p++;
    }
    const condition = this.condition(nodes);
    if (t.keyword(p, 'WHERE')) {
      const whereEnd = this.clauseEnd(p + 1, to);
      if (whereEnd === p + 1) throw new UnsafeQueryError('WHERE without a condition.');
      this.expression(p + 1, whereEnd, scope);
      this.wrapWhere(p + 1, whereEnd, condition);
      return whereEnd;
    }
    if (p < to && !this.t.keyword(p)) throw new UnsafeQueryError(`Unexpected ${describe(t.at(p))} after a MATCH pattern.`);
    this.edits.push({ at: t.at(p - 1)!.end, remove: 0, insert: ` WHERE ${condition}`, order: 0 });
    return p;
  }

  /** `WHERE cond AND (<the query's own condition in [from, to)>)`: `OR true` cannot widen it. */
  private wrapWhere(from: number, to: number, condition: string): void {
    this.edits.push({ at: this.t.at(from)!.start, remove: 0, insert: `${condition} AND (`, order: 1 });
    this.edits.push({ at: this.t.at(to - 1)!.end, remove: 0, insert: ')', order: 0 });
  }

  /** `v.collection IN $param AND …` for each distinct node variable. */
  private condition(nodes: NodeRef[]): string {
    return [...new Set(nodes.map((n) => n.name!))].map((n) => `${variable(n)}.collection IN $${this.param}`).join(' AND ');
  }

  /** `[p =] chain` or `[p =] shortestPath(chain)` in a MATCH. */
  private pathPattern(p: number, to: number, scope: ReadonlySet<string>, nameAnonymous: boolean): ChainResult {
    const t = this.t;
    let pathVar: string | undefined;
    if (t.ident(p) !== undefined && t.punct(p + 1, '=')) {
      pathVar = t.ident(p);
      p += 2;
    }
    let result: ChainResult;
    const fn = t.keyword(p, 'SHORTESTPATH', 'ALLSHORTESTPATHS');
    if (fn && t.punct(p + 1, '(')) {
      const close = t.close[p + 1]!;
      result = this.chain(p + 2, close, scope, nameAnonymous);
      if (result.end !== close) throw new UnsafeQueryError(`Unexpected ${describe(t.at(result.end))} in ${t.at(p)!.text}(…).`);
      result.end = close + 1;
    } else {
      result = this.chain(p, to, scope, nameAnonymous);
    }
    if (pathVar !== undefined) result.variables.add(pathVar);
    return result;
  }

  /** `(node)` followed by any number of `-[rel]->(node)` steps. */
  private chain(p: number, to: number, scope: ReadonlySet<string>, nameAnonymous: boolean): ChainResult {
    const t = this.t;
    const nodes: NodeRef[] = [];
    const variables = new Set<string>();
    for (;;) {
      if (p >= to || !t.punct(p, '(')) throw new UnsafeQueryError(`Expected a node pattern "(…)" at ${describe(t.at(p))}.`);
      const node = this.node(p, scope, nameAnonymous);
      nodes.push(node);
      if (node.name !== undefined) variables.add(node.name);
      p = t.close[p]! + 1;
      if (t.punct(p, '(') || t.punct(p, '{') || t.punct(p, '+') || t.punct(p, '*')) {
        throw new UnsafeQueryError('Quantified path patterns are not supported in generated queries.');
      }
      if (p >= to || !t.relStart(p)) return { end: p, nodes, variables };
      const rel = this.relationship(p, scope);
      if (rel.name !== undefined) variables.add(rel.name);
      p = rel.end;
    }
  }

  /** A node pattern at `(`; anonymous nodes get a fresh name when `nameAnonymous`. */
  private node(open: number, scope: ReadonlySet<string>, nameAnonymous: boolean): NodeRef {
    const t = this.t;
    this.visitedNodes.add(open);
    const close = t.close[open]!;
    let body = open + 1;
    let name: string | undefined;
    const first = t.at(body)!;
    if (t.punct(body, '(')) throw new UnsafeQueryError('Parenthesised path patterns are not supported in generated queries.');
    if (t.ident(body) !== undefined) {
      const next = body + 1;
      const ambiguous = first.kind === 'word' && ['IS', 'WHERE'].includes(first.value.toUpperCase());
      const fits = next === close || t.punct(next, ':') || t.punct(next, '{') || t.keyword(next, 'WHERE', 'IS') !== undefined;
      if (!fits || (ambiguous && next !== close)) throw new UnsafeQueryError(`Cannot read the node pattern at ${describe(first)}.`);
      name = first.value;
      body = next;
    } else if (!(body === close || t.punct(body, ':') || t.punct(body, '{'))) {
      throw new UnsafeQueryError(`Cannot read the node pattern at ${describe(first)}.`);
    }
    // Property maps and inline WHERE see the enclosing scope and the node itself.
    this.expression(body, close, name === undefined ? scope : new Set([...scope, name]));
    if (name === undefined && nameAnonymous) {
      name = this.freshName();
      this.edits.push({ at: t.at(open)!.end, remove: 0, insert: t.punct(open + 1, '{') ? `${name} ` : name, order: 0 });
    }
    return { name };
  }

  /** A relationship pattern starting at `-` or `<`; returns the index after it. */
  private relationship(p: number, scope: ReadonlySet<string>): { end: number; name: string | undefined } {
    const t = this.t;
    let name: string | undefined;
    if (t.punct(p, '<')) p++;
    p++; // the first '-'
    if (t.punct(p, '[')) {
      const close = t.close[p]!;
      let body = p + 1;
      if (t.ident(body) !== undefined) {
        const next = body + 1;
        const fits = next === close || [':', '*', '{'].some((s) => t.punct(next, s)) || t.keyword(next, 'WHERE', 'IS') !== undefined;
        if (!fits) throw new UnsafeQueryError(`Cannot read the relationship pattern at ${describe(t.at(body))}.`);
        name = t.ident(body);
        body = next;
      } else if (!(body === close || [':', '*', '{'].some((s) => t.punct(body, s)))) {
        throw new UnsafeQueryError(`Cannot read the relationship pattern at ${describe(t.at(body))}.`);
      }
      this.expression(body, close, name === undefined ? scope : new Set([...scope, name]));
      p = close + 1;
      if (!t.punct(p, '-')) throw new UnsafeQueryError(`Expected "-" after a relationship pattern, found ${describe(t.at(p))}.`);
    } else if (!t.punct(p, '-')) {
      throw new UnsafeQueryError(`Cannot read the relationship pattern at ${describe(t.at(p))}.`);
    }
    p++;
    if (t.punct(p, '>')) p++;
    if (['+', '*', '{', '?'].some((s) => t.punct(p, s))) {
      throw new UnsafeQueryError('Quantified path patterns are not supported in generated queries.');
    }
    return { end: p, name };
  }

  /** `UNWIND expr AS var`. */
  private unwind(i: number, to: number, scope: Set<string>): number {
    const t = this.t;
    const end = this.clauseEnd(i + 1, to);
    const as = end - 2;
    if (as <= i + 1 || !t.keyword(as, 'AS') || t.ident(end - 1) === undefined) {
      throw new UnsafeQueryError('UNWIND must have the form UNWIND <list> AS <variable>.');
    }
    this.expression(i + 1, as, scope);
    scope.add(t.ident(end - 1)!);
    return end;
  }

  /** WITH or RETURN at i: items, then ORDER BY / SKIP / LIMIT / WHERE. Replaces `scope` with what it projects. */
  private projection(i: number, to: number, scope: Set<string>): number {
    const t = this.t;
    let p = i + 1;
    if (t.keyword(p, 'DISTINCT')) p++;
    const end = this.clauseEnd(p, to);
    let itemsEnd = end;
    for (let k = p; k < end; k = t.skip(k)) {
      if (t.keyword(k, 'ORDER', 'SKIP', 'OFFSET', 'LIMIT', 'WHERE')) {
        itemsEnd = k;
        break;
      }
    }
    if (itemsEnd === p) throw new UnsafeQueryError(`${t.at(i)!.text} without anything to project.`);
    const projected = new Set<string>();
    let star = false;
    for (const [a, b] of splitTopLevel(t, p, itemsEnd, ',')) {
      if (b - a === 1 && t.punct(a, '*')) {
        star = true;
        continue;
      }
      if (b - a >= 3 && t.keyword(b - 2, 'AS') && t.ident(b - 1) !== undefined) {
        this.expression(a, b - 2, scope);
        projected.add(t.ident(b - 1)!);
      } else {
        this.expression(a, b, scope);
        if (b - a === 1 && t.ident(a) !== undefined) projected.add(t.ident(a)!);
      }
    }
    if (star) {
      if ([...scope].some((v) => this.generated.has(v))) {
        throw new UnsafeQueryError(`${t.at(i)!.text} * is not supported when a node has no variable: name every node or list the columns.`);
      }
      for (const v of scope) projected.add(v);
    }
    scope.clear();
    for (const v of projected) scope.add(v);
    // ORDER BY, SKIP, LIMIT and WHERE see the projected variables (conservative: fewer anchors).
    this.expression(itemsEnd, end, scope);
    return end;
  }

  /**
   * Walks an expression: scopes EXISTS/COUNT/COLLECT subqueries, checks that every pattern
   * predicate or comprehension is anchored on a bound variable, and descends into every group.
   */
  private expression(from: number, to: number, scope: ReadonlySet<string>): void {
    const t = this.t;
    let k = from;
    while (k < to) {
      const tok = t.at(k)!;
      if (t.keyword(k, 'EXISTS', 'COUNT', 'COLLECT') && t.punct(k + 1, '{')) {
        this.subquery(k + 1, t.keyword(k)!, scope);
        k = t.skip(k + 1);
      } else if (t.keyword(k, 'CALL')) {
        throw new UnsafeQueryError('CALL is not supported in generated queries.');
      } else if (t.punct(k, '(') && t.patternStart(k)) {
        k = this.expressionPattern(k, scope).end;
      } else if (t.punct(k, '[')) {
        this.bracket(k, scope);
        k = t.skip(k);
      } else if (tok.kind === 'punct' && (tok.text === '(' || tok.text === '{')) {
        this.expression(k + 1, t.close[k]!, scope);
        k = t.skip(k);
      } else {
        k++;
      }
    }
  }

  /**
   * `[` … `]`: a pattern comprehension is scoped like a MATCH (every node, anonymous ones named,
   * condition ANDed in front of its WHERE); anything else is walked as an expression.
   */
  private bracket(open: number, scope: ReadonlySet<string>): void {
    const t = this.t;
    const close = t.close[open]!;
    let p = open + 1;
    let pathVar: string | undefined;
    if (t.ident(p) !== undefined && t.punct(p + 1, '=') && t.patternStart(p + 2)) {
      pathVar = t.ident(p);
      p += 2;
    }
    if (!t.patternStart(p)) {
      this.expression(open + 1, close, scope);
      return;
    }
    const pattern = this.chain(p, close, scope, true);
    const inner = new Set([...scope, ...pattern.variables]);
    if (pathVar !== undefined) inner.add(pathVar);
    let bar = -1;
    for (let k = pattern.end; k < close; k = t.skip(k)) {
      if (t.punct(k, '|')) {
        bar = k;
        break;
      }
    }
    if (bar < 0) throw new UnsafeQueryError('A pattern comprehension needs "| expression": [(a)-[:R]->(b) | b.name].');
    const condition = this.condition(pattern.nodes);
    if (t.keyword(pattern.end, 'WHERE')) {
      if (pattern.end + 1 === bar) throw new UnsafeQueryError('WHERE without a condition.');
      this.expression(pattern.end + 1, bar, inner);
      this.wrapWhere(pattern.end + 1, bar, condition);
    } else if (pattern.end === bar) {
      this.edits.push({ at: t.at(bar - 1)!.end, remove: 0, insert: ` WHERE ${condition}`, order: 0 });
    } else {
      throw new UnsafeQueryError(`Unexpected ${describe(t.at(pattern.end))} in a pattern comprehension.`);
    }
    this.expression(bar + 1, close, inner);
  }

  /**
   * A pattern predicate (`WHERE (a)-[:R]->(:B)`): Cypher gives it no WHERE of its own, so it must
   * contain a node variable bound in `scope`; its other nodes are neighbours of a scoped node.
   */
  private expressionPattern(open: number, scope: ReadonlySet<string>): ChainResult {
    const result = this.chain(open, this.t.length, scope, false);
    if (!result.nodes.some((n) => n.name !== undefined && scope.has(n.name))) {
      throw new UnsafeQueryError(
        'A pattern inside an expression must start from a node the query has already matched (e.g. [(p)-[:R]->(x) | x.name] after MATCH (p)).',
      );
    }
    return result;
  }

  /** `{ … }` after EXISTS, COUNT or COLLECT: a full subquery, or the short `{ pattern [WHERE …] }` form. */
  private subquery(open: number, kind: string, scope: ReadonlySet<string>): void {
    const t = this.t;
    this.visitedSubqueries.add(open - 1);
    const close = t.close[open]!;
    if (close === open + 1) throw new UnsafeQueryError(`${kind} { } is empty.`);
    if (t.punct(open + 1, '(') || (t.ident(open + 1) !== undefined && t.punct(open + 2, '='))) {
      if (kind === 'COLLECT') throw new UnsafeQueryError('COLLECT { } needs a full subquery with RETURN.');
      const end = this.patternsAndWhere(open + 1, close, new Set(scope));
      if (end !== close) throw new UnsafeQueryError(`Unexpected ${describe(t.at(end))} in ${kind} { }.`);
      return;
    }
    this.query(open + 1, close, scope, kind === 'COLLECT');
  }

  private freshName(): string {
    for (;;) {
      const name = `kgrag_n${this.counter++}`;
      if (!this.used.has(name)) {
        this.used.add(name);
        this.generated.add(name);
        return name;
      }
    }
  }

  /** Fails closed when a MATCH, a pattern or a subquery was not reached by the walk. */
  checkAllVisited(end: number): void {
    const t = this.t;
    for (let k = 0; k < end; k++) {
      // Stricter than keyword(): only a property, label or map key is surely no clause.
      const word = t.bareWord(k);
      if (word === 'MATCH' && !this.visitedMatch.has(k)) {
        throw new UnsafeQueryError('The query has a MATCH that could not be restricted to the caller\'s collections.');
      }
      if (word === 'CALL') throw new UnsafeQueryError('CALL is not supported in generated queries.');
      if (t.patternStart(k) && !this.visitedNodes.has(k)) {
        throw new UnsafeQueryError('The query has a pattern that could not be restricted to the caller\'s collections.');
      }
      if (t.keyword(k, 'EXISTS', 'COUNT', 'COLLECT') && t.punct(k + 1, '{') && !this.visitedSubqueries.has(k)) {
        throw new UnsafeQueryError('The query has a subquery that could not be restricted to the caller\'s collections.');
      }
    }
  }
}

/** [from, to) split at top-level `sep` tokens. */
function splitTopLevel(t: Tokens, from: number, to: number, sep: string): Array<[number, number]> {
  const parts: Array<[number, number]> = [];
  let start = from;
  for (let k = from; k < to; k = t.skip(k)) {
    if (t.punct(k, sep)) {
      parts.push([start, k]);
      start = k + 1;
    }
  }
  parts.push([start, to]);
  for (const [a, b] of parts) if (a >= b) throw new UnsafeQueryError(`Empty item in a list of projections.`);
  return parts;
}

/** A variable as Cypher needs it written. */
function variable(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : quoteName(name);
}
