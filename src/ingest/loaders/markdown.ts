/**
 * Markdown loader on marked's lexer: the token tree gives the structure (headings, lists, tables,
 * code) without rendering; inline markup is reduced to its text. Raw HTML blocks go through the
 * HTML block extraction. YAML (`---`) or TOML (`+++`) front matter supplies the title and
 * scalar metadata.
 */
import { decodeHTML } from 'entities';
import { lexer } from 'marked';
import type { MarkedToken, Token, Tokens } from 'marked';
import type { Metadata } from '../../domain/types.ts';
import { LINE_BREAK_MARK, collapseWhitespace, normalizeInline, normalizeText, trimCode } from '../normalize.ts';
import { htmlToBlocks } from './html.ts';
import { BlockBuilder } from './text.ts';
import type { LoaderResult } from './text.ts';

export function loadMarkdown(markdown: string, options: { fallbackTitle: string }): LoaderResult {
  const { body, fields } = splitFrontMatter(normalizeText(markdown));
  const builder = new BlockBuilder();
  addBlockTokens(lexer(body, { gfm: true }), builder);
  const { title: fmTitle, ...metadata } = fields;
  const firstH1 = builder.blocks.find((b) => b.kind === 'heading' && b.level === 1)?.text;
  const title = (typeof fmTitle === 'string' && fmTitle.trim()) || firstH1 || options.fallbackTitle;
  return { title, blocks: builder.blocks, metadata };
}

function addBlockTokens(tokens: readonly Token[], builder: BlockBuilder): void {
  for (const token of tokens) addBlockToken(token as MarkedToken, builder);
}

function addBlockToken(token: MarkedToken, builder: BlockBuilder): void {
  switch (token.type) {
    case 'heading':
      builder.heading(normalizeInline(inlineText(token.tokens)), token.depth);
      return;
    case 'paragraph':
      builder.add('paragraph', normalizeInline(inlineText(token.tokens)));
      return;
    case 'text':
      builder.add('paragraph', normalizeInline(token.tokens ? inlineText(token.tokens) : decodeHTML(token.text)));
      return;
    case 'list':
      builder.add('list', listLines(token, 0).join('\n'));
      return;
    case 'table':
      builder.add('table', tableLines(token).join('\n'));
      return;
    case 'code':
      builder.add('code', trimCode(normalizeText(token.text)));
      return;
    case 'blockquote':
      addBlockTokens(token.tokens, builder);
      return;
    case 'html':
      // Shares the builder so that headings inside HTML (<h1 align="center">) extend the path.
      htmlToBlocks(token.text, { boilerplate: false, fragment: true, builder });
      return;
    default:
      // space, hr, def, and inline tokens that cannot appear at block level.
      return;
  }
}

/** Text of inline tokens: emphasis and links reduced to their text, images dropped, entities decoded. */
function inlineText(tokens: readonly Token[] | undefined): string {
  return (tokens ?? []).map((t) => inlineTokenText(t as MarkedToken)).join('');
}

function inlineTokenText(token: MarkedToken): string {
  switch (token.type) {
    case 'text':
      return token.tokens ? inlineText(token.tokens) : decodeHTML(token.text);
    case 'escape':
    case 'codespan':
      return token.text;
    case 'strong':
    case 'em':
    case 'del':
    case 'link':
      return inlineText(token.tokens);
    case 'br':
      return LINE_BREAK_MARK;
    case 'html':
      return /^<br\s*\/?>$/i.test(token.text.trim()) ? LINE_BREAK_MARK : '';
    case 'checkbox':
      return token.checked ? '[x] ' : '[ ] ';
    case 'image':
      return '';
    default:
      return '';
  }
}

/** "- item" / "1. item" lines; nested lists indented by two spaces per level. */
function listLines(list: Tokens.List, depth: number): string[] {
  let number = typeof list.start === 'number' ? list.start : 1;
  const lines: string[] = [];
  for (const item of list.items) {
    const nested: Tokens.List[] = [];
    const parts: string[] = [];
    for (const child of item.tokens) {
      const token = child as MarkedToken;
      if (token.type === 'list') nested.push(token);
      else parts.push(blockPlainText(token));
    }
    const text = collapseWhitespace(normalizeText(parts.join(' ')));
    if (text) lines.push(`${'  '.repeat(depth)}${list.ordered ? `${number}.` : '-'} ${text}`);
    number++;
    for (const sub of nested) lines.push(...listLines(sub, depth + 1));
  }
  return lines;
}

/** Flat text of a block token inside a list item (paragraphs, code, quotes, even tables). */
function blockPlainText(token: MarkedToken): string {
  switch (token.type) {
    case 'paragraph':
    case 'heading':
      return inlineText(token.tokens);
    case 'text':
      return token.tokens ? inlineText(token.tokens) : decodeHTML(token.text);
    case 'checkbox':
      return inlineTokenText(token);
    case 'code':
      return token.text;
    case 'blockquote':
      return token.tokens.map((t) => blockPlainText(t as MarkedToken)).join(' ');
    case 'table':
      return tableLines(token).join(' ');
    case 'html':
      return htmlToBlocks(token.text, { boilerplate: false, fragment: true })
        .map((b) => b.text)
        .join(' ');
    default:
      return '';
  }
}

function tableLines(table: Tokens.Table): string[] {
  const cellText = (cell: Tokens.TableCell): string => collapseWhitespace(normalizeText(inlineText(cell.tokens)));
  return [table.header, ...table.rows]
    .map((row) => row.map(cellText))
    .filter((cells) => cells.some((c) => c.length > 0))
    .map((cells) => cells.join(' | '));
}

const FRONT_MATTER_RE = /^(---|\+\+\+)[ \t]*\n([\s\S]*?)\n(?:\1|\.\.\.)[ \t]*(?:\n|$)/;

/**
 * Front matter's top-level scalar fields. Not a YAML parser: nested maps and block lists are
 * skipped; an inline list `[a, b]` becomes the string "a, b".
 */
export function splitFrontMatter(text: string): { body: string; fields: Metadata } {
  const match = FRONT_MATTER_RE.exec(text);
  if (!match) return { body: text, fields: {} };
  const separator = match[1] === '+++' ? '=' : ':';
  const fields: Metadata = {};
  for (const line of (match[2] ?? '').split('\n')) {
    const field = new RegExp(`^([A-Za-z_][\\w.-]*)\\s*${separator}\\s*(.*)$`).exec(line);
    if (!field?.[1]) continue;
    const value = scalarValue(field[2] ?? '');
    if (value !== undefined) fields[field[1]] = value;
  }
  return { body: text.slice(match[0].length), fields };
}

function scalarValue(raw: string): string | number | boolean | null | undefined {
  const value = raw.replace(/\s+#.*$/, '').trim();
  if (value === '' || value === '|' || value === '>' || value.startsWith('{')) return undefined;
  if (value.startsWith('[')) {
    const items = value.replace(/^\[|\]$/g, '').split(',').map(unquote).filter(Boolean);
    return items.join(', ');
  }
  if (/^(?:true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  if (/^(?:null|~)$/i.test(value)) return null;
  if (/^-?\d+(?:\.\d+)?$/.test(value)) return Number(value);
  return unquote(value);
}

function unquote(value: string): string {
  const trimmed = value.trim();
  return /^(["']).*\1$/.test(trimmed) ? trimmed.slice(1, -1) : trimmed;
}
