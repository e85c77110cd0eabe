/**
 * Collection scoping of untrusted (LLM-written) Cypher. The supported subset, and why scoping every
 * node a pattern introduces is enough, are described at the top of ../guard.ts.
 */
import { UnsafeQueryError } from '../../errors.ts';
import { inScope, quoteName } from '../../graph/cypher.ts';
import { Tokens, applyEdits, describe, tokenize, unionBranches, type Edit } from './cypher-tokens.ts';
import { COLLECTIONS_PARAM, FORBIDDEN_WORDS } from './rules.ts';

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

  /** `coalesce(v.collection, '@graph') IN $param AND …` for each distinct node variable. */
  private condition(nodes: NodeRef[]): string {
    return [...new Set(nodes.map((n) => n.name!))].map((n) => inScope(variable(n), this.param)).join(' AND ');
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

