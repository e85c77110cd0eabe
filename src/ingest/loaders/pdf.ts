/**
 * PDF loader: text positions from pdfjs-dist → lines → paragraphs, headings and lists.
 *
 * PDFs carry no paragraphs, only positioned glyph runs, so structure is rebuilt from geometry:
 *
 * 1. Runs are grouped into rows by baseline (tolerance 0.4 × font size), left to right; a space
 *    goes where the gap between runs exceeds 0.15 em. A line's size is its largest run of ≥ 2
 *    characters (smaller inline code or superscripts do not change it).
 * 2. Column gutters: an x-range (≥ 6pt wide, not in the outer 10% of the text's width) that at
 *    most max(2, 30%) of the rows cross. It is accepted only if every column it creates has ≥ 3
 *    rows, spans ≥ 20% of the text width, and overlaps its neighbour vertically by ≥ 50%, i.e.
 *    the columns run side by side. Rows crossing a gutter (titles, running headers, full-width
 *    paragraphs and their short last lines) "span"; between two spanning rows each column is read
 *    top to bottom, left column first. Up to 4 gutters (5 columns).
 * 3. Running headers/footers: lines among the first/last 3 rows of a page and in its outer 20%
 *    whose text, digits replaced by '#', recurs on ≥ max(2, ⌈50% of pages⌉) pages (so a 2-page
 *    document needs both pages), or recurs on ≥ 2 pages ending or starting with a number that
 *    advances with the page ("Chapter 2: Parsing 14"), are dropped — unless set at heading size.
 *    Standalone page numbers ("7", "Page 3 of 10", "- 4 -", "xii") there are always dropped.
 * 4. Body size = the font size carrying the most characters. A line ≥ 1.15 × body (and ≥ 1pt
 *    larger) with ≤ 150 characters is a heading line; up to 3 consecutive ones of the same size
 *    form one heading (more become a large-print paragraph). Levels rank the distinct heading
 *    sizes, largest = 1 (capped at 6).
 * 5. A line continues the paragraph above unless: page, column or font size changes; the
 *    baseline step exceeds 1.3 × the usual line spacing for that size (the most frequent step);
 *    it is indented ≥ 0.8 em relative to the line above (first-line indent of a new paragraph),
 *    or the line above was indented relative to it and was not the paragraph's first line; or the
 *    line above ends a sentence and stops short (> 20% of the column width before the column's
 *    right edge) while this one starts like a sentence. A paragraph does continue from the foot
 *    of a column to the head of the next when the last line fills its column and the next line
 *    is not indented.
 * 6. Lines starting with a bullet symbol are list items; "-", "*", "1.", "a)", "iv." count only
 *    where a new item is plausible (the line above ends a clause, or a list is open). Consecutive
 *    items are one 'list' block with one item per text line; an item's wrapped lines continue it
 *    when indented past its marker, or when aligned with it and the line above ends mid-sentence.
 * 7. De-hyphenation when joining lines: "letter-" + lowercase start → hyphen dropped
 *    ("infor-" + "mation" → "information"), unless the hyphenated compound occurs elsewhere in
 *    the document and the joined word does not ("well-" + "known"). Uppercase or digit starts
 *    keep the hyphen without a space ("COVID-" + "19" → "COVID-19"), and so does a break after
 *    a hyphen inside a compound ("point-of-" + "sale"). A line-final soft hyphen always joins.
 *
 * Paragraphs never continue across a page break: each block's `page` is where its text is, which
 * is what citations need (a sentence split by a page break becomes two blocks, and a word
 * hyphenated across the break stays split).
 *
 * Known limitations: same-size bold headings are not detected (pdfjs exposes no font weight for
 * text runs); tables are read as text rows, or column by column when their columns look like a
 * gutter; code listings become short paragraphs (no 'code' blocks); rotated text is skipped and
 * vertical (CJK) writing misordered; right-to-left text is ordered by x; columns are found per
 * page, need whitespace gutters and ≥ 3 rows each, and a two-column stretch covering less than
 * ~70% of a page's rows is read row by row (interleaved).
 */
import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Block, BlockKind, Metadata } from '../../domain/types.ts';
import { checkPdfPages } from '../limits.ts';
import { LoadError, errorMessage } from '../../errors.ts';
import { ocrMetadata, type OcrLimits } from '../ocr.ts';

export interface PdfLoadResult {
  title: string;
  blocks: Block[];
  metadata: Metadata;
  pageCount: number;
}

type PdfJs = typeof import('pdfjs-dist/legacy/build/pdf.mjs');
type Matrix = [number, number, number, number, number, number];

/** A horizontal text run in device space (origin top-left, y grows downwards; y = baseline). */
interface Run {
  text: string;
  x: number;
  right: number;
  y: number;
  size: number;
}

interface Row {
  y: number;
  size: number;
  runs: Run[];
}

/** One text line of one column, normalised, in reading order. */
interface Line {
  page: number;
  text: string;
  /** The raw line ended in a soft hyphen (removed by normalisation): join without a space. */
  softHyphenEnd: boolean;
  x: number;
  right: number;
  y: number;
  size: number;
  /** Column index on its page; -1 for a row that spans the gutters of a multi-column page. */
  column: number;
  /** Horizontal extent of the line's column on its page (undefined when too few lines to tell). */
  colLeft?: number;
  colRight?: number;
}

