import type { Embedder } from './embedder.ts';

/**
 * Tokens as the fake model sees them: each CJK character alone (as BERT's tokenizer does), runs
 * of letters/digits, and each other non-space character. Splitting at whitespace never changes
 * the total, which is the property the chunker relies on.
 */
const TOKEN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}\p{M}]+|[^\s\p{L}\p{N}\p{M}]/gu;

/**
 * A deterministic stand-in for the real model, for unit tests that must not load it: a hashed
 * bag of words, so texts sharing words get similar vectors, L2-normalised like the real thing.
 */
export class FakeEmbedder implements Embedder {
  readonly modelId: string;
  readonly dimension: number;
  readonly maxTokens: number;
  /** Texts passed to embedDocuments/embedQuery, for assertions on batching. */
  readonly calls: string[][] = [];

  constructor(options: { dimension?: number; maxTokens?: number; modelId?: string } = {}) {
    this.dimension = options.dimension ?? 64;
    this.maxTokens = options.maxTokens ?? 256;
    this.modelId = options.modelId ?? 'fake-embedder';
  }

  countTokens(text: string): number {
    return text.match(TOKEN)?.length ?? 0;
  }

  async embedDocuments(texts: string[]): Promise<number[][]> {
    this.calls.push([...texts]);
    return texts.map((t) => this.vector(t));
  }

  async embedQuery(text: string): Promise<number[]> {
    this.calls.push([text]);
    return this.vector(text);
  }

  async dispose(): Promise<void> {}

  private vector(text: string): number[] {
    const v = new Array<number>(this.dimension).fill(0);
    for (const token of text.toLowerCase().match(TOKEN) ?? []) {
      const h = fnv1a(token);
      // The sign bit spreads collisions so they cancel out instead of piling up.
      v[h % this.dimension]! += h & 0x80000000 ? -1 : 1;
    }
    const norm = Math.sqrt(v.reduce((sum, x) => sum + x * x, 0));
    if (norm === 0) {
      // Unit length even for empty text, as a real model would give.
      v[0] = 1;
      return v;
    }
    return v.map((x) => x / norm);
  }
}

/** 32-bit FNV-1a: tiny, deterministic, good enough spread for bucketing words. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
