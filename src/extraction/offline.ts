import path from 'node:path';
import { compromise } from '../nlp.ts';
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
import { extractChineseSentences, ZhRoleLexicon, type ZhSentence } from './offline/zh/extract.ts';
import { LacTagger, type LacToken } from './offline/zh/lac.ts';
import { compileZhPattern, type CompiledZhPattern } from './offline/zh/templates.ts';

export type { NodeType, PatternFile, RelationPattern, RoleDefinition } from './offline/patterns.ts';
export { BUILTIN_PATTERNS_FILE, PATTERNS_SCHEMA_FILE } from './offline/patterns.ts';

export interface OfflineExtractorOptions {
  /** Relation patterns to run; default: the built-in ones (schemas/extraction-patterns.json). */
  patterns?: RelationPattern[];
  /** Role phrases; default: the built-in ones. */
  roles?: RoleDefinition[];
  /** Departments after "head of" etc.; default: the built-in ones. */
  departments?: string[];
  /**
   * Tags Chinese sentences (segmentation, POS, PER/LOC/ORG). Default: LAC from `chineseModelDir`,
   * loaded at the first Chinese chunk; null: Chinese sentences are skipped.
   */
  chineseTagger?: ChineseTagger | null;
  /** Where `npm run setup` unpacked LAC; default <KGRAG_HOME or .kgrag>/models-extra/lac. */
  chineseModelDir?: string;
  logger?: Logger;
}

export interface ChineseTagger {
  tag(sentence: string): Promise<LacToken[]>;
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
  private readonly zhPatterns: CompiledZhPattern[];
  private readonly zhRoles: ZhRoleLexicon;
  private tagger: Promise<ChineseTagger | null> | undefined;

  constructor(options: OfflineExtractorOptions = {}) {
    const defaults = options.patterns && options.roles && options.departments ? undefined : builtinPatternSet();
    const patterns = options.patterns ?? defaults?.patterns ?? [];
    const compile = <T>(p: RelationPattern, fn: (p: RelationPattern) => T): T => {
      try {
        return fn(p);
      } catch (err) {
        throw new ConfigError(`Extraction pattern "${p.id}" is invalid: ${errorMessage(err)}`, { cause: err });
      }
    };
    this.patterns = patterns.filter((p) => p.language !== 'zh').map((p) => compile(p, compilePattern));
    this.zhPatterns = patterns.filter((p) => p.language === 'zh').map((p) => compile(p, compileZhPattern));
    const roles = options.roles ?? defaults?.roles ?? [];
    this.roles = new RoleLexicon(
      roles.filter((r) => r.language !== 'zh'),
      options.departments ?? defaults?.departments ?? [],
    );
    this.zhRoles = new ZhRoleLexicon(roles);
    if (options.chineseTagger !== undefined) this.tagger = Promise.resolve(options.chineseTagger);
    this.chineseModelDir = options.chineseModelDir ?? path.resolve(process.env.KGRAG_HOME ?? '.kgrag', 'models-extra', 'lac');
    this.logger = options.logger;
  }

  private readonly chineseModelDir: string;
  private readonly logger: Logger | undefined;

  /** LAC, loaded once at the first Chinese chunk; without it Chinese sentences yield nothing (said once in the log). */
  private chineseTagger(): Promise<ChineseTagger | null> {
    this.tagger ??= LacTagger.isAvailable(this.chineseModelDir)
      ? LacTagger.load(this.chineseModelDir)
      : Promise.resolve(null).then(() => {
          this.logger?.warn({ dir: this.chineseModelDir }, 'Chinese tagger (LAC) not prepared: Chinese text gets no entities; run `npm run setup`');
          return null;
        });
    return this.tagger;
  }

  /** The Chinese sentences of a chunk, tagged. */
  private async tagChinese(text: string): Promise<ZhSentence[]> {
    const ranges = chineseSentences(text);
    if (ranges.length === 0) return [];
    const tagger = await this.chineseTagger();
    if (!tagger) return [];
    const out: ZhSentence[] = [];
    for (const [start, end] of ranges) {
      const tokens = await tagger.tag(text.slice(start, end));
      out.push({ start, end, tokens: tokens.map((t) => ({ ...t, start: t.start + start, end: t.end + start })) });
    }
    return out;
  }