interface PageLayout {
  page: number;
  height: number;
  lines: Line[];
  runCount: number;
  /** Paragraphs recognised by OCR on a page without a text layer. */
  ocrBlocks?: Block[];
}

interface Draft {
  kind: BlockKind;
  lines: Line[];
  /** Paragraph/heading text, or the list's items. */
  parts: string[];
  /** First line of the last part (a list item's marker line). */
  partStart: Line;
}

// ---------------------------------------------------------------------------------------------
// Entry point

export async function loadPdf(
  bytes: Uint8Array,
  options: { source: string; fallbackTitle: string; ocr?: OcrLimits },
): Promise<PdfLoadResult> {
  const { source } = options;
  const pdfjs = await loadPdfJs();
  const task = pdfjs.getDocument({
    // A fresh Uint8Array: pdfjs transfers (detaches) the buffer it gets and rejects Node Buffers.
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    verbosity: pdfjs.VerbosityLevel.ERRORS,
  });
  try {
    const doc = await task.promise.catch((err: unknown) => {
      throw toOpenError(err, source);
    });
    if (doc.numPages < 1) {
      throw new LoadError('CORRUPT_FILE', `${source} is not a valid PDF (it has no pages)`);
    }
    checkPdfPages(doc.numPages, source);
    const pages = await extractPages(doc, source);
    if (options.ocr && options.ocr.maxPages > 0) {
      const { ocrScannedPages } = await import('./pdf-ocr.ts');
      await ocrScannedPages(doc, pages, source, options.ocr);
    }
    const info = await readInfo(doc);
    return buildResult(pages, info, doc.numPages, options);
  } finally {
    // Destroys the document too; never let a teardown failure mask the real outcome.
    await task.destroy().catch(() => undefined);
  }
}

let pdfjsPromise: Promise<PdfJs> | undefined;

/**
 * Loads pdfjs lazily (it is large) and registers its worker module on the main thread, so pdfjs
 * runs its "fake worker" in-process without resolving a worker file path (works the same under
 * node, tsx, vitest and bundlers).
 */
function loadPdfJs(): Promise<PdfJs> {
  pdfjsPromise ??= (async () => {
    // A specifier in a variable: the worker bundle ships no type declarations.
    const workerSpecifier = 'pdfjs-dist/legacy/build/pdf.worker.mjs';
    const worker: unknown = await import(workerSpecifier);
    (globalThis as { pdfjsWorker?: unknown }).pdfjsWorker = worker;
    return import('pdfjs-dist/legacy/build/pdf.mjs');
  })().catch((err: unknown) => {
    pdfjsPromise = undefined;
    throw err;
  });
  return pdfjsPromise;
}

function toOpenError(err: unknown, source: string): LoadError {
  const name = err instanceof Error ? err.name : '';
  if (name === 'PasswordException') {
    return new LoadError('ENCRYPTED_FILE', `${source} is encrypted; kgrag cannot read password-protected PDFs`, {
      cause: err,
    });
  }
  return new LoadError('CORRUPT_FILE', `${source} is not a valid PDF (${errorMessage(err)})`, { cause: err });
}

async function extractPages(doc: PDFDocumentProxy, source: string): Promise<PageLayout[]> {
  const pages: PageLayout[] = [];
  // Sequential on purpose: bounded memory, and page resources are released as we go.
  for (let n = 1; n <= doc.numPages; n++) {
    try {
      const page = await doc.getPage(n);
      try {
        const viewport = page.getViewport({ scale: 1 });
        const content = await page.getTextContent();
        const runs = toRuns(content.items, viewport.transform as Matrix);
        pages.push({ page: n, height: viewport.height, lines: layoutPage(n, runs), runCount: runs.length });
      } finally {
        page.cleanup();
      }
    } catch (err) {
      throw new LoadError('CORRUPT_FILE', `${source} is not a valid PDF (page ${n}: ${errorMessage(err)})`, {
        cause: err,
      });
    }
  }
  return pages;
}

// ---------------------------------------------------------------------------------------------
// Text normalisation

const LIGATURES = /[\uFB00-\uFB06]/g;
// Symbol-font bullets that arrive in the Private Use Area (Word's Symbol/Wingdings bullets).
const PUA_BULLETS: Record<string, string> = { '\uF0B7': '•', '\uF0A7': '▪' };
// C0/C1 controls (whitespace controls are turned into spaces first) and zero-width characters.
const INVISIBLE = /[\u0000-\u001F\u007F-\u009F\u200B-\u200D\u2060\uFEFF]/g;

/** NFC, ligatures expanded, soft hyphens and controls removed, whitespace collapsed, trimmed. */
export function normalisePdfText(raw: string): string {
  return raw
    .replace(/\u00AD/g, '')
    .replace(LIGATURES, (ch) => ch.normalize('NFKC'))
    .replace(/[\uF0B7\uF0A7]/g, (ch) => PUA_BULLETS[ch] ?? ch)
    .replace(/[\t\n\v\f\r\u0085\u2028\u2029]/g, ' ')
    .replace(INVISIBLE, '')
    .replace(/\s+/g, ' ')
    .trim()
    .normalize('NFC');
}

