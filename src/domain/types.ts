/** Shared types that flow between pipeline stages. No behaviour here. */

export type BlockKind = 'heading' | 'paragraph' | 'list' | 'table' | 'code';

/**
 * A structural unit of a loaded document, in reading order. Loaders produce blocks; the chunker
 * packs them into chunks. `headingPath` is the chain of headings above the block (not including
 * the block itself when it is a heading).
 */
export interface Block {
  kind: BlockKind;
  text: string;
  /** Heading level 1..6, for kind 'heading'. */
  level?: number;
  /** 1-based page number, where the format has pages (PDF). */
  page?: number;
  headingPath: string[];
  /** Text recognised by OCR: the recogniser's mean confidence, 0–1. */
  ocrConfidence?: number;
}

export type Metadata = Record<string, string | number | boolean | null>;

/** What a loader returns: one document's text as structured blocks, plus provenance. */
export interface LoadedDocument {
  /** Explicit id from the source (JSON Lines `id`); otherwise the pipeline derives one. */
  id?: string;
  /** Path (absolute) or URL the document came from; for JSONL lines `file.jsonl#id`. */
  source: string;
  title: string;
  mimeType: string;
  /** sha256 (hex) of the raw bytes; for JSONL lines, of the line's canonical JSON. */
  sha256: string;
  blocks: Block[];
  metadata: Metadata;
}

/** Separator between blocks in a document's full text; chunk offsets refer to this text. */
export const BLOCK_SEPARATOR = '\n\n';

/** The document's full normalised text, to which chunk `start`/`end` offsets refer. */
export function documentText(blocks: readonly Block[]): string {
  return blocks.map((b) => b.text).join(BLOCK_SEPARATOR);
}

/** A chunk as the chunker makes it, before embedding. */
export interface ChunkDraft {
  index: number;
  text: string;
  /** First page the chunk's text comes from (PDF). */
  page?: number;
  /** Lowest OCR confidence (0–1) of the recognised text in the chunk; absent for born-digital text. */
  ocrConfidence?: number;
  /** Character offsets of the chunk in `documentText(blocks)`; end is exclusive. */
  start: number;
  end: number;
  headingPath: string[];
  /** Word pieces of `embeddingInput(...)` counted by the model's tokenizer, without [CLS]/[SEP]. */
  tokenCount: number;
}

/**
 * The text actually embedded for a chunk: the document title and heading path give the chunk
 * context (a chunk saying "it was founded in 1998" is useless to retrieval without them).
 * Whitespace is equivalent for the WordPiece tokenizer, so "title\ntext" embeds like
 * "title text", which is what the SciFact protocol prescribes.
 */
export function embeddingInput(title: string, headingPath: readonly string[], text: string): string {
  const context = [title, ...headingPath].map((s) => s.trim()).filter((s) => s.length > 0);
  // Drop a heading that repeats the title (common in Markdown and HTML documents).
  const deduped = context.filter((s, i) => i === 0 || s !== context[i - 1]);
  return deduped.length ? `${deduped.join(' > ')}\n${text}` : text;
}

export type SearchMode = 'vector' | 'fulltext' | 'hybrid';

export interface SearchResult {
  chunkId: string;
  documentId: string;
  title: string;
  source: string;
  page: number | null;
  text: string;
  score: number;
  collection: string;
}
