import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askKgrag, type Kgrag } from '../../src/app.ts';
import { citationNumbers } from '../../src/answer/citations.ts';
import { loadConfig, type LlmConfig } from '../../src/config/index.ts';
import { deleteDocument } from '../../src/graph/documents.ts';
import { createChatModel } from '../../src/llm/chat.ts';
import { silentLogger } from '../../src/logging.ts';
import type { AskResult } from '../../src/planner/types.ts';
import { computeCommunities } from '../../src/retrieval/communities.ts';
import { EXAMPLE_REFERENCE_DATE, EXAMPLES_DIR, loadExampleKb } from '../../scripts/eval/example-kb.ts';
import { useFakeLlmServer } from '../support/openai-server.ts';
import { dropCollections, openTestApp, uniqueCollection } from '../helpers.ts';

/**
 * Whole-collection questions over the example knowledge base (English, and the Chinese one in
 * examples/zh), each in a collection of its own: answered from the communities of the entity graph
 * with cited summaries, never mixing the two collections, refreshed when a collection changes.
 */
describe('whole-collection questions: communities of the entity graph', () => {
  const fake = useFakeLlmServer();
  let app: Kgrag;
  const kb = uniqueCollection('overview');
  const zh = uniqueCollection('overview-zh');
  const ask = (question: string, collections: string[]): Promise<AskResult> => askKgrag(app, question, { collections, asOf: EXAMPLE_REFERENCE_DATE });

  /** Every citation quotes its chunk verbatim, the chunk is in `collection`, and the answer's markers and the citations match. */
  async function expectGrounded(r: AskResult, collection: string): Promise<void> {
    expect(r.citations.length).toBeGreaterThan(0);
    expect(citationNumbers(r.answer).sort((a, b) => a - b)).toEqual(r.citations.map((c) => c.n));
    const rows = await app.db.read('UNWIND $ids AS id MATCH (c:Chunk {id: id}) RETURN c.id AS id, c.text AS text, c.collection AS collection', {
      ids: r.citations.map((c) => c.chunkId),
    });
    const chunks = new Map(rows.map((row) => [row.id as string, row]));
    for (const c of r.citations) {
      expect(chunks.get(c.chunkId)?.collection).toBe(collection);
      expect(chunks.get(c.chunkId)?.text as string).toContain(c.quote);
    }
  }

  beforeAll(async () => {
    app = await openTestApp();
    await loadExampleKb(app, kb);
    await loadExampleKb(app, zh, undefined, path.join(EXAMPLES_DIR, 'zh'));
  }, 600_000);
  afterAll(async () => {
    await dropCollections(app, [kb, zh]);
    await app.close();
  });

  it('answers "What are the main topics of the demo documents?" with cited community summaries', async () => {
    const r = await ask('What are the main topics of the demo documents?', [kb]);
    expect(r.plan.strategy).toBe('overview');
    expect(r.found).toBe(true);
    expect(r.plan.steps.some((s) => s.kind === 'overview')).toBe(true);
    // Several topics, numbered, each named by its central entities.
    expect(r.answer).toMatch(/^The documents cover \d+ main topics/);
    expect(r.answer).toMatch(/\n1\. .+\n2\. .+/);
    expect(r.answer).toContain('Jane Smith');
    expect(r.citations.length).toBeGreaterThanOrEqual(4);
    expect(new Set(r.citations.map((c) => c.documentId)).size).toBeGreaterThanOrEqual(3);
    await expectGrounded(r, kb);
  });

  it('computes the same communities every time (seeded)', async () => {
    const first = await computeCommunities(app.db, kb);
    const second = await computeCommunities(app.db, kb);
    expect(first.length).toBeGreaterThan(2);
    expect(second).toEqual(first);
  });

  it('summarises everything about one thing: its own sentences, its relationships and its topic', async () => {
    const r = await ask('Summarise everything we know about Globex', [kb]);
    expect(r.plan.strategy).toBe('overview');
    expect(r.answer).toMatch(/^Globex Corporation \(/);
    expect(r.facts.some((f) => f.subject === 'Globex Corporation' || f.object === 'Globex Corporation')).toBe(true);
    expect(r.citations[0]!.quote).toMatch(/Globex/);
    await expectGrounded(r, kb);
  });

  it('answers the Chinese questions in Chinese, from the Chinese collection only', async () => {
    const topics = await ask('这些文档的主要主题是什么？', [zh]);
    expect(topics.plan.strategy).toBe('overview');
    expect(topics.answer).toMatch(/^文档的\d+个主要主题/);
    await expectGrounded(topics, zh);
    const about = await ask('总结一下关于华夏零售的所有信息', [zh]);
    expect(about.plan.strategy).toBe('overview');
    expect(about.answer).toMatch(/^华夏零售集团/);
    expect(about.citations[0]!.quote).toContain('华夏零售');
    await expectGrounded(about, zh);
  });

  it('leaves a question about something the graph does not hold to the other strategies', async () => {
    const r = await ask('Summarise everything we know about the Zanzibar spice trade', [kb]);
    expect(r.plan.strategy).not.toBe('overview');
  });

  it('has the LLM write the summaries when one is configured, keeping only valid citations', async () => {
    const config = loadConfig(
      { KGRAG_LLM_MODEL: 'fake-model', KGRAG_LLM_BASE_URL: fake().openAiBaseUrl, KGRAG_LLM_TIMEOUT_MS: '5000', KGRAG_LLM_MAX_RETRIES: '0' },
      { dotenv: false },
    );
    const chat = createChatModel(config.llm as LlmConfig, silentLogger(), { retryBaseDelayMs: 5 });
    fake().handle(() => JSON.stringify({ found: true, answer: 'These passages describe one group of people and projects [1] and more [12].', citations: [{ passage: 1, quote: 'invented' }] }));
    const written = await computeCommunities(app.db, zh, { chat });
    expect(written.length).toBeGreaterThan(0);
    for (const c of written.filter((x) => x.summary)) {
      expect(c.summaryBy).toBe(chat.id);
      expect(c.summary).toBe('These passages describe one group of people and projects [1] and more.');
      expect(c.citations).toHaveLength(1);
    }
    // A reply that cites nothing that exists is not used: the summary is extractive.
    fake().handle(() => JSON.stringify({ found: true, answer: 'Made up [42].', citations: [] }));
    const fallback = await computeCommunities(app.db, zh, { chat });
    expect(fallback.filter((c) => c.summary).every((c) => c.summaryBy === 'extractive' && !c.summary.includes('Made up'))).toBe(true);
    // Asked without the LLM, the stored LLM summaries are stale and computed again without it.
    const r = await ask('概述一下', [zh]);
    expect(r.answer).not.toContain('These passages describe');
    await expectGrounded(r, zh);
  });

  it('refreshes the communities when the collection changes: a deleted document is never cited', async () => {
    const before = await ask('What are the main topics of these documents?', [kb]);
    const gone = before.citations[0]!.documentId;
    await deleteDocument(app.db, gone, [kb]);
    const after = await ask('What are the main topics of these documents?', [kb]);
    expect(after.plan.strategy).toBe('overview');
    expect(after.citations.map((c) => c.documentId)).not.toContain(gone);
    await expectGrounded(after, kb);
  });
});