// ---------------------------------------------------------------------------------------------
// Page layout: runs → rows → columns → lines in reading order

function multiply(m1: Matrix, m2: readonly number[]): Matrix {
  const [a, b, c, d, e, f] = m1;
  const [a2 = 1, b2 = 0, c2 = 0, d2 = 1, e2 = 0, f2 = 0] = m2;
  return [a * a2 + c * b2, b * a2 + d * b2, a * c2 + c * d2, b * c2 + d * d2, a * e2 + c * f2 + e, b * e2 + d * f2 + f];
}

function isTextItem(item: unknown): item is { str: string; transform: number[]; width: number } {
  return typeof item === 'object' && item !== null && 'str' in item && 'transform' in item;
}

/** Upright horizontal runs in device space; rotated or mirrored text is skipped. */
function toRuns(items: readonly unknown[], viewport: Matrix): Run[] {
  const runs: Run[] = [];
  for (const item of items) {
    if (!isTextItem(item) || item.str.trim() === '') continue;
    const [a, b, c, d, x, y] = multiply(viewport, item.transform);
    if (a <= 0 || d >= 0 || Math.abs(b) > 0.1 * a || Math.abs(c) > 0.1 * -d) continue;
    const size = Math.hypot(c, d);
    if (size < 1) continue;
    // The viewport has scale 1, so widths are already in device units. Some producers report
    // no width; approximate half an em per character.
    const width = item.width > 0 ? item.width : item.str.length * size * 0.5;
    runs.push({ text: item.str, x, right: x + width, y, size });
  }
  return runs;
}

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function layoutPage(page: number, runs: Run[]): Line[] {
  const rows = groupRows(runs);
  const gutters = findGutters(rows);
  const lines = readingOrder(page, rows, gutters);
  annotateColumnExtents(lines);
  return lines;
}

/** Groups runs sharing a baseline (within 0.4 em) into rows, top to bottom, runs left to right. */
function groupRows(runs: Run[]): Row[] {
  const sorted = [...runs].sort((p, q) => p.y - q.y || p.x - q.x);
  const rows: Row[] = [];
  for (const run of sorted) {
    const row = rows[rows.length - 1];
    if (row && Math.abs(run.y - row.y) <= 0.4 * Math.max(run.size, row.size)) {
      row.runs.push(run);
      if (run.size > row.size) row.size = run.size;
    } else {
      rows.push({ y: run.y, size: run.size, runs: [run] });
    }
  }
  for (const row of rows) row.runs = dropOverprint(row.runs.sort((p, q) => p.x - q.x));
  return rows;
}

/** Fake bold (the same text printed twice, slightly offset) would otherwise read twice. */
function dropOverprint(runs: Run[]): Run[] {
  return runs.filter((run, i) => {
    const prev = runs[i - 1];
    return !(prev && prev.text === run.text && Math.abs(prev.x - run.x) < 1.5);
  });
}

/** A row's covered x-intervals, merging gaps narrower than half an em (word spaces). */
function rowIntervals(row: Row): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const run of row.runs) {
    const last = out[out.length - 1];
    if (last && run.x - last[1] < 0.5 * run.size) last[1] = Math.max(last[1], run.right);
    else out.push([run.x, run.right]);
  }
  return out;
}

const MIN_GUTTER_WIDTH = 6;
const MAX_GUTTERS = 4;

/** x-positions (centres) of column gutters on the page, ascending; empty for one column. */
function findGutters(rows: Row[]): number[] {
  if (rows.length < 6) return [];
  const intervals = rows.map(rowIntervals);
  let minX = Infinity;
  let maxX = -Infinity;
  for (const [l, r] of intervals.flat()) {
    minX = Math.min(minX, l);
    maxX = Math.max(maxX, r);
  }
  const width = maxX - minX;
  if (!(width > 4 * MIN_GUTTER_WIDTH)) return [];
  // How many rows cover each 1pt slice of the text area.
  const bins = Math.ceil(width);
  const coverage = new Uint16Array(bins);
  for (const row of intervals) {
    for (const [l, r] of row) {
      for (let b = Math.max(0, Math.floor(l - minX)); b < Math.min(bins, Math.ceil(r - minX)); b++) coverage[b]! += 1;
    }
  }
  const allowance = Math.max(2, Math.floor(rows.length * 0.3));
  const candidates: Array<{ centre: number; width: number }> = [];
  const from = Math.floor(width * 0.1);
  const to = Math.ceil(width * 0.9);
  let start = -1;
  for (let b = from; b <= to; b++) {
    const open = b < to && (coverage[b] ?? 0) <= allowance;
    if (open && start < 0) start = b;
    if (!open && start >= 0) {
      if (b - start >= MIN_GUTTER_WIDTH) candidates.push({ centre: minX + (start + b) / 2, width: b - start });
      start = -1;
    }
  }
  candidates.sort((p, q) => q.width - p.width);
  let accepted: number[] = [];
  for (const c of candidates) {
    if (accepted.length >= MAX_GUTTERS) break;
    const trial = [...accepted, c.centre].sort((p, q) => p - q);
    if (columnsRunSideBySide(intervals, rows, trial, width)) accepted = trial;
  }
  return accepted;
}

