import { BLOCK_SEPARATOR, documentText, embeddingInput, type Block, type ChunkDraft } from '../domain/types.ts';
import { ChunkingError } from '../errors.ts';

export interface ChunkOptions {
  /** Model window in word pieces, including [CLS]/[SEP]. */
  maxTokens: number;
  /** Tokens of trailing text repeated at the start of the next chunk of the same section. */
  overlapTokens: number;
  /** Word pieces of a text without special tokens (the embedder's `countTokens`). */
  countTokens: (text: string) => number;
}

/**
 * Structure-aware, token-bounded chunking.
 *
 * 1. Blocks are grouped into sections: a heading opens a section (headings with nothing between
 *    them share one), and the blocks under it that carry the same `headingPath` follow.
 * 2. Each section's text is cut into atoms, each within the section's token budget: a whole block
 *    when it fits, else its lines (list items, table rows, code lines), sentences, words, and word
 *    parts at punctuation or dictionary boundaries (URLs, CJK); a single run that still does not
 *    fit (a base64 blob) is cut by code points as a last resort.
 * 3. Atoms are packed greedily into chunks; a chunk after the first in a section starts with up to
 *    `overlapTokens` of whole trailing sentences (else words) of the previous one.
 *
 * Every atom boundary is at whitespace or punctuation, where WordPiece counts add up, so a chunk's
 * tokens are the sum of its atoms' counts; each finished chunk is still counted once as embedded
 * to guarantee the bound for tokenizers where that sum is off. A chunk's text is always the exact
 * slice `documentText(blocks).slice(start, end)`, so packed blocks keep their "\n\n" separators.
 */
export function chunkDocument(doc: { title: string; blocks: Block[] }, options: ChunkOptions): ChunkDraft[] {
  validateOptions(options);
  const ctx: Context = { text: documentText(doc.blocks), title: doc.title, options };
  const chunks: ChunkDraft[] = [];
  for (const section of groupSections(placeBlocks(doc.blocks, ctx.text))) {
    for (const chunk of chunkSection(section, ctx)) chunks.push({ ...chunk, index: chunks.length });
  }
  return chunks;
}

/** [CLS] and [SEP], which the model adds around every input. */
const SPECIAL_TOKENS = 2;
/** Retries of a section with a smaller budget when a tokenizer does not add up across atoms. */
const MAX_SECTION_ATTEMPTS = 4;
/** WordPiece gives up on words over 100 characters; longer pieces only waste counting. */
const MAX_CHARS_PER_TOKEN = 100;

interface Context {
  text: string;
  title: string;
  options: ChunkOptions;
}

/** A half-open character range of the document text. */
interface Span {
  start: number;
  end: number;
}

interface Atom extends Span {
  tokens: number;
  /** Part of running text, where overlap may start mid-atom at a sentence or word. */
  prose: boolean;
}

interface PlacedBlock extends Span {
  block: Block;
}

interface Section {
  path: string[];
  blocks: PlacedBlock[];
}

type Splitter = (text: string, span: Span) => Span[];

