import nlp from 'compromise';
import { ConfigError, KgragError, errorMessage } from '../errors.ts';
import type { Logger } from '../logging.ts';
import { analyseChunk, RoleLexicon, type EntityRecord, type Sentence } from './offline/entities.ts';
import {
  builtinPatternSet,
  compilePattern,
  loadPatternFile,
  mergePatternSets,
  type CompiledPattern,
  type PatternSet,
  type RelationPattern,
  type RoleDefinition,
} from './offline/patterns.ts';
import { findCandidates, resolveTypes, toRelations, type MatchableDoc } from './offline/relations.ts';
import type { ChunkExtraction, ExtractedEntity, ExtractionInput, ExtractionResult, Extractor } from './types.ts';

export type { NodeType, PatternFile, RelationPattern, RoleDefinition } from './offline/patterns.ts';
export { BUILTIN_PATTERNS_FILE, PATTERNS_SCHEMA_FILE } from './offline/patterns.ts';

export interface OfflineExtractorOptions {
  /** Relation patterns to run; default: the built-in ones (schemas/extraction-patterns.json). */
  patterns?: RelationPattern[];
  /** Role phrases; default: the built-in ones. */
  roles?: RoleDefinition[];
  /** Departments after "head of" etc.; default: the built-in ones. */
  departments?: string[];
}

/** Chunks are a few hundred words; anything far larger is not a chunk and would stall ingest. */
const MAX_CHUNK_CHARS = 200_000;
/** Hand the event loop back this often during a large batch (extraction is synchronous CPU work). */
const YIELD_EVERY_MS = 25;

/**
 * Entity and relation extraction without an LLM: compromise parses each chunk once, rules
 * recognise people, organisations, places and values, and data-driven patterns find relations.
 * Pure and deterministic: no I/O after construction.
 */
export class OfflineExtractor implements Extractor {
  readonly name = 'offline';
  private readonly patterns: CompiledPattern[];
  private readonly roles: RoleLexicon;

  constructor(options: OfflineExtractorOptions = {}) {
    const defaults = options.patterns && options.roles && options.departments ? undefined : builtinPatternSet();
    this.patterns = (options.patterns ?? defaults?.patterns ?? []).map((p) => {
      try {
        return compilePattern(p);
      } catch (err) {
        throw new ConfigError(`Extraction pattern "${p.id}" is invalid: ${errorMessage(err)}`, { cause: err });
      }
    });
    this.roles = new RoleLexicon(options.roles ?? defaults?.roles ?? [], options.departments ?? defaults?.departments ?? []);
  }

  async extract(inputs: ExtractionInput[], options: { signal?: AbortSignal } = {}): Promise<ExtractionResult> {
    const result: ExtractionResult = { extractions: [], failures: [] };
    let lastYield = performance.now();
    for (const input of inputs) {
      options.signal?.throwIfAborted();
      try {
        result.extractions.push(this.extractChunk(input));
      } catch (err) {
        const error = err instanceof KgragError ? err : new KgragError('EXTRACTION_FAILED', `Offline extraction failed for chunk ${input.chunkId}: ${errorMessage(err)}`, { cause: err });
        result.failures.push({ chunkId: input.chunkId, error });
      }
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
    }
    return result;
  }

  /** Extraction of one chunk, synchronously (the bench and tests call it directly). */
  extractChunk(input: ExtractionInput): ChunkExtraction {
    if (typeof input.text !== 'string') {
      throw new KgragError('EXTRACTION_FAILED', `Chunk ${input.chunkId} has no text`);
    }
    if (input.text.length > MAX_CHUNK_CHARS) {
      throw new KgragError('EXTRACTION_FAILED', `Chunk ${input.chunkId} has ${input.text.length} characters; the offline extractor takes chunks of up to ${MAX_CHUNK_CHARS}`);
    }
    if (input.text.trim() === '') return { chunkId: input.chunkId, entities: [], relations: [] };
    const doc = nlp(parserText(input.text));
    doc.compute('offset');
    const sentences = (doc.docs as unknown as Sentence[]).filter((s) => s.length > 0);
    const analysis = analyseChunk(input.text, sentences, this.roles);
    // The cache lets compromise skip sentences that lack a pattern's required words and tags.
    doc.cache();
    const candidates = findCandidates(doc as unknown as MatchableDoc, analysis, this.patterns);
    const relations = toRelations(resolveTypes(candidates));
    const entities = analysis.entities.filter((e) => !e.needsEvidence).map(toExtractedEntity);
    return { chunkId: input.chunkId, entities, relations };
  }
}

/**
 * The text compromise parses: same length as the chunk (offsets stay valid), with three repairs.
 * compromise ends sentences at every line break, which splits hard-wrapped prose ("Peter\n
 * Lindqvist"); never at ';', which glues two statements into one sentence; and slows down
 * sharply on very long sentences (tables, lists without punctuation), so those are cut.
 */
export function parserText(text: string): string {
  const lines = text.replace(/;/g, '.').split('\n');
  let out = lines[0]!;
  for (let i = 1; i < lines.length; i += 1) {
    const previous = lines[i - 1]!;
    const wrapped = previous.length >= 60 && !/[.!?:]\s*$/.test(previous) && /^[ \t]*\p{L}/u.test(lines[i]!);
    out += (wrapped ? ' ' : '\n') + lines[i]!;
  }
  return capSentences(out);
}

const MAX_SENTENCE_CHARS = 1000;

/** Replaces a space by a line break wherever a run without sentence punctuation grows too long. */
function capSentences(text: string): string {
  if (text.length <= MAX_SENTENCE_CHARS) return text;
  const chars = [...text];
  let run = 0;
  for (let i = 0; i < chars.length; i += 1) {
    const ch = chars[i]!;
    if (ch === '.' || ch === '!' || ch === '?' || ch === '\n') run = 0;
    else if ((run += 1) > MAX_SENTENCE_CHARS && ch === ' ') {
      chars[i] = '\n';
      run = 0;
    }
  }
  return chars.join('');
}

function toExtractedEntity(record: EntityRecord): ExtractedEntity {
  return {
    name: record.name,
    type: record.type,
    ...(record.aliases.size ? { aliases: [...record.aliases] } : {}),
    ...(record.properties && Object.keys(record.properties).length ? { properties: record.properties } : {}),
    confidence: record.confidence,
    start: record.start,
    end: record.end,
  };
}

/** The built-in patterns plus the user's extra patterns file (validated; a bad file is a ConfigError naming it). */
export async function createOfflineExtractor(opts: { patternsFile?: string }, logger: Logger): Promise<OfflineExtractor> {
  let set: PatternSet = builtinPatternSet();
  if (opts.patternsFile) {
    const extra = await loadPatternFile(opts.patternsFile);
    set = mergePatternSets(set, extra);
    logger.info({ file: opts.patternsFile, patterns: extra.patterns?.length ?? 0, roles: extra.roles?.length ?? 0 }, 'extraction patterns loaded');
  }
  const extractor = new OfflineExtractor(set);
  logger.debug({ patterns: set.patterns.length }, 'offline extractor ready');
  return extractor;
}