/** Column index of an interval, or -1 if it crosses a gutter. */
function columnOf(l: number, r: number, gutters: readonly number[]): number {
  let col = 0;
  for (const g of gutters) {
    if (l < g && r > g) return -1;
    if (l >= g) col++;
  }
  return col;
}

/**
 * Every column has ≥ 3 rows, is ≥ 20% of the text width wide (a ragged label column such as
 * "[Function]" at the right margin is not a text column) and overlaps its neighbour vertically by
 * ≥ 50% of the shorter one.
 */
function columnsRunSideBySide(intervals: Array<Array<[number, number]>>, rows: Row[], gutters: number[], textWidth: number): boolean {
  const spans = [...gutters, Infinity].map(() => ({ top: Infinity, bottom: -Infinity, left: Infinity, right: -Infinity, rows: 0 }));
  intervals.forEach((row, i) => {
    const cols = row.map(([l, r]) => columnOf(l, r, gutters));
    if (cols.includes(-1)) return;
    const y = rows[i]!.y;
    const counted = new Set<number>();
    row.forEach(([l, r], j) => {
      const span = spans[cols[j]!]!;
      span.top = Math.min(span.top, y);
      span.bottom = Math.max(span.bottom, y);
      span.left = Math.min(span.left, l);
      span.right = Math.max(span.right, r);
      if (!counted.has(cols[j]!)) span.rows++;
      counted.add(cols[j]!);
    });
  });
  if (spans.some((s) => s.rows < 3 || s.right - s.left < 0.2 * textWidth)) return false;
  for (let i = 1; i < spans.length; i++) {
    const p = spans[i - 1]!;
    const q = spans[i]!;
    const overlap = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
    if (overlap < 0.5 * Math.min(p.bottom - p.top, q.bottom - q.top)) return false;
  }
  return true;
}

/**
 * Orders lines: rows top to bottom; on multi-column pages the stretch between two spanning rows
 * is read column by column.
 */
function readingOrder(page: number, rows: Row[], gutters: number[]): Line[] {
  const out: Line[] = [];
  const pending: Line[][] = gutters.map(() => []);
  pending.push([]);
  const flush = (): void => {
    for (const col of pending) out.push(...col.splice(0));
  };
  const add = (target: Line[], runs: Run[], column: number): void => {
    const line = makeLine(page, runs, column);
    if (line) target.push(line);
  };
  let lastSpanning: Row | undefined;
  for (const row of rows) {
    if (gutters.length === 0) {
      add(out, row.runs, 0);
      continue;
    }
    const byColumn = new Map<number, Run[]>();
    for (const run of row.runs) {
      pushTo(byColumn, columnOf(run.x, run.x, gutters), run);
    }
    const crosses = rowIntervals(row).some(([l, r]) => columnOf(l, r, gutters) === -1);
    if (crosses || (byColumn.size === 1 && continuesSpanningRow(lastSpanning, row))) {
      flush();
      add(out, row.runs, -1);
      lastSpanning = row;
      continue;
    }
    lastSpanning = undefined;
    for (const [col, runs] of byColumn) add(pending[col]!, runs, col);
  }
  flush();
  return out;
}

/** The short last line of a full-width paragraph does not reach the gutter but belongs to it. */
function continuesSpanningRow(spanning: Row | undefined, row: Row): boolean {
  const [a, b] = [spanning?.runs[0], row.runs[0]];
  if (!spanning || !a || !b || !sameSize(spanning.size, row.size)) return false;
  return row.y - spanning.y <= 1.5 * row.size && Math.abs(a.x - b.x) <= row.size;
}

/** Joins a row's runs into one line, with a space where the gap between runs is a word gap. */
function makeLine(page: number, runs: Run[], column: number): Line | undefined {
  let raw = '';
  let prevRight = -Infinity;
  for (const run of runs) {
    const gap = run.x - prevRight;
    if (raw !== '' && gap > 0.15 * run.size && !/\s$/.test(raw) && !/^\s/.test(run.text)) raw += ' ';
    raw += run.text;
    prevRight = Math.max(prevRight, run.right);
  }
  // The line's size is its largest text, so inline code in a smaller font or a superscript does
  // not make a body line look different; single glyphs (drop caps, big symbols) do not count.
  const words = runs.filter((r) => r.text.trim().length >= 2);
  const size = (words.length > 0 ? words : runs).reduce((max, r) => Math.max(max, r.size), 0);
  const text = normalisePdfText(raw);
  const first = runs[0];
  if (text === '' || !first) return undefined;
  return {
    page,
    text,
    softHyphenEnd: /\u00AD\s*$/.test(raw),
    x: first.x,
    right: prevRight,
    y: runs.reduce((y, r) => (r.size === size ? Math.max(y, r.y) : y), -Infinity),
    size,
    column,
  };
}