  async extract(inputs: ExtractionInput[], options: { signal?: AbortSignal } = {}): Promise<ExtractionResult> {
    const result: ExtractionResult = { extractions: [], failures: [] };
    let lastYield = performance.now();
    for (const input of inputs) {
      options.signal?.throwIfAborted();
      try {
        const chinese = typeof input.text === 'string' && HAN.test(input.text) ? await this.tagChinese(input.text) : [];
        result.extractions.push(this.extractChunk(input, chinese));
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

  /**
   * Extraction of one chunk, synchronously (the bench and tests call it directly). Chinese
   * sentences need their tags (`extract` computes them); without them they are skipped.
   */
  extractChunk(input: ExtractionInput, chinese: ZhSentence[] = []): ChunkExtraction {
    if (typeof input.text !== 'string') {
      throw new KgragError('EXTRACTION_FAILED', `Chunk ${input.chunkId} has no text`);
    }
    if (input.text.length > MAX_CHUNK_CHARS) {
      throw new KgragError('EXTRACTION_FAILED', `Chunk ${input.chunkId} has ${input.text.length} characters; the offline extractor takes chunks of up to ${MAX_CHUNK_CHARS}`);
    }
    if (input.text.trim() === '') return { chunkId: input.chunkId, entities: [], relations: [] };
    const english = this.extractEnglish({ ...input, text: maskChinese(input.text) });
    if (chinese.length === 0) return english;
    const zh = extractChineseSentences(input.text, chinese, this.zhRoles, this.zhPatterns);
    return { chunkId: input.chunkId, entities: [...english.entities, ...zh.entities], relations: [...english.relations, ...zh.relations] };
  }

  private extractEnglish(input: ExtractionInput): ChunkExtraction {
    if (input.text.trim() === '') return { chunkId: input.chunkId, entities: [], relations: [] };
    const doc = compromise()(parserText(input.text));
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

const HAN = /\p{Script=Han}/u;
// A full stop ends a sentence only before white space (1.2亿 keeps its point).
const SENTENCE_END = /[。！？!?；;\n]+|\.(?=\s)/gu;

/** [start, end) of every sentence with Chinese characters (split at 。！？；, ! ? ;, '. ' and line breaks). */
export function chineseSentences(text: string): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  let start = 0;
  const close = (end: number) => {
    const piece = text.slice(start, end);
    if (HAN.test(piece)) {
      const lead = piece.length - piece.trimStart().length;
      out.push([start + lead, start + piece.trimEnd().length]);
    }
  };
  for (const m of text.matchAll(SENTENCE_END)) {
    close(m.index + m[0].length);
    start = m.index + m[0].length;
  }
  if (start < text.length) close(text.length);
  return out.filter(([a, b]) => b > a);
}

/** The chunk with its Chinese sentences blanked (same length and line breaks): what the English recogniser reads. */
function maskChinese(text: string): string {
  if (!HAN.test(text)) return text;
  let out = text;
  for (const [start, end] of chineseSentences(text)) out = out.slice(0, start) + out.slice(start, end).replace(/[^\n]/g, ' ') + out.slice(end);
  return out;
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
export async function createOfflineExtractor(opts: { patternsFile?: string; chineseModelDir?: string }, logger: Logger): Promise<OfflineExtractor> {
  let set: PatternSet = builtinPatternSet();
  if (opts.patternsFile) {
    const extra = await loadPatternFile(opts.patternsFile);
    set = mergePatternSets(set, extra);
    logger.info({ file: opts.patternsFile, patterns: extra.patterns?.length ?? 0, roles: extra.roles?.length ?? 0 }, 'extraction patterns loaded');
  }
  const extractor = new OfflineExtractor({ ...set, chineseModelDir: opts.chineseModelDir, logger });
  logger.debug({ patterns: set.patterns.length }, 'offline extractor ready');
  return extractor;
}
