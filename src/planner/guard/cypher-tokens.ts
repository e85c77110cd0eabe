/**
 * The Cypher tokenizer of the guard: strings, backtick-quoted names, comments, parameters and
 * punctuation as Neo4j reads them; characters it does not know are refused, not guessed.
 */
import { UnsafeQueryError } from '../../errors.ts';

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

export function readBacktick(query: string, start: number): { value: string; end: number } {
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
export interface Edit {
  at: number;
  /** Characters removed from `at`. */
  remove: number;
  insert: string;
  /** Tie-break for inserts at one position. */
  order: number;
}

export function applyEdits(query: string, edits: Edit[]): string {
  let out = query;
  // From the end backwards so positions stay valid; at one position, removals first, then inserts
  // (the higher `order`, the further right it ends up).
  const sorted = edits
    .map((e, i) => ({ ...e, order: e.order * 1e6 + i }))
    .sort((a, b) => b.at - a.at || Number(b.remove > 0) - Number(a.remove > 0) || b.order - a.order);
  for (const e of sorted) out = out.slice(0, e.at) + e.insert + out.slice(e.at + e.remove);
  return out;
}

export class Tokens {
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

export function describe(t: Token | undefined): string {
  return t ? `"${t.text.length > 40 ? `${t.text.slice(0, 40)}…` : t.text}"` : 'the end of the query';
}

/** [from, to) of each part of a UNION at the top level of [start, end). */
export function unionBranches(t: Tokens, start: number, end: number): Array<[number, number]> {
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
