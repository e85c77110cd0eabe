import { describe, expect, it } from 'vitest';
import { UnsafeQueryError } from '../../src/errors.ts';
import { enforceLimit, scopeToCollections, tokenize } from '../../src/planner/guard.ts';

const kinds = (q: string) => tokenize(q).map((t) => `${t.kind}:${t.text}`);
const refused = (fn: () => unknown, message?: RegExp) => {
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(UnsafeQueryError);
  if (message) expect((caught as Error).message).toMatch(message);
};
/** Whitespace-insensitive comparison of rewritten queries. */
const squash = (q: string) => q.replace(/\s+/g, ' ').replace(/\( /g, '(').trim();
const scoped = (q: string) => squash(scopeToCollections(q));

describe('tokenize', () => {
  it('keeps keywords inside strings, comments and backtick names out of the code', () => {
    expect(kinds(`MATCH (n) // CREATE (x)\nWHERE n.name = 'a\\' CREATE "b' /* DELETE */ RETURN n.\`x\`\`y\` AS v`)).toEqual([
      'word:MATCH', 'punct:(', 'word:n', 'punct:)', 'word:WHERE', 'word:n', 'punct:.', 'word:name', 'punct:=',
      "string:'a\\' CREATE \"b'", 'word:RETURN', 'word:n', 'punct:.', 'name:`x``y`', 'word:AS', 'word:v',
    ]);
    expect(tokenize('RETURN `x``y`')[1]!.value).toBe('x`y');
  });

  it('reads parameters, ranges and multi-character operators', () => {
    expect(kinds('[*1..3] $p $`odd name` <> <= =~ 1.5e3')).toEqual([
      'punct:[', 'punct:*', 'number:1', 'punct:..', 'number:3', 'punct:]', 'param:$p', 'param:$`odd name`',
      'punct:<>', 'punct:<=', 'punct:=~', 'number:1.5e3',
    ]);
  });

  it('refuses what it cannot delimit the way Neo4j does', () => {
    refused(() => tokenize("RETURN 'open"), /unterminated string/);
    refused(() => tokenize('RETURN 1 /* open'), /unterminated/);
    refused(() => tokenize('RETURN `open'), /unterminated/);
    // Neo4j reads Unicode dashes and arrows as pattern syntax: not guessed, refused.
    refused(() => tokenize('MATCH (a)\u2013[r]\u2013(b) RETURN a'), /U\+2013/);
    refused(() => tokenize('MATCH (a)\u27e8--(b) RETURN a'), /U\+27E8/);
  });
});

describe('enforceLimit', () => {
  it('appends limit+1 when the query has no LIMIT, so that truncation can be told', () => {
    expect(enforceLimit('MATCH (n) RETURN n.name AS name ORDER BY name', 10)).toBe('MATCH (n) RETURN n.name AS name ORDER BY name LIMIT 11');
  });

  it('keeps a smaller LIMIT and lowers a larger one', () => {
    expect(enforceLimit('MATCH (n) RETURN n LIMIT 5', 10)).toBe('MATCH (n) RETURN n LIMIT 5');
    expect(enforceLimit('MATCH (n) RETURN n LIMIT 10', 10)).toBe('MATCH (n) RETURN n LIMIT 10');
    expect(enforceLimit('MATCH (n) RETURN n SKIP 3 LIMIT 5000', 10)).toBe('MATCH (n) RETURN n SKIP 3 LIMIT 11');
  });

  it('resolves an integer LIMIT parameter and refuses other LIMIT expressions', () => {
    expect(enforceLimit('MATCH (n) RETURN n LIMIT $k', 10, { k: 3 })).toBe('MATCH (n) RETURN n LIMIT 3');
    expect(enforceLimit('MATCH (n) RETURN n LIMIT $k', 10, { k: 300 })).toBe('MATCH (n) RETURN n LIMIT 11');
    // A driver Integer (what kgrag's own queries pass) is read too.
    expect(enforceLimit('MATCH (n) RETURN n LIMIT $k', 10, { k: { toNumber: () => 4 } })).toBe('MATCH (n) RETURN n LIMIT 4');
    refused(() => enforceLimit('MATCH (n) RETURN n LIMIT $k', 10, { k: 2.5 }), /LIMIT/);
    refused(() => enforceLimit('MATCH (n) RETURN n LIMIT $missing', 10), /LIMIT/);
    refused(() => enforceLimit('MATCH (n) RETURN n LIMIT 2 + 3', 10), /LIMIT/);
  });

  it('caps every UNION branch, leaves inner LIMITs alone and keeps comments', () => {
    expect(enforceLimit('MATCH (a) RETURN a.x AS x UNION ALL MATCH (b) RETURN b.x AS x LIMIT 99', 10)).toBe(
      'MATCH (a) RETURN a.x AS x LIMIT 11 UNION ALL MATCH (b) RETURN b.x AS x LIMIT 11',
    );
    expect(enforceLimit('MATCH (a) WITH a LIMIT 1000 CALL { WITH a RETURN a.x AS x LIMIT 500 } RETURN x', 10)).toBe(
      'MATCH (a) WITH a LIMIT 1000 CALL { WITH a RETURN a.x AS x LIMIT 500 } RETURN x LIMIT 11',
    );
    // Appended before a trailing comment, not inside it; a trailing ";" is dropped.
    expect(enforceLimit('MATCH (n) RETURN n // all of them', 10)).toBe('MATCH (n) RETURN n LIMIT 11 // all of them');
    expect(enforceLimit('MATCH (n) RETURN n;', 10)).toBe('MATCH (n) RETURN n LIMIT 11');
    expect(enforceLimit("MATCH (n) WHERE n.t = 'RETURN x LIMIT 5' RETURN n.`limit` AS l", 10)).toBe(
      "MATCH (n) WHERE n.t = 'RETURN x LIMIT 5' RETURN n.`limit` AS l LIMIT 11",
    );
  });

  it('refuses a query without a final RETURN', () => {
    refused(() => enforceLimit('CALL db.labels()', 10), /RETURN/);
    refused(() => enforceLimit('', 10), /empty/);
  });
});

describe('scopeToCollections', () => {
  const IN = (v: string) => `coalesce(${v}.collection, '@graph') IN $collections`;

  it('scopes every node of every MATCH, naming anonymous ones', () => {
    expect(scoped('MATCH (n) RETURN n.name AS name')).toBe(`MATCH (n) WHERE ${IN('n')} RETURN n.name AS name`);
    expect(scoped('MATCH (p:Person)-[:WORKS_ON]->(:Project {name: $p}), ()<-[r]-(p) RETURN p.name AS name')).toBe(
      `MATCH (p:Person)-[:WORKS_ON]->(kgrag_n0:Project {name: $p}), (kgrag_n1)<-[r]-(p) WHERE ${IN('p')} AND ${IN('kgrag_n0')} AND ${IN('kgrag_n1')} RETURN p.name AS name`,
    );
    expect(scoped('MATCH ({name: $n}) RETURN 1 AS one')).toBe(`MATCH (kgrag_n0 {name: $n}) WHERE ${IN('kgrag_n0')} RETURN 1 AS one`);
  });

  it('parenthesises the query\'s own WHERE so that OR true cannot escape the scope', () => {
    expect(scoped("MATCH (s:Secret) WHERE s.name = 'x' OR true RETURN s.name AS name")).toBe(
      `MATCH (s:Secret) WHERE ${IN('s')} AND (s.name = 'x' OR true) RETURN s.name AS name`,
    );
  });

  it('scopes OPTIONAL MATCH, MATCH after WITH, UNION parts and shortestPath ends', () => {
    expect(scoped('MATCH (a:A) WITH a OPTIONAL MATCH (a)-->(b) RETURN b.x AS x UNION MATCH (c) RETURN c.x AS x')).toBe(
      `MATCH (a:A) WHERE ${IN('a')} WITH a OPTIONAL MATCH (a)-->(b) WHERE ${IN('a')} AND ${IN('b')} RETURN b.x AS x UNION MATCH (c) WHERE ${IN('c')} RETURN c.x AS x`,
    );
    expect(scoped('MATCH p = shortestPath((a:A)-[*]-(b:B)) RETURN length(p) AS l')).toBe(
      `MATCH p = shortestPath((a:A)-[*]-(b:B)) WHERE ${IN('a')} AND ${IN('b')} RETURN length(p) AS l`,
    );
  });

  it('scopes EXISTS, COUNT and COLLECT subqueries and pattern comprehensions', () => {
    expect(scoped('MATCH (a) WHERE EXISTS { MATCH (s:Secret) WHERE s.v = a.v } RETURN a.v AS v')).toBe(
      `MATCH (a) WHERE ${IN('a')} AND (EXISTS { MATCH (s:Secret) WHERE ${IN('s')} AND (s.v = a.v) }) RETURN a.v AS v`,
    );
    expect(scoped('MATCH (a) RETURN COUNT { (a)-->(:S) } AS c, COLLECT { MATCH (x) RETURN x.v } AS xs')).toBe(
      `MATCH (a) WHERE ${IN('a')} RETURN COUNT { (a)-->(kgrag_n0:S) WHERE ${IN('a')} AND ${IN('kgrag_n0')} } AS c, COLLECT { MATCH (x) WHERE ${IN('x')} RETURN x.v } AS xs`,
    );
    expect(scoped('MATCH (a) RETURN [(s:Secret)-->() WHERE s.v > 1 OR true | s.v] AS vs')).toBe(
      `MATCH (a) WHERE ${IN('a')} RETURN [(s:Secret)-->(kgrag_n0) WHERE ${IN('s')} AND ${IN('kgrag_n0')} AND (s.v > 1 OR true) | s.v] AS vs`,
    );
  });

  it('is not fooled by keywords in strings, comments, property names and backtick names', () => {
    const q = "MATCH (a:P) // MATCH (s:Secret)\nWHERE a.name = 'x MATCH (s)' RETURN a.`MATCH` AS m, a.match AS n, `a`.x AS o";
    expect(scoped(q)).toBe(`MATCH (a:P) // MATCH (s:Secret) WHERE ${IN('a')} AND (a.name = 'x MATCH (s)') RETURN a.\`MATCH\` AS m, a.match AS n, \`a\`.x AS o`);
    expect(scoped('MATCH (`odd name`:P) RETURN `odd name`.x AS x')).toBe(
      `MATCH (\`odd name\`:P) WHERE coalesce(\`odd name\`.collection, '@graph') IN $collections RETURN \`odd name\`.x AS x`,
    );
    expect(squash(scopeToCollections('MATCH (n) RETURN n', 'cs'))).toBe("MATCH (n) WHERE coalesce(n.collection, '@graph') IN $cs RETURN n");
  });

  it('keeps anchored pattern predicates and refuses unanchored ones', () => {
    expect(scoped('MATCH (a) WHERE (a)-[:R]->(:S) RETURN a.x AS x')).toBe(`MATCH (a) WHERE ${IN('a')} AND ((a)-[:R]->(:S)) RETURN a.x AS x`);
    refused(() => scopeToCollections('MATCH (a) WITH count(a) AS c RETURN c, (a)-->() AS leak'), /already matched/);
  });

  it('refuses what it cannot scope', () => {
    refused(() => scopeToCollections('CALL db.labels() YIELD label RETURN label'), /not supported/);
    refused(() => scopeToCollections('MATCH (a) CALL { MATCH (s) RETURN s } RETURN s'), /not supported/);
    refused(() => scopeToCollections('MATCH (a) WHERE a.x IN [x IN [1] | x] RETURN a, COUNT { CALL db.labels() YIELD label RETURN label } AS c'), /not supported/);
    refused(() => scopeToCollections('MATCH ((a)-->(b)){1,3} RETURN a'), /Parenthesised|Quantified/);
    refused(() => scopeToCollections('MATCH (a)-->+(b) RETURN a'), /Quantified/);
    refused(() => scopeToCollections('MATCH SHORTEST 1 (a)-->(b) RETURN a'), /path modes/);
    refused(() => scopeToCollections('MATCH (a)-->() RETURN *'), /RETURN \*/);
    refused(() => scopeToCollections('MATCH (a) RETURN a.x AS x MATCH (b) RETURN b'), /last clause/);
    refused(() => scopeToCollections('MATCH (a) SET a.x = 1 RETURN a'), /SET/);
    refused(() => scopeToCollections('FOREACH (x IN [1] | CREATE (:X))'), /FOREACH/);
    refused(() => scopeToCollections('MATCH (a) RETURN a.x AS x; MATCH (s) RETURN s'), /";"/);
    refused(() => scopeToCollections('MATCH (a) RETURN (a'), /unclosed/);
    refused(() => scopeToCollections('MATCH (a)'), /RETURN/);
  });

  it('allows RETURN * when every node has a name', () => {
    expect(scoped('MATCH (a)-->(b) RETURN *')).toBe(`MATCH (a)-->(b) WHERE ${IN('a')} AND ${IN('b')} RETURN *`);
  });
});