/** Column extents per page, for the "line stops short" paragraph-end test. */
function annotateColumnExtents(lines: Line[]): void {
  const byColumn = new Map<number, Line[]>();
  for (const line of lines) pushTo(byColumn, line.column, line);
  for (const group of byColumn.values()) {
    if (group.length < 3) continue;
    const left = group.reduce((min, l) => Math.min(min, l.x), Infinity);
    const right = group.reduce((max, l) => Math.max(max, l.right), -Infinity);
    for (const line of group) {
      line.colLeft = left;
      line.colRight = right;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Running headers, footers and page numbers

const PAGE_NUMBER = [
  /^(?:page|p\.)?\s*\d{1,4}(?:\s*(?:of|\/)\s*\d{1,4})?$/i,
  /^[-–—]\s*\d{1,4}\s*[-–—]$/,
  /^x{0,3}(?:ix|iv|v?i{0,3})$/, // front-matter numbers, i to xxxix
];

function repetitionKey(text: string): string {
  return text.toLowerCase().replace(/\d+/g, '#').replace(/\s+/g, ' ').trim();
}

/** Lines among the first or last three rows of the page that also sit in its outer 20%. */
function edgeLines(page: PageLayout): Line[] {
  const ys = [...new Set(page.lines.map((l) => Math.round(l.y)))].sort((p, q) => p - q);
  const thirdFromTop = ys[Math.min(2, ys.length - 1)] ?? -Infinity;
  const thirdFromBottom = ys[Math.max(0, ys.length - 3)] ?? Infinity;
  return page.lines.filter(
    (l) =>
      (Math.round(l.y) <= thirdFromTop && l.y - l.size <= page.height * 0.2) ||
      (Math.round(l.y) >= thirdFromBottom && l.y >= page.height * 0.8),
  );
}

/** A number opening or closing a line, where running headers put the page number. */
function edgeNumber(text: string): number | undefined {
  const match = /^(\d{1,4})\s|\s(\d{1,4})$/.exec(text);
  return match ? Number(match[1] ?? match[2]) : undefined;
}

/**
 * Keys of running headers/footers: edge text recurring on ≥ `threshold` pages, or recurring on
 * ≥ 2 pages with a number that advances with the page ("Chapter 2: Parsing 14", a chapter's
 * header in a book, which is on far fewer than half of the pages).
 */
function runningKeys(pages: PageLayout[], edges: Array<Set<Line>>): Set<string> {
  const threshold = pages.length >= 2 ? Math.max(2, Math.ceil(pages.length * 0.5)) : Infinity;
  const seen = new Map<string, Array<{ page: number; number: number | undefined }>>();
  pages.forEach((page, i) => {
    const onPage = new Map<string, Line>();
    for (const line of edges[i]!) if (!onPage.has(repetitionKey(line.text))) onPage.set(repetitionKey(line.text), line);
    for (const [key, line] of onPage) pushTo(seen, key, { page: page.page, number: edgeNumber(line.text) });
  });
  const keys = new Set<string>();
  for (const [key, pagesSeen] of seen) {
    const offset = (o: { page: number; number: number | undefined }): number => (o.number ?? NaN) - o.page;
    const pageNumbered = pagesSeen.length >= 2 && pagesSeen.every((o) => offset(o) === offset(pagesSeen[0]!));
    if (pagesSeen.length >= threshold || pageNumbered) keys.add(key);
  }
  return keys;
}

function removeRunningHeadersAndFooters(pages: PageLayout[]): void {
  // Headings repeat too ("Section 3" atop every page); running headers are not set large.
  const headingSize = 1.15 * bodySize(pages.flatMap((p) => p.lines));
  const edges = pages.map((page) => new Set(edgeLines(page)));
  const running = runningKeys(pages, edges);
  pages.forEach((page, i) => {
    const edge = edges[i]!;
    page.lines = page.lines.filter((line) => {
      if (!edge.has(line)) return true;
      if (PAGE_NUMBER.some((re) => re.test(line.text))) return false;
      return line.size >= headingSize || !running.has(repetitionKey(line.text));
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Document statistics

const sizeKey = (size: number): number => Math.round(size * 2) / 2;

/** The font size carrying the most characters: the body text size. */
function bodySize(lines: Line[]): number {
  const chars = new Map<number, number>();
  for (const l of lines) chars.set(sizeKey(l.size), (chars.get(sizeKey(l.size)) ?? 0) + l.text.length);
  let best = 0;
  let bestChars = -1;
  for (const [size, n] of chars) {
    if (n > bestChars) [best, bestChars] = [size, n];
  }
  return best;
}

/** Most frequent baseline step between consecutive lines of the same size and column, per size. */
function usualLineSpacing(lines: Line[]): Map<number, number> {
  const steps = new Map<number, Map<number, number>>();
  for (let i = 1; i < lines.length; i++) {
    const [p, q] = [lines[i - 1]!, lines[i]!];
    const dy = q.y - p.y;
    if (p.page !== q.page || p.column !== q.column || sizeKey(p.size) !== sizeKey(q.size)) continue;
    if (dy <= 0 || dy > 3 * q.size) continue;
    const hist = steps.get(sizeKey(q.size)) ?? new Map<number, number>();
    const step = Math.round(dy * 2) / 2;
    hist.set(step, (hist.get(step) ?? 0) + 1);
    steps.set(sizeKey(q.size), hist);
  }
  const usual = new Map<number, number>();
  for (const [size, hist] of steps) {
    const [step] = [...hist].sort((p, q) => q[1] - p[1] || p[0] - q[0])[0]!;
    usual.set(size, step);
  }
  return usual;
}

/** Every word (and hyphenated compound) written inside a line, for the de-hyphenation rule. */
function vocabulary(lines: Line[]): Set<string> {
  const words = new Set<string>();
  for (const line of lines) {
    // Skip the last token: a line-final "infor-" is exactly what we are deciding about.
    const tokens = line.text.toLowerCase().match(/[\p{L}\p{N}]+(?:[-\u2010][\p{L}\p{N}]+)*/gu) ?? [];
    const end = /[-\u2010]$/.test(line.text) ? tokens.length - 1 : tokens.length;
    for (let i = 0; i < end; i++) words.add(tokens[i]!);
  }
  return words;
}

// ---------------------------------------------------------------------------------------------
// Blocks

const SYMBOL_BULLET = /^[•◦▪▫‣⁃●○■□►▸✓✔➢➤\uE000-\uF8FF]\s*\S/u;
const ENUMERATOR = /^(?:[-–*]|\(?(?:\d{1,3}|[a-zA-Z]|[ivx]{1,5})[.)])\s+\S/;
const ENDS_CLAUSE = /[.:;!?]["'”’)\]]*$/u;
const ENDS_SENTENCE = /[.!?:]["'”’)\]]*$/u;
const STARTS_SENTENCE = /^[\p{Lu}\p{N}"'“‘(]/u;

interface Context {
  body: number;
  spacing: Map<number, number>;
  words: Set<string>;
}

const sameSize = (p: number, q: number): boolean => Math.abs(p - q) <= Math.max(0.5, 0.08 * Math.max(p, q));

function isHeadingLine(line: Line, ctx: Context): boolean {
  return line.size >= ctx.body * 1.15 && line.size - ctx.body >= 1 && line.text.length <= 150 && /\p{L}/u.test(line.text);
}

/** Same page, column and size, and the baseline step is ordinary line spacing (× maxFactor). */
function isNextLine(prev: Line, line: Line, ctx: Context, maxFactor = 1.3): boolean {
  if (prev.page !== line.page || prev.column !== line.column || !sameSize(prev.size, line.size)) return false;
  const dy = line.y - prev.y;
  const usual = ctx.spacing.get(sizeKey(line.size)) ?? 1.2 * line.size;
  return dy > 0 && dy <= usual * maxFactor + 0.5;
}

/** The line above ends a sentence well before the column's right edge: a paragraph's last line. */
function stopsShort(line: Line): boolean {
  if (line.colLeft === undefined || line.colRight === undefined) return false;
  return ENDS_SENTENCE.test(line.text) && line.colRight - line.right > 0.2 * (line.colRight - line.colLeft);
}

/**
 * A paragraph running from the foot of one column to the head of the next: the line above fills
 * its column and this one is not indented.
 */
function flowsToNextColumn(prev: Line, line: Line): boolean {
  if (prev.page !== line.page || prev.column < 0 || line.column !== prev.column + 1) return false;
  if (!sameSize(prev.size, line.size) || prev.colLeft === undefined || prev.colRight === undefined) return false;
  const fillsColumn = prev.colRight - prev.right <= 0.2 * (prev.colRight - prev.colLeft);
  return fillsColumn && line.colLeft !== undefined && line.x - line.colLeft <= 0.8 * line.size;
}

function continuesParagraph(draft: Draft, prev: Line, line: Line, ctx: Context): boolean {
  if (!isNextLine(prev, line, ctx)) return flowsToNextColumn(prev, line);
  const indentTolerance = 0.8 * line.size;
  if (line.x - prev.x > indentTolerance) return false;
  const prevWasFirstLineIndent = draft.lines.length === 1;
  if (prev.x - line.x > indentTolerance && !prevWasFirstLineIndent) return false;
  return !(stopsShort(prev) && STARTS_SENTENCE.test(line.text));
}

function startsListItem(line: Line, prev: Line | undefined, inList: boolean): boolean {
  if (SYMBOL_BULLET.test(line.text)) return true;
  if (!ENUMERATOR.test(line.text)) return false;
  return inList || !prev || ENDS_CLAUSE.test(prev.text);
}

function continuesListItem(draft: Draft, prev: Line, line: Line, ctx: Context): boolean {
  if (!isNextLine(prev, line, ctx) || startsListItem(line, prev, true)) return false;
  const marker = draft.partStart;
  const hanging = line.x > marker.x + 0.5 * line.size;
  const aligned = Math.abs(line.x - marker.x) <= 0.5 * line.size;
  return hanging || (aligned && !ENDS_SENTENCE.test(prev.text));
}

function continuesList(draft: Draft, prev: Line, line: Line, ctx: Context): boolean {
  if (!startsListItem(line, prev, true)) return false;
  // Items may be spaced apart; nested items may be indented.
  return isNextLine(prev, line, ctx, 2.6) && Math.abs(line.x - draft.lines[0]!.x) <= 4 * line.size;
}

/** Joins two lines of one paragraph, repairing typeset hyphenation (rules in the file header). */
function joinLines(prev: string, next: string, prevSoftHyphen: boolean, words: Set<string>): string {
  if (prevSoftHyphen) return prev + next;
  const hyphenated = /([\p{L}-]*?)(\p{L}+)[-\u2010]$/u.exec(prev.slice(-100)); // prev is the paragraph so far
  if (hyphenated) {
    // An uppercase/digit start ("COVID-|19"), or a break inside a compound that already has a
    // hyphen ("point-of-|sale"), keeps the hyphen.
    if (!/^\p{Ll}/u.test(next) || hyphenated[1]!.endsWith('-')) return prev + next;
    const stem = hyphenated[2]!.toLowerCase();
    const tail = (/^[\p{L}\p{N}]+/u.exec(next)?.[0] ?? '').toLowerCase();
    const compound = words.has(`${stem}-${tail}`) && !words.has(stem + tail);
    return compound ? prev + next : prev.slice(0, -1) + next;
  }
  if (/\S[-\u2010–—]$/u.test(prev)) return prev + next;
  return `${prev} ${next}`;
}

function appendLine(draft: Draft, line: Line, ctx: Context): void {
  const prev = draft.lines[draft.lines.length - 1]!;
  const last = draft.parts.length - 1;
  draft.parts[last] = joinLines(draft.parts[last]!, line.text, prev.softHyphenEnd, ctx.words);
  draft.lines.push(line);
}

function appendPart(draft: Draft, line: Line): void {
  draft.parts.push(line.text);
  draft.lines.push(line);
  draft.partStart = line;
}

/** Adds the line to the open block if it belongs there; false when a new block must start. */
function extend(draft: Draft, prev: Line, line: Line, heading: boolean, ctx: Context): boolean {
  switch (draft.kind) {
    case 'heading':
      if (!heading || !isNextLine(prev, line, ctx, 1.6)) return false;
      appendLine(draft, line, ctx);
      // More than three lines of large type is a large-print paragraph, not a heading.
      if (draft.lines.length > 3) draft.kind = 'paragraph';
      return true;
    case 'list':
      if (continuesList(draft, prev, line, ctx)) appendPart(draft, line);
      else if (!heading && continuesListItem(draft, prev, line, ctx)) appendLine(draft, line, ctx);
      else return false;
      return true;
    default:
      if (!continuesParagraph(draft, prev, line, ctx) || startsListItem(line, prev, false)) return false;
      appendLine(draft, line, ctx);
      return true;
  }
}

function buildDrafts(lines: Line[], ctx: Context): Draft[] {
  const drafts: Draft[] = [];
  let current: Draft | undefined;
  let prev: Line | undefined;
  for (const line of lines) {
    const heading = isHeadingLine(line, ctx);
    if (!(current && prev && extend(current, prev, line, heading, ctx))) {
      // An enumerator ("1.", "-") opens a list where the text breaks anyway or a clause ended.
      const broke = !current || !prev || current.kind !== 'paragraph' || !continuesParagraph(current, prev, line, ctx);
      const item = startsListItem(line, prev, broke);
      const kind: BlockKind = heading ? 'heading' : item ? 'list' : 'paragraph';
      current = { kind, lines: [], parts: [], partStart: line };
      appendPart(current, line);
      drafts.push(current);
    }
    prev = line;
  }
  return drafts;
}

function toBlocks(drafts: Draft[]): Block[] {
  const headingSizes = [...new Set(drafts.filter((d) => d.kind === 'heading').map((d) => sizeKey(d.lines[0]!.size)))].sort(
    (p, q) => q - p,
  );
  const path: Array<{ level: number; text: string }> = [];
  const blocks: Block[] = [];
  for (const draft of drafts) {
    const page = draft.lines[0]!.page;
    if (draft.kind === 'heading') {
      const text = draft.parts.join(' ');
      const level = Math.min(6, headingSizes.indexOf(sizeKey(draft.lines[0]!.size)) + 1);
      while (path.length > 0 && path[path.length - 1]!.level >= level) path.pop();
      blocks.push({ kind: 'heading', text, level, page, headingPath: path.map((h) => h.text) });
      path.push({ level, text });
    } else {
      blocks.push({ kind: draft.kind, text: draft.parts.join('\n'), page, headingPath: path.map((h) => h.text) });
    }
  }
  return blocks;
}

// ---------------------------------------------------------------------------------------------
// Title and metadata

interface DocInfo {
  info: Record<string, unknown>;
  xmpTitle: string | undefined;
}

async function readInfo(doc: PDFDocumentProxy): Promise<DocInfo> {
  try {
    const { info, metadata } = await doc.getMetadata();
    const xmp: unknown = metadata?.get('dc:title');
    return { info: info as Record<string, unknown>, xmpTitle: typeof xmp === 'string' ? xmp : undefined };
  } catch {
    return { info: {}, xmpTitle: undefined }; // metadata is optional; its absence is no error
  }
}

function infoString(info: Record<string, unknown>, key: string): string | undefined {
  const value = info[key];
  if (typeof value !== 'string') return undefined;
  const text = normalisePdfText(value);
  return text === '' ? undefined : text;
}

const FILE_NAME_TITLE = /\.(?:pdf|docx?|rtf|odt|pages|pptx?|key|odp|xlsx?|ods|txt|tex|dvi|ps|indd|qxd|html?|md)$/i;
const PLACEHOLDER_TITLE = /^(?:untitled|title|document|presentation|slide|no title|unknown)\s*\d*$/i;

const PATH_TITLE = /^(?:[a-z]:)?[\\/]|\\/i;

/** Producers fill Title with placeholders, file names and paths; the fallbacks are better. */
function isMeaningfulTitle(title: string | undefined): title is string {
  if (!title || title.length < 2 || !/\p{L}/u.test(title)) return false;
  if (PLACEHOLDER_TITLE.test(title) || FILE_NAME_TITLE.test(title) || PATH_TITLE.test(title)) return false;
  return !/^microsoft (?:word|powerpoint|excel)\s*-/i.test(title);
}

function chooseTitle(docInfo: DocInfo, blocks: Block[], fallback: string): string {
  const fromInfo = infoString(docInfo.info, 'Title');
  if (isMeaningfulTitle(fromInfo)) return fromInfo;
  const fromXmp = docInfo.xmpTitle === undefined ? undefined : normalisePdfText(docInfo.xmpTitle);
  if (isMeaningfulTitle(fromXmp)) return fromXmp;
  return blocks.find((b) => b.kind === 'heading' && b.level === 1)?.text ?? fallback;
}

function pdfDate(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = /^(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?([Zz]|[+-]\d{2}'?\d{2}'?)?/.exec(value.trim());
  if (!match) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', tz] = match;
  let offset = 'Z';
  if (tz && tz.toUpperCase() !== 'Z') {
    const digits = tz.replace(/'/g, '');
    offset = `${digits.slice(0, 3)}:${digits.slice(3, 5)}`;
  }
  const date = new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}${offset}`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

function buildMetadata(info: Record<string, unknown>, pageCount: number): Metadata {
  const metadata: Metadata = {};
  for (const [key, field] of [
    ['author', 'Author'],
    ['subject', 'Subject'],
    ['keywords', 'Keywords'],
  ] as const) {
    const value = infoString(info, field);
    if (value !== undefined) metadata[key] = value;
  }
  const created = pdfDate(info['CreationDate']);
  if (created !== undefined) metadata['creationDate'] = created;
  metadata['pageCount'] = pageCount;
  return metadata;
}

// ---------------------------------------------------------------------------------------------
// Assembly

function buildResult(
  pages: PageLayout[],
  docInfo: DocInfo,
  pageCount: number,
  options: { source: string; fallbackTitle: string },
): PdfLoadResult {
  const scanned = pages.filter((p) => p.ocrBlocks);
  if (pages.every((p) => p.runCount === 0) && scanned.length === 0) {
    throw new LoadError(
      'EMPTY_DOCUMENT',
      `${options.source} has no text layer (it looks like a scanned or image-only PDF) and OCR is off (KGRAG_OCR_MAX_PAGES=0)`,
    );
  }
  removeRunningHeadersAndFooters(pages);
  const lines = pages.flatMap((p) => p.lines);
  const ctx: Context = { body: bodySize(lines), spacing: usualLineSpacing(lines), words: vocabulary(lines) };
  const blocks = withOcrBlocks(toBlocks(buildDrafts(lines, ctx)), scanned);
  if (blocks.length === 0) {
    throw new LoadError(
      'EMPTY_DOCUMENT',
      scanned.length
        ? `${options.source}: no text was recognised on its ${scanned.length} scanned page(s), and it has no text layer elsewhere`
        : `${options.source} has no text besides page headers, footers and page numbers`,
    );
  }
  const ocrBlocks = scanned.flatMap((p) => p.ocrBlocks!);
  return {
    title: chooseTitle(docInfo, blocks, options.fallbackTitle),
    blocks,
    metadata: { ...buildMetadata(docInfo.info, pageCount), ...(scanned.length ? ocrMetadata(ocrBlocks, scanned.length) : {}) },
    pageCount,
  };
}

/** Puts the paragraphs of scanned pages in page order among the text-layer blocks, under the heading open at that point. */
function withOcrBlocks(blocks: Block[], scanned: PageLayout[]): Block[] {
  if (scanned.length === 0) return blocks;
  const out: Block[] = [];
  let i = 0;
  for (const page of scanned) {
    while (i < blocks.length && (blocks[i]!.page ?? 0) <= page.page) out.push(blocks[i++]!);
    const last = out[out.length - 1];
    const headingPath = last ? (last.kind === 'heading' ? [...last.headingPath, last.text] : last.headingPath) : [];
    for (const b of page.ocrBlocks!) out.push({ ...b, headingPath });
  }
  return [...out, ...blocks.slice(i)];
}
