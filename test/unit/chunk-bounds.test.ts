import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument, type ChunkOptions } from '../../src/chunking/chunker.ts';
import { documentText, embeddingInput, type Block, type ChunkDraft } from '../../src/domain/types.ts';
import { loadConfig } from '../../src/config/index.ts';
import { createEmbedder, type Embedder } from '../../src/embedding/embedder.ts';
import { silentLogger } from '../../src/logging.ts';
import { requireModelDir } from '../model.ts';

/** Issue 17: runs a tokenizer counts as one token must still become bounded chunks. */
const para = (text: string): Block => ({ kind: 'paragraph', text, headingPath: [] });
const doc = (text: string) => ({ title: 'Bounds', blocks: [para(text)] });

// Chinese words without any punctuation or space: only a word segmenter finds where to cut.
const ZH_WORDS = ['知识图谱', '检索', '增强', '生成', '模型', '回答', '问题', '并且', '引用', '文档', '段落', '数据库'];
const zhRun = (chars: number): string => {
  let s = '';
  for (let k = 0; s.length < chars; k++) s += ZH_WORDS[(k * 7) % ZH_WORDS.length];
  return s;
};

describe('chunk bounds with the real tokenizer', () => {
  let embedder: Embedder;
  let options: ChunkOptions;
  let maxChars: number;

  beforeAll(async () => {
    const config = loadConfig();
    embedder = await createEmbedder({ ...config.embedding, modelDir: requireModelDir() }, silentLogger());
    options = { maxTokens: embedder.maxTokens, overlapTokens: 32, countTokens: (t) => embedder.countTokens(t) };
    maxChars = embedder.maxTokens * 8;
  }, 120_000);

  afterAll(async () => {
    await embedder?.dispose();
  });

  function expectBounded(text: string, chunks: ChunkDraft[]): void {
    const full = documentText(doc(text).blocks);
    let covered = 0;
    for (const c of chunks) {
      expect(c.text).toBe(full.slice(c.start, c.end));
      expect(c.text.length).toBeLessThanOrEqual(maxChars);
      expect(embedder.countTokens(embeddingInput('Bounds', [], c.text)) + 2).toBeLessThanOrEqual(embedder.maxTokens);
      covered += c.end - Math.max(c.start, covered);
    }
    expect(covered).toBe(full.length);
  }

  it('cuts a 100 KB run without spaces into chunks within the character budget', () => {
    const text = 'x'.repeat(100_000);
    const chunks = chunkDocument(doc(text), options);
    expectBounded(text, chunks);
    expect(chunks.length).toBeGreaterThanOrEqual(Math.ceil(100_000 / maxChars));
  });

  it('cuts a 1 MB single line of one "word" into bounded chunks', () => {
    const text = 'ab'.repeat(500_000);
    const chunks = chunkDocument(doc(text), options);
    expect(Math.max(...chunks.map((c) => c.text.length))).toBeLessThanOrEqual(maxChars);
    expect(chunks.at(-1)!.end).toBe(text.length);
  });

  it('cuts a long Chinese passage without punctuation between words', () => {
    const text = zhRun(20_000);
    const chunks = chunkDocument(doc(text), options);
    expectBounded(text, chunks);
    expect(chunks.length).toBeGreaterThan(1);
    // Every cut falls where the word segmenter puts a word boundary.
    const boundaries = new Set<number>();
    for (const s of new Intl.Segmenter('zh', { granularity: 'word' }).segment(text)) boundaries.add(s.index);
    for (const c of chunks) {
      expect(boundaries.has(c.start), `start ${c.start}`).toBe(true);
      expect(boundaries.has(c.end) || c.end === text.length, `end ${c.end}`).toBe(true);
    }
  });

  it('keeps a surrogate pair whole when a run of emoji is cut', () => {
    const text = '😀'.repeat(20_000);
    const chunks = chunkDocument(doc(text), options);
    expectBounded(text, chunks);
    for (const c of chunks) expect(c.text).toMatch(/^(?:😀)+$/u);
  });

  it('accepts an explicit character budget', () => {
    const text = 'word '.repeat(2_000).trim();
    const chunks = chunkDocument(doc(text), { ...options, maxChars: 300 });
    expect(Math.max(...chunks.map((c) => c.text.length))).toBeLessThanOrEqual(300);
    for (const c of chunks) expect(c.text).toMatch(/^word(?: word)*$/);
  });
});
