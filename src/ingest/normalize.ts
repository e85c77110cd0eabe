/**
 * Text normalisation shared by all loaders. Every function is pure. Loaders call `normalizeText`
 * on all extracted text (so identical content gives identical chunks whatever the format), then
 * either `collapseWhitespace` (inline text such as HTML paragraphs and headings) or
 * `segmentPlainText` (hard-wrapped plain text, which needs its paragraphs rebuilt).
 */

/**
 * Invisible characters that only affect rendering: soft hyphen, zero-width space, word joiner,
 * BOM / zero-width no-break space, Mongolian vowel separator, and bidi marks/embeddings.
 * ZWJ and ZWNJ (U+200C/D) are kept: they change meaning in Persian and Indic scripts and emoji.
 */
const INVISIBLE_RE = /[\u00AD\u180E\u200B\u200E\u200F\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF]/g;

/** C0 controls except \t and \n, DEL, and C1 controls. Run after line breaks are normalised. */
// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F]/g;

/** Vertical tab, form feed (page breaks in text dumps), NEL, line and paragraph separators. */
const LINE_BREAK_LIKE_RE = /[\u000B\u000C\u0085\u2028\u2029]/g;

/** Non-breaking and typographic spaces; they would otherwise survive whitespace collapsing. */
const UNICODE_SPACE_RE = /[\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/g;

/** CRLF and lone CR (old Mac files) become LF. */
export function normalizeNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

/**
 * Removes soft hyphens, zero-width and control characters. A soft hyphen at the end of a line
 * marks a word split across lines, so the line break goes with it.
 */
export function removeInvisible(text: string): string {
  return text
    .replace(/\u00AD[ \t]*\n[ \t]*/g, '')
    .replace(INVISIBLE_RE, '')
    .replace(CONTROL_RE, '');
}

/**
 * Character-level normalisation: line breaks to LF, Unicode NFKC, invisible and control
 * characters removed (\t and \n kept), exotic spaces to plain spaces. NFKC folds what PDF fonts
 * and East Asian input methods emit for the same text: ligatures ("ﬁ" → "fi"), Kangxi radicals
 * ("⽆" U+2F46 → "无"), full-width letters, digits and punctuation ("ＲＡＧ２０２４？" → "RAG2024?").
 * Does not touch runs of whitespace, so it is safe for code.
 */
export function normalizeText(text: string): string {
  const lines = normalizeNewlines(text).replace(LINE_BREAK_LIKE_RE, '\n');
  return removeInvisible(lines.normalize('NFKC')).replace(UNICODE_SPACE_RE, ' ');
}

/** Collapses spaces and tabs within one line and trims it. */
export function collapseSpaces(line: string): string {
  return line.replace(/[ \t]+/g, ' ').trim();
}

/** Collapses all whitespace, line breaks included, to single spaces (inline text). */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Collapses spaces within each line, trims lines and drops empty ones; keeps the line breaks. */
export function collapseLines(text: string): string {
  return text
    .split('\n')
    .map(collapseSpaces)
    .filter((line) => line.length > 0)
    .join('\n');
}

/**
 * Joins words hyphenated across a line break ("infor-\nmation" → "information") when the next
 * line continues in lower case. Compounds broken at their own hyphen ("well-\nknown") are joined
 * too; without a dictionary the two cases cannot be told apart, and the split is the rarer one.
 */
export function dehyphenate(text: string): string {
  return text.replace(/(\p{L})-[ \t]*\n[ \t]*(\p{Ll})/gu, '$1$2');
}

/**
 * Marks a hard line break (HTML <br>, Markdown trailing backslash) inside inline text that is
 * otherwise whitespace-collapsed. It is U+2028, which `normalizeText` turns into \n.
 */
export const LINE_BREAK_MARK = '\u2028';

/**
 * Inline markup text (HTML, Markdown): every run of whitespace is one space, as a browser renders
 * it; only LINE_BREAK_MARK breaks a line. Fully normalised, lines trimmed, empty lines dropped.
 */
export function normalizeInline(raw: string): string {
  return collapseLines(normalizeText(raw.replace(/[ \t\n\r\f]+/g, ' ')));
}

/** Removes trailing whitespace on every line and blank lines at both ends (code blocks). */
export function trimCode(text: string): string {
  const lines = text.split('\n').map((line) => line.replace(/\s+$/, ''));
  while (lines.length > 0 && lines[0] === '') lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return dedent(lines).join('\n');
}

/** Removes the indentation common to all non-blank lines. */
function dedent(lines: string[]): string[] {
  const indents = lines.filter((l) => l.trim() !== '').map((l) => /^[ \t]*/.exec(l)?.[0].length ?? 0);
  const common = indents.length > 0 ? Math.min(...indents) : 0;
  return common > 0 ? lines.map((l) => l.slice(common)) : lines;
}

export type SegmentKind = 'heading' | 'paragraph' | 'list' | 'table' | 'code';

/** A structural piece of plain text. `level` is set for headings. */
export interface TextSegment {
  kind: SegmentKind;
  text: string;
  level?: number;
}

const LIST_ITEM_RE = /^[ \t]*(?:[-*+•◦▪‣·–]|\(?\d{1,3}[.)]|\(?[a-z]\))[ \t]+\S/;
const ATX_HEADING_RE = /^(#{1,6})[ \t]+(\S.*?)[ \t#]*$/;
const SETEXT_UNDERLINE_RE = /^[ \t]*(=+|-+)[ \t]*$/;
const FENCE_RE = /^[ \t]*(```+|~~~+)/;
const THEMATIC_BREAK_RE = /^[ \t]*(?:([-*_=])[ \t]*){3,}$/;
const TABLE_RULE_RE = /^[ \t|:+=-]+$/;
const INDENTED_RE = /^(?: {4}|\t)/;

function isBlank(line: string): boolean {
  return line.trim() === '';
}

function isTableRow(line: string): boolean {
  return (line.match(/\|/g)?.length ?? 0) >= 2 || /\S\t+\S.*\t/.test(line);
}

/**
 * Rebuilds the structure of hard-wrapped plain text. Blank lines separate paragraphs; the lines of
 * a paragraph are joined with spaces. Lines that carry structure are never joined: list items
 * (a wrapped continuation line is appended to its item), `#` headings and underlined headings,
 * table-like rows (two or more `|`, or tab-separated columns), fenced code, and indented blocks
 * (every line indented by 4 spaces or a tab, between blank lines) that read like code.
 * Expects text already passed through `normalizeText`.
 */
export function segmentPlainText(text: string): TextSegment[] {
  const lines = text.split('\n');
  const segments: TextSegment[] = [];
  let pending: { kind: 'paragraph' | 'list' | 'table'; lines: string[] } | undefined;

  const flush = (): void => {
    if (!pending) return;
    // Lines are kept apart until here so that words split across them can be rejoined first.
    const body =
      pending.kind === 'paragraph'
        ? collapseWhitespace(dehyphenate(pending.lines.join('\n')))
        : pending.lines.map((l) => collapseWhitespace(dehyphenate(l))).join('\n');
    if (body) segments.push({ kind: pending.kind, text: body });
    pending = undefined;
  };
  const startOrContinue = (kind: 'paragraph' | 'list' | 'table', line: string): void => {
    if (pending?.kind !== kind) {
      flush();
      pending = { kind, lines: [] };
    }
    pending.lines.push(line);
  };

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const next = lines[i + 1];
    const previousBlank = i === 0 || isBlank(lines[i - 1] ?? '');

    if (isBlank(line) || THEMATIC_BREAK_RE.test(line)) {
      flush();
      continue;
    }
    const fence = FENCE_RE.exec(line);
    if (fence) {
      flush();
      const end = findFenceEnd(lines, i + 1, fence[1] ?? '```');
      pushCode(segments, lines.slice(i + 1, end));
      i = end;
      continue;
    }
    if (previousBlank && !pending && INDENTED_RE.test(line)) {
      const end = findIndentedEnd(lines, i);
      if ((end === lines.length || isBlank(lines[end] ?? '')) && looksLikeCode(lines.slice(i, end))) {
        pushCode(segments, lines.slice(i, end));
        i = end - 1;
        continue;
      }
    }
    const atx = ATX_HEADING_RE.exec(line.trim());
    if (atx) {
      flush();
      segments.push({ kind: 'heading', text: collapseSpaces(atx[2] ?? ''), level: atx[1]?.length ?? 1 });
      continue;
    }
    if (previousBlank && !pending && next !== undefined && SETEXT_UNDERLINE_RE.test(next) && !LIST_ITEM_RE.test(line)) {
      segments.push({ kind: 'heading', text: collapseSpaces(line), level: next.trim().startsWith('=') ? 1 : 2 });
      i++;
      continue;
    }
    if (LIST_ITEM_RE.test(line)) {
      startOrContinue('list', line);
      continue;
    }
    if (pending?.kind === 'list') {
      // A wrapped list item: the continuation belongs to the last item.
      const last = pending.lines.length - 1;
      pending.lines[last] = `${pending.lines[last] ?? ''}\n${line.trim()}`;
      continue;
    }
    if (isTableRow(line)) {
      if (TABLE_RULE_RE.test(line)) continue; // "|---|:--:|" separates a table's header from its rows
      startOrContinue('table', line.replace(/\t+/g, ' | '));
      continue;
    }
    startOrContinue('paragraph', line);
  }
  flush();
  return segments;
}

function findFenceEnd(lines: string[], from: number, fence: string): number {
  const marker = fence.slice(0, 3);
  for (let j = from; j < lines.length; j++) {
    if ((lines[j] ?? '').trim().startsWith(marker)) return j;
  }
  return lines.length;
}

function findIndentedEnd(lines: string[], from: number): number {
  let j = from;
  while (j < lines.length && (INDENTED_RE.test(lines[j] ?? '') || (isBlank(lines[j] ?? '') && INDENTED_RE.test(lines[j + 1] ?? '')))) {
    j++;
  }
  return j;
}

/**
 * In plain text, indentation is more often layout (centred titles, indented clauses of a licence)
 * than code, so an indented block only counts as code when it reads like code: many brackets and
 * operators, or many lines ending in ; { } or a shell/REPL prompt.
 */
function looksLikeCode(lines: string[]): boolean {
  const content = lines.filter((l) => l.trim() !== '');
  const text = content.join('');
  const visible = text.replace(/\s/g, '').length;
  if (visible === 0) return false;
  const symbols = text.match(/[{}[\]();=<>$|\\]/g)?.length ?? 0;
  const codeEndings = content.filter((l) => /[;{}]\s*$/.test(l) || /^\s*(?:\$|>>>|#!)\s?/.test(l)).length;
  return symbols / visible > CODE_SYMBOL_RATIO || codeEndings / content.length >= 0.3;
}

/** Share of bracket/operator characters above which indented text is taken for code. */
const CODE_SYMBOL_RATIO = 0.06;

function pushCode(segments: TextSegment[], lines: string[]): void {
  const code = trimCode(lines.join('\n'));
  if (code) segments.push({ kind: 'code', text: code });
}

/** Hard-wrapped plain text as clean paragraphs separated by blank lines. */
export function repairParagraphs(text: string): string {
  return segmentPlainText(normalizeText(text))
    .map((s) => s.text)
    .join('\n\n');
}