function validateOptions(options: ChunkOptions): void {
  const { maxTokens, overlapTokens } = options;
  if (!Number.isInteger(maxTokens) || maxTokens <= SPECIAL_TOKENS + 1) {
    throw new ChunkingError(`maxTokens must be an integer above ${SPECIAL_TOKENS + 1}, got ${maxTokens}`);
  }
  if (!Number.isInteger(overlapTokens) || overlapTokens < 0) {
    throw new ChunkingError(`overlapTokens must be a non-negative integer, got ${overlapTokens}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Sections

/** Blocks with their offsets in the document text, trimmed; blank blocks are dropped. */
function placeBlocks(blocks: readonly Block[], text: string): PlacedBlock[] {
  const placed: PlacedBlock[] = [];
  let offset = 0;
  for (const block of blocks) {
    const span = trimSpan(text, { start: offset, end: offset + block.text.length });
    if (span.end > span.start) placed.push({ ...span, block });
    offset += block.text.length + BLOCK_SEPARATOR.length;
  }
  return placed;
}

function groupSections(blocks: readonly PlacedBlock[]): Section[] {
  const sections: Section[] = [];
  let current: Section | undefined;
  for (const placed of blocks) {
    const { block } = placed;
    const onlyHeadings = current?.blocks.every((b) => b.block.kind === 'heading') ?? false;
    if (block.kind === 'heading') {
      const path = [...block.headingPath, block.text.trim()];
      // A heading directly under another one joins it, so no chunk is a bare heading.
      if (current && onlyHeadings) {
        current.blocks.push(placed);
        current.path = path;
        continue;
      }
      current = { path, blocks: [placed] };
      sections.push(current);
    } else if (current && (onlyHeadings || samePath(current.path, block.headingPath))) {
      // After its heading, the loader's path for the content is authoritative.
      if (onlyHeadings) current.path = [...block.headingPath];
      current.blocks.push(placed);
    } else {
      current = { path: [...block.headingPath], blocks: [placed] };
      sections.push(current);
    }
  }
  return sections;
}

function samePath(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((s, i) => s === b[i]);
}

/**
 * The heading path embedded with a section's chunks, and its token cost. The context may take at
 * most half of the window: outer headings are dropped first, since the nearest ones say most.
 */
function fitContext(path: readonly string[], ctx: Context): { path: string[]; tokens: number } {
  const limit = Math.floor((ctx.options.maxTokens - SPECIAL_TOKENS) / 2);
  let kept = [...path];
  let tokens = ctx.options.countTokens(embeddingInput(ctx.title, kept, ''));
  while (tokens > limit && kept.length > 0) {
    kept = kept.slice(1);
    tokens = ctx.options.countTokens(embeddingInput(ctx.title, kept, ''));
  }
  if (tokens > limit) {
    throw new ChunkingError(
      `The document title is ${tokens} tokens long, more than half of the ${ctx.options.maxTokens}-token ` +
        `window; shorten the title ("${ctx.title.slice(0, 60)}…") or raise KGRAG_CHUNK_TOKENS.`,
    );
  }
  return { path: kept, tokens };
}

// ---------------------------------------------------------------------------------------------
// Packing

type ChunkWithoutIndex = Omit<ChunkDraft, 'index'>;

function chunkSection(section: Section, ctx: Context): ChunkWithoutIndex[] {
  const context = fitContext(section.path, ctx);
  let budget = ctx.options.maxTokens - SPECIAL_TOKENS - context.tokens;
  for (let attempt = 0; attempt < MAX_SECTION_ATTEMPTS && budget >= 1; attempt++) {
    const result = packSection(section, context.path, budget, ctx);
    if ('chunks' in result) return result.chunks;
    budget -= result.overshoot;
  }
  throw new ChunkingError(
    `Could not fit the section "${section.path.join(' > ')}" into ${ctx.options.maxTokens} tokens; ` +
      'the token counter does not behave like a WordPiece tokenizer.',
  );
}

/** Atoms of the previous chunk, where overlap for the next one is taken from. */
interface Packed {
  firstAtom: number;
  endAtom: number;
}

function packSection(
  section: Section,
  path: string[],
  budget: number,
  ctx: Context,
): { chunks: ChunkWithoutIndex[] } | { overshoot: number } {
  const atoms = section.blocks.flatMap((b) => {
    const prose = b.block.kind === 'paragraph' || b.block.kind === 'heading';
    return atomize(b, splittersFor(b.block.kind), budget, ctx).map((a) => ({ ...a, prose }));
  });
  const chunks: ChunkWithoutIndex[] = [];
  let previous: Packed | undefined;
  let i = 0;
  while (i < atoms.length) {
    const first = atoms[i]!;
    const overlap = previous
      ? overlapBefore(atoms, previous, Math.min(ctx.options.overlapTokens, budget - first.tokens), ctx)
      : undefined;
    let tokens = first.tokens + (overlap?.tokens ?? 0);
    let j = i + 1;
    while (j < atoms.length && tokens + atoms[j]!.tokens <= budget) tokens += atoms[j++]!.tokens;

    // The sum is exact for WordPiece; the one full count per chunk is the guarantee.
    let start = overlap?.start ?? first.start;
    for (;;) {
      const end = atoms[j - 1]!.end;
      const text = ctx.text.slice(start, end);
      const tokenCount = ctx.options.countTokens(embeddingInput(ctx.title, path, text));
      if (tokenCount + SPECIAL_TOKENS <= ctx.options.maxTokens) {
        chunks.push(makeChunk(section, path, { start, end }, text, tokenCount));
        break;
      }
      if (j - i > 1) j--;
      else if (start !== first.start) start = first.start;
      else return { overshoot: tokenCount + SPECIAL_TOKENS - ctx.options.maxTokens };
    }
    previous = { firstAtom: i, endAtom: j };
    i = j;
  }
  return { chunks };
}

function makeChunk(
  section: Section,
  path: string[],
  span: Span,
  text: string,
  tokenCount: number,
): ChunkWithoutIndex {
  const page = blockAt(section.blocks, span.start).block.page;
  const ocrConfidence = lowestOcrConfidence(section.blocks, span);
  return {
    text,
    ...(page === undefined ? {} : { page }),
    ...(ocrConfidence === undefined ? {} : { ocrConfidence }),
    start: span.start,
    end: span.end,
    headingPath: [...path],
    tokenCount,
  };
}

/** The weakest OCR confidence among the blocks a span overlaps, so that a chunk is never trusted more than its worst line. */
function lowestOcrConfidence(blocks: readonly PlacedBlock[], span: Span): number | undefined {
  let lowest: number | undefined;
  for (const { block, start, end } of blocks) {
    if (end <= span.start || start >= span.end || block.ocrConfidence === undefined) continue;
    lowest = Math.min(lowest ?? 1, block.ocrConfidence);
  }
  return lowest;
}

/** The block a chunk's first character comes from (overlap may start in an earlier block). */
function blockAt(blocks: readonly PlacedBlock[], offset: number): PlacedBlock {
  // Binary search: the last block starting at or before `offset`.
  let lo = 0;
  let hi = blocks.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (blocks[mid]!.start <= offset) lo = mid;
    else hi = mid - 1;
  }
  return blocks[lo]!;
}

/**
 * Where the next chunk starts inside the previous one: whole trailing atoms, then whole trailing
 * sentences of the atom that did not fit, and only when none fitted, trailing words. Rows, items
 * and code lines are only repeated whole: half a table row is noise.
 */
function overlapBefore(
  atoms: readonly Atom[],
  previous: Packed,
  allowance: number,
  ctx: Context,
): { start: number; tokens: number } | undefined {
  if (allowance <= 0) return undefined;
  let tokens = 0;
  let start: number | undefined;
  for (let k = previous.endAtom - 1; k >= previous.firstAtom; k--) {
    const atom = atoms[k]!;
    if (tokens + atom.tokens <= allowance) {
      tokens += atom.tokens;
      start = atom.start;
      continue;
    }
    if (!atom.prose) break;
    const sentences = splitSentences(ctx.text, atom);
    let tail = sentences.length > 1 ? trailingFit(sentences, allowance - tokens, ctx) : undefined;
    if (!tail && start === undefined) {
      tail = trailingFit(wordStarts(ctx.text, sentences.at(-1) ?? atom), allowance, ctx);
    }
    if (tail) {
      tokens += tail.tokens;
      start = tail.start;
    }
    break;
  }
  return start === undefined ? undefined : { start, tokens };
}

/** The longest run of trailing pieces within `allowance` tokens; counts pieces from the end only. */
function trailingFit(
  pieces: readonly Span[],
  allowance: number,
  ctx: Context,
): { start: number; tokens: number } | undefined {
  let tokens = 0;
  let start: number | undefined;
  for (let k = pieces.length - 1; k >= 0; k--) {
    const piece = pieces[k]!;
    const cost = ctx.options.countTokens(ctx.text.slice(piece.start, piece.end));
    if (tokens + cost > allowance) break;
    tokens += cost;
    start = piece.start;
  }
  return start === undefined ? undefined : { start, tokens };
}

// ---------------------------------------------------------------------------------------------
// Atoms

/** How a block of each kind is cut when it does not fit, coarsest first. */
function splittersFor(kind: Block['kind']): Splitter[] {
  switch (kind) {
    case 'list':
      return [splitListItems, splitSentences, splitWords, splitWordParts];
    case 'table':
      return [splitLines, splitSentences, splitWords, splitWordParts];
    case 'code':
      return [splitLines, splitWords, splitWordParts];
    default:
      return [splitSentences, splitWords, splitWordParts];
  }
}

/** Pieces of `span` within `budget` tokens each, cut as coarsely as possible. */
type Measured = Omit<Atom, 'prose'>;

function atomize(span: Span, splitters: readonly Splitter[], budget: number, ctx: Context): Measured[] {
  const tokens = ctx.options.countTokens(ctx.text.slice(span.start, span.end));
  if (tokens <= budget) return [{ start: span.start, end: span.end, tokens }];
  return splitFurther(span, splitters, budget, ctx);
}

function splitFurther(span: Span, splitters: readonly Splitter[], budget: number, ctx: Context): Measured[] {
  const [split, ...finer] = splitters;
  if (!split) return splitByCodePoints(span, budget, ctx);
  const pieces = split(ctx.text, span);
  // A level that finds a single piece makes no progress; go finer without recounting.
  if (pieces.length <= 1) return splitFurther(span, finer, budget, ctx);
  return pieces.flatMap((piece) => atomize(piece, finer, budget, ctx));
}

/**
 * Last resort for one unbreakable run longer than the budget (a base64 blob, a giant identifier):
 * the longest prefixes that fit, found by binary search over code point boundaries (never inside
 * a surrogate pair). This is the only place a chunk boundary can fall inside a word.
 */
function splitByCodePoints(span: Span, budget: number, ctx: Context): Measured[] {
  const count = (s: number, e: number): number => ctx.options.countTokens(ctx.text.slice(s, e));
  const ends: number[] = [];
  for (let i = span.start; i < span.end; ) {
    i += ctx.text.codePointAt(i)! > 0xffff ? 2 : 1;
    ends.push(Math.min(i, span.end));
  }
  // No tokenizer packs more than this many characters per token; bounds each search.
  const window = budget * MAX_CHARS_PER_TOKEN;
  const atoms: Measured[] = [];
  let start = span.start;
  let k = 0;
  while (k < ends.length) {
    let best = k;
    let bestTokens = count(start, ends[k]!);
    let lo = k + 1;
    let hi = Math.min(ends.length - 1, k + window);
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const tokens = count(start, ends[mid]!);
      if (tokens <= budget) {
        best = mid;
        bestTokens = tokens;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    atoms.push({ start, end: ends[best]!, tokens: bestTokens });
    start = ends[best]!;
    k = best + 1;
  }
  return atoms;
}

const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });
const wordSegmenter = new Intl.Segmenter('en', { granularity: 'word' });

/** Sentences per Unicode rules (UAX #29), which also handle CJK full stops. */
function splitSentences(text: string, span: Span): Span[] {
  const pieces: Span[] = [];
  const slice = text.slice(span.start, span.end);
  for (const s of sentenceSegmenter.segment(slice)) {
    pushTrimmed(pieces, text, span.start + s.index, span.start + s.index + s.segment.length);
  }
  return pieces;
}

function splitWords(text: string, span: Span): Span[] {
  return matchSpans(text, span, /\S+/g);
}

/**
 * Parts of a run without spaces: words by Unicode rules (dictionary-based for CJK) and the
 * punctuation between them, as in "https://example.com/a/b". WordPiece splits at all of these.
 */
function splitWordParts(text: string, span: Span): Span[] {
  const pieces: Span[] = [];
  const slice = text.slice(span.start, span.end);
  for (const s of wordSegmenter.segment(slice)) {
    pushTrimmed(pieces, text, span.start + s.index, span.start + s.index + s.segment.length);
  }
  return pieces;
}

/** Where a word starts, for overlap that must begin inside a sentence. */
function wordStarts(text: string, span: Span): Span[] {
  const starts: number[] = [];
  for (const s of wordSegmenter.segment(text.slice(span.start, span.end))) {
    if (s.isWordLike) starts.push(span.start + s.index);
  }
  const pieces: Span[] = [];
  starts.forEach((start, k) => pushTrimmed(pieces, text, start, starts[k + 1] ?? span.end));
  return pieces;
}

function splitLines(text: string, span: Span): Span[] {
  return matchSpans(text, span, /[^\n]+/g);
}

const LIST_MARKER = /^\s*(?:[-*+•▪◦‣]|\d+[.)]|[a-zA-Z][.)])\s/;

/** List items with their continuation lines (lines that do not start with a marker). */
function splitListItems(text: string, span: Span): Span[] {
  const items: Span[] = [];
  for (const line of splitLines(text, span)) {
    const last = items.at(-1);
    if (last && !LIST_MARKER.test(text.slice(line.start, line.end))) last.end = line.end;
    else items.push({ ...line });
  }
  return items;
}

function matchSpans(text: string, span: Span, pattern: RegExp): Span[] {
  const pieces: Span[] = [];
  for (const m of text.slice(span.start, span.end).matchAll(pattern)) {
    pushTrimmed(pieces, text, span.start + m.index, span.start + m.index + m[0].length);
  }
  return pieces;
}

function pushTrimmed(pieces: Span[], text: string, start: number, end: number): void {
  const span = trimSpan(text, { start, end });
  if (span.end > span.start) pieces.push(span);
}

function trimSpan(text: string, span: Span): Span {
  let { start, end } = span;
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return { start, end };
}
