import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { createEmbedder, type Embedder } from '../../src/embedding/embedder.ts';
import { FakeEmbedder } from '../../src/embedding/fake.ts';
import { EmbeddingError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logging.ts';
import { requireModelDir } from '../model.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const modelDir = requireModelDir('minilm');


const dot = (a: number[], b: number[]): number => a.reduce((s, x, i) => s + x * b[i]!, 0);
const norm = (a: number[]): number => Math.sqrt(dot(a, a));
/** Index of the passage vector closest to the query's. */
const top = async (embedder: Embedder, passages: number[][], query: string): Promise<number> => {
  const v = await embedder.embedQuery(query);
  const scores = passages.map((p) => dot(p, v));
  return scores.indexOf(Math.max(...scores));
};

describe('createEmbedder with the local all-MiniLM-L6-v2 folder', () => {
  let embedder: Embedder;

  beforeAll(async () => {
    embedder = await createEmbedder({ model: 'minilm', modelDir, modelId: 'unused', dtype: 'fp32', batchSize: 2 }, silentLogger());
  }, 120_000);

  afterAll(async () => {
    await embedder?.dispose();
  });

  it('reports the model id, dimension and window', () => {
    expect(embedder.modelId).toBe(path.basename(modelDir));
    expect(embedder.dimension).toBe(384);
    expect(embedder.maxTokens).toBe(256);
  });

  it('reproduces the similarities published for all-MiniLM-L6-v2', async () => {
    const v = await embedder.embedDocuments([
      'The weather is lovely today.',
      "It's so sunny outside!",
      'He drove to the stadium.',
    ]);
    expect(dot(v[0]!, v[1]!)).toBeCloseTo(0.666, 2);
    expect(dot(v[0]!, v[2]!)).toBeCloseTo(0.1046, 2);
    expect(dot(v[1]!, v[2]!)).toBeCloseTo(0.1411, 2);
  });

  it('keeps input order across length-sorted batches and returns unit vectors', async () => {
    const texts = [
      'short',
      'a much longer text about the migration of birds across the northern hemisphere in spring '.repeat(6),
      'medium length text about birds',
      '',
      'birds migrate',
    ];
    const batched = await embedder.embedDocuments(texts);
    expect(batched).toHaveLength(texts.length);
    for (const [i, text] of texts.entries()) {
      const alone = await embedder.embedQuery(text);
      expect(batched[i]).toHaveLength(384);
      expect(norm(batched[i]!)).toBeCloseTo(1, 5);
      // Padding must not change a vector: same text alone or in a batch gives the same embedding.
      expect(dot(batched[i]!, alone)).toBeGreaterThan(0.9999);
    }
  });

  it('returns nothing for no texts', async () => {
    expect(await embedder.embedDocuments([])).toEqual([]);
  });

  it('truncates inputs longer than the window instead of failing', async () => {
    const long = 'word '.repeat(2000);
    expect(embedder.countTokens(long)).toBe(2000);
    const [v] = await embedder.embedDocuments([long]);
    expect(norm(v!)).toBeCloseTo(1, 5);
  });

  it('counts word pieces without [CLS]/[SEP], as the tokenizer does', async () => {
    env.allowRemoteModels = false;
    env.localModelPath = path.dirname(modelDir);
    const tokenizer = await AutoTokenizer.from_pretrained(path.basename(modelDir));
    const text = 'unbelievable tokenization';
    const pieces = tokenizer.tokenize(text);
    expect(pieces).toEqual(['unbelievable', 'token', '##ization']);
    expect(embedder.countTokens(text)).toBe(pieces.length);
    expect(embedder.countTokens('')).toBe(0);
  });
});

describe('createEmbedder with the local multilingual-e5-small folder', () => {
  let embedder: Embedder;
  let q8: Embedder;
  const e5Dir = requireModelDir('e5');

  beforeAll(async () => {
    // A broken setup, not a reason to skip: `npm run setup` writes the int8 graph of every q8 model.
    expect(existsSync(path.join(e5Dir, 'onnx', 'model_quantized.onnx'))).toBe(true);
    embedder = await createEmbedder({ model: 'e5', modelDir: e5Dir, modelId: 'unused', dtype: 'fp32', batchSize: 4 }, silentLogger());
    q8 = await createEmbedder({ model: 'e5', modelDir: e5Dir, modelId: 'unused', dtype: 'q8', batchSize: 4 }, silentLogger());
  }, 120_000);

  afterAll(async () => {
    await embedder?.dispose();
    await q8?.dispose();
  });

  it('reports 384 dimensions and a 512-token window less the prefix', () => {
    expect(embedder.modelId).toBe('multilingual-e5-small');
    expect(embedder.dimension).toBe(384);
    expect(embedder.maxTokens).toBeLessThan(512);
    expect(embedder.maxTokens).toBeGreaterThan(505);
  });

  it('ranks the Chinese and English passages that answer a query first', async () => {
    const passages = await embedder.embedDocuments([
      '北京是中华人民共和国的首都。',
      '知识图谱把实体和关系存储在图数据库中。',
      'The recipe needs two eggs and a cup of flour.',
    ]);
    const best = (q: string) => top(embedder, passages, q);
    expect(await best('中国的首都是哪个城市？')).toBe(0);
    expect(await best('什么是知识图谱?')).toBe(1);
    expect(await best('how many eggs does the recipe use')).toBe(2);
  });

  it('embeds queries and passages with their own prefixes, counted outside the budget', async () => {
    const text = '倒数排序融合';
    const [passage] = await embedder.embedDocuments([text]);
    const query = await embedder.embedQuery(text);
    expect(dot(passage!, query)).toBeLessThan(0.999);
    expect(dot(passage!, query)).toBeGreaterThan(0.8);
    expect(embedder.countTokens('')).toBe(0);
    expect(embedder.countTokens(text)).toBeLessThan(text.length + 1);
  });

  it('has an int8 graph (the default) within cosine 0.98 of fp32 that ranks the same passages first', async () => {
    const texts = ['北京是中华人民共和国的首都。', '知识图谱把实体和关系存储在图数据库中。', 'The recipe needs two eggs and a cup of flour.'];
    const [a, b] = [await embedder.embedDocuments(texts), await q8.embedDocuments(texts)];
    for (const [i, v] of a.entries()) expect(dot(v, b[i]!)).toBeGreaterThan(0.98);
    expect(Math.min(...a.map((v, i) => dot(v, b[i]!)))).toBeLessThan(0.99999);
    for (const [i, q] of ['中国的首都是哪个城市？', '什么是知识图谱?', 'how many eggs does the recipe use'].entries()) {
      expect(await top(q8, b, q)).toBe(i);
    }
    expect(q8.modelId).toBe(embedder.modelId);
  });
});

describe('the int8 graph of all-MiniLM-L6-v2 (dtype q8, the default for the prepared folder)', () => {
  let fp32: Embedder;
  let q8: Embedder;
  const texts = [
    'The weather is lovely today.',
    'Knowledge graphs store entities and the relationships between them.',
    'Aspirin reduces the risk of heart attack in patients with coronary disease.',
    'Orders shipped to Germany in 1997 were delayed by a week.',
    '北京是中华人民共和国的首都。',
  ];

  beforeAll(async () => {
    // A broken setup, not a reason to skip: `npm run setup` writes this file beside model.onnx.
    expect(existsSync(path.join(modelDir, 'onnx', 'model_quantized.onnx'))).toBe(true);
    fp32 = await createEmbedder({ model: 'minilm', modelDir, modelId: 'unused', dtype: 'fp32', batchSize: 8 }, silentLogger());
    q8 = await createEmbedder({ model: 'minilm', modelDir, modelId: 'unused', dtype: 'q8', batchSize: 8 }, silentLogger());
  }, 120_000);

  afterAll(async () => {
    await fp32?.dispose();
    await q8?.dispose();
  });

  it('gives vectors within cosine 0.98 of fp32, but not the same ones', async () => {
    const [a, b] = [await fp32.embedDocuments(texts), await q8.embedDocuments(texts)];
    const cosines = a.map((v, i) => dot(v, b[i]!));
    for (const c of cosines) expect(c).toBeGreaterThan(0.98);
    expect(Math.min(...cosines)).toBeLessThan(0.99999);
    expect(q8.modelId).toBe(fp32.modelId);
  });

  it('ranks passages for a query as fp32 does', async () => {
    const [p32, p8] = [await fp32.embedDocuments(texts), await q8.embedDocuments(texts)];
    const queries = ['is it sunny outside', 'what does a knowledge graph hold', 'drug that prevents myocardial infarction', 'late deliveries to German customers'];
    for (const [i, q] of queries.entries()) {
      expect(await top(q8, p8, q)).toBe(i);
      expect(await top(fp32, p32, q)).toBe(i);
    }
  });

  it('runs fp32 when the folder has no int8 graph', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kgrag-fp32-only-'));
    const folder = path.join(dir, path.basename(modelDir));
    cpSync(modelDir, folder, { recursive: true, filter: (f) => !f.endsWith('model_quantized.onnx') });
    const fallback = await createEmbedder({ model: 'minilm', modelDir: folder, modelId: 'unused', dtype: 'q8', batchSize: 8 }, silentLogger());
    try {
      const [a, b] = [await fp32.embedDocuments(texts), await fallback.embedDocuments(texts)];
      for (const [i, v] of a.entries()) expect(dot(v, b[i]!)).toBeGreaterThan(0.99999);
    } finally {
      await fallback.dispose();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('createEmbedder errors', () => {
  it('explains how to get a model when the folder is missing', async () => {
    const missing = path.join(repoRoot, '.kgrag', 'models', 'no-such-model');
    const attempt = createEmbedder({ model: 'minilm', modelDir: missing, modelId: 'unused', dtype: 'fp32', batchSize: 8 }, silentLogger());
    await expect(attempt).rejects.toBeInstanceOf(EmbeddingError);
    await expect(attempt).rejects.toThrow(/npm run setup.*KGRAG_MODEL_DIR/s);
  });
});

describe('FakeEmbedder', () => {
  it('is deterministic, normalised, and similar for similar texts', async () => {
    const fake = new FakeEmbedder({ dimension: 128 });
    const [a, b, c] = await fake.embedDocuments([
      'graph databases store nodes and relationships',
      'graph databases store nodes and edges',
      'the recipe needs two eggs and flour',
    ]);
    expect(await fake.embedQuery('graph databases store nodes and relationships')).toEqual(a);
    for (const v of [a!, b!, c!]) expect(norm(v)).toBeCloseTo(1, 10);
    expect(dot(a!, b!)).toBeGreaterThan(dot(a!, c!) + 0.3);
    expect(a).toHaveLength(128);
    expect(norm((await fake.embedDocuments(['']))[0]!)).toBeCloseTo(1, 10);
  });

  it('counts words and punctuation, each CJK character alone', () => {
    const fake = new FakeEmbedder();
    expect(fake.countTokens('Hello, world!')).toBe(4);
    expect(fake.countTokens('東京は大きい')).toBe(6);
    expect(fake.countTokens('   ')).toBe(0);
  });
});
