import type { KgragError } from '../errors.ts';

/**
 * What every extractor (offline patterns, LLM) consumes and produces. Entity types are PascalCase
 * ("Person", "Organization"), relationship types UPPER_SNAKE ("WORKS_FOR"); the graph layer
 * still sanitises both before they reach Cypher.
 */
export interface ExtractionInput {
  chunkId: string;
  text: string;
  /** Context only (never instructions): helps an LLM, e.g. to resolve "the company". */
  documentTitle: string;
}

export type ScalarValue = string | number | boolean;

export interface ExtractedEntity {
  /** Surface form as written in the text, trimmed ("Jane Smith", "OpenAI Inc."). */
  name: string;
  type: string;
  /** Other names the same text gives it ("International Business Machines (IBM)" → ["IBM"]). */
  aliases?: string[];
  properties?: Record<string, ScalarValue>;
  /** 0..1 */
  confidence: number;
  /** Character offsets of the first mention in the chunk text, when known. */
  start?: number;
  end?: number;
}

export interface EntityRef {
  name: string;
  type: string;
}

export interface ExtractedRelation {
  type: string;
  source: EntityRef;
  target: EntityRef;
  /** e.g. { since: "2023" }, { role: "CEO" }, { date: "2021-03" } */
  properties?: Record<string, ScalarValue>;
  confidence: number;
  /** The sentence (or span) that states the relation. */
  evidence?: string;
}

export interface ChunkExtraction {
  chunkId: string;
  entities: ExtractedEntity[];
  relations: ExtractedRelation[];
}

export interface ExtractionFailure {
  chunkId: string;
  error: KgragError;
}

export interface ExtractionResult {
  extractions: ChunkExtraction[];
  failures: ExtractionFailure[];
}

export interface Extractor {
  readonly name: string;
  /** Never rejects for one bad chunk: per-chunk problems are returned as failures. */
  extract(inputs: ExtractionInput[], options?: { signal?: AbortSignal }): Promise<ExtractionResult>;
}

/**
 * Types that describe values rather than things: they are extracted (and evaluated), and used as
 * relationship properties ("joined in 2023"), but do not become Entity nodes of their own.
 */
export const VALUE_TYPES: ReadonlySet<string> = new Set(['Date', 'Money', 'Percent', 'Quantity']);
