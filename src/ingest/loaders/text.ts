/**
 * Plain text loader, plus the block builder every loader uses to keep heading paths right.
 */
import type { Block, BlockKind, Metadata } from '../../domain/types.ts';
import { collapseWhitespace, normalizeText, segmentPlainText } from '../normalize.ts';
import type { TextSegment } from '../normalize.ts';

/** What a format loader hands back to the dispatcher. */
export interface LoaderResult {
  title: string;
  blocks: Block[];
  metadata: Metadata;
}

/**
 * Collects blocks in reading order and tracks the heading path: a heading closes every open
 * heading at its level or deeper. Empty text is dropped here so loaders need not check.
 */
export class BlockBuilder {
  readonly blocks: Block[] = [];
  private readonly open: Array<{ level: number; text: string }> = [];

  get headingPath(): string[] {
    return this.open.map((h) => h.text);
  }

  heading(text: string, level: number): void {
    const clean = collapseWhitespace(text);
    if (!clean) return;
    const clamped = Math.min(6, Math.max(1, Math.round(level)));
    while (this.open.length > 0 && (this.open[this.open.length - 1]?.level ?? 0) >= clamped) this.open.pop();
    this.blocks.push({ kind: 'heading', text: clean, level: clamped, headingPath: this.headingPath });
    this.open.push({ level: clamped, text: clean });
  }

  add(kind: Exclude<BlockKind, 'heading'>, text: string): void {
    if (text.trim() === '') return;
    this.blocks.push({ kind, text, headingPath: this.headingPath });
  }

  addSegments(segments: readonly TextSegment[]): void {
    for (const segment of segments) {
      if (segment.kind === 'heading') this.heading(segment.text, segment.level ?? 1);
      else this.add(segment.kind, segment.text);
    }
  }
}

/** Blocks of hard-wrapped plain text (also used for JSON Lines record text). */
export function plainTextBlocks(text: string): Block[] {
  const builder = new BlockBuilder();
  builder.addSegments(segmentPlainText(normalizeText(text)));
  return builder.blocks;
}

/** The first block's text when the document opens with a top-level heading. */
export function leadingTitle(blocks: readonly Block[]): string | undefined {
  const first = blocks[0];
  return first?.kind === 'heading' && first.level === 1 ? first.text : undefined;
}

/** Longest first line that still reads as a title rather than as a sentence. */
const MAX_TITLE_LENGTH = 120;

/**
 * Plain text has no markup for titles, but a short first line standing alone (followed by a
 * blank line) without closing punctuation is one by convention ("Honeybee colonies\n\nA colony…").
 */
export function titleLine(text: string): string | undefined {
  const lines = normalizeText(text).split('\n');
  const start = lines.findIndex((l) => l.trim() !== '');
  const first = collapseWhitespace(lines[start] ?? '');
  const next = lines[start + 1];
  if (start < 0 || !first || first.length > MAX_TITLE_LENGTH) return undefined;
  if ((next !== undefined && next.trim() !== '') || /[.,;:!?]$/.test(first)) return undefined;
  if (/^(?:#|[-*+•]\s|\d{1,3}[.)]\s)/.test(first)) return undefined;
  return first;
}

export function loadText(text: string, options: { fallbackTitle: string }): LoaderResult {
  const segments = segmentPlainText(normalizeText(text));
  const builder = new BlockBuilder();
  const implicitTitle = titleLine(text);
  const [first] = segments;
  if (implicitTitle && segments.length > 1 && first?.kind === 'paragraph' && first.text === implicitTitle) {
    // Promote it to a heading, so that the paragraphs below carry it in their heading path.
    builder.heading(implicitTitle, 1);
    builder.addSegments(segments.slice(1));
  } else {
    builder.addSegments(segments);
  }
  const blocks = builder.blocks;
  return { title: leadingTitle(blocks) ?? options.fallbackTitle, blocks, metadata: {} };
}
