import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, type LlmConfig } from '../../src/config/index.ts';
import type { SearchResult } from '../../src/domain/types.ts';
import { FakeEmbedder } from '../../src/embedding/fake.ts';
import { createChatModel, type ChatModel } from '../../src/llm/chat.ts';
import { silentLogger } from '../../src/logging.ts';
import { LexicalSentenceReranker, LlmReranker, SentenceReranker } from '../../src/retrieval/rerank.ts';
import { messageText, useFakeLlmServer } from '../support/openai-server.ts';

const fakeServer = useFakeLlmServer();

function chat(): ChatModel {
  const config = loadConfig(
    { KGRAG_LLM_MODEL: 'fake-model', KGRAG_LLM_BASE_URL: fakeServer().openAiBaseUrl, KGRAG_LLM_TIMEOUT_MS: '5000', KGRAG_LLM_MAX_RETRIES: '0' },
    { dotenv: false, cwd: mkdtempSync(path.join(tmpdir(), 'kgrag-rerank-')) },
  );
  return createChatModel(config.llm as LlmConfig, silentLogger(), { retryBaseDelayMs: 5 });
}

function hit(n: number, text: string): SearchResult {
  return { chunkId: `c${n}`, documentId: `d${n}`, title: `Doc ${n}`, source: `/d/${n}.md`, page: null, text, score: 1 / n, collection: 'c' };
}

// Ranked by search: an unrelated passage first, the one that answers second.
const HITS = [
  hit(1, 'Cafeteria menus changed in May. Parking permits are renewed every January.'),
  hit(2, 'Several teams met in Berlin. The ingestion service was rewritten in Rust by the platform team. Lunch was served.'),
  hit(3, 'Quarterly revenue grew in every region. Customer service scores rose.'),
];

describe('SentenceReranker', () => {
  it('raises the passage whose best sentence matches the question, keeping every hit once', async () => {
    const reranked = await new SentenceReranker(new FakeEmbedder()).rerank('who rewrote the ingestion service in Rust', HITS);
    expect(reranked.map((h) => h.chunkId)[0]).toBe('c2');
    expect(reranked.map((h) => h.chunkId).sort()).toEqual(['c1', 'c2', 'c3']);
  });

  it('mixes the normalised scores when given a weight', async () => {
    const reranked = await new SentenceReranker(new FakeEmbedder(), 50, 0.5).rerank('who rewrote the ingestion service in Rust', HITS);
    expect(reranked[0]!.chunkId).toBe('c2');
  });

  it('leaves hits below its depth in their place after the reranked ones', async () => {
    // c3 shares a word with the question, but only the first two hits are re-scored.
    const reranked = await new SentenceReranker(new FakeEmbedder(), 2).rerank('customer service scores', HITS);
    expect(reranked.map((h) => h.chunkId)).toEqual(['c1', 'c2', 'c3']);
  });
});

describe('LexicalSentenceReranker', () => {
  it('raises the passage with a sentence holding the question\'s rarer words', async () => {
    const reranked = await new LexicalSentenceReranker().rerank('Who rewrote the ingestion service in Rust?', HITS);
    expect(reranked[0]!.chunkId).toBe('c2');
    expect(reranked).toHaveLength(3);
  });
});

describe('LlmReranker', () => {
  it('orders the hits as the model ranks them, dropping numbers that name no passage; the rest keep their order', async () => {
    fakeServer().handle(() => JSON.stringify({ ranking: [2, 9, 2, 3] }));
    const reranked = await new LlmReranker(chat()).rerank('Who rewrote the ingestion service?', HITS);
    expect(reranked.map((h) => h.chunkId)).toEqual(['c2', 'c3', 'c1']);
    // The passages went to the model as untrusted data between random markers.
    const user = messageText(fakeServer().requests[0]!, 'user');
    expect(user).toMatch(/<<<BEGIN UNTRUSTED PASSAGES [0-9a-f]+>>>/);
    expect(user).toContain('[2] "Doc 2"');
  });

  it('keeps the search order when the model fails', async () => {
    fakeServer().handle(() => ({ status: 500, message: 'down' }));
    const reranked = await new LlmReranker(chat()).rerank('Who rewrote the ingestion service?', HITS);
    expect(reranked.map((h) => h.chunkId)).toEqual(['c1', 'c2', 'c3']);
  });
});
