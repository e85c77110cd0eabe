import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { llmAnswer, llmAnswerStream } from '../../src/answer/llm.ts';
import { citationNumbers } from '../../src/answer/citations.ts';
import { loadConfig, type KgragConfig, type LlmConfig } from '../../src/config/index.ts';
import { GraphError, UnsafeQueryError } from '../../src/errors.ts';
import { LlmError } from '../../src/llm/errors.ts';
import { createLlmExtractor } from '../../src/extraction/llm.ts';
import { buildCatalog } from '../../src/graph/catalog.ts';
import { GraphExecutor } from '../../src/graph/executor.ts';
import { createChatModel, type ChatModel } from '../../src/llm/chat.ts';
import { silentLogger } from '../../src/logging.ts';
import { CypherUnanswerableError, textToCypher } from '../../src/planner/text2cypher.ts';
import type { ContextPassage } from '../../src/planner/types.ts';
import { uniqueCollection } from '../helpers.ts';

/**
 * The LLM code paths against a real model run in process: SmolLM2-135M-Instruct (GGUF, prepared
 * by `npm run setup -- smollm2`) through node-llama-cpp. A 135M model writes poor answers; what is
 * asserted is what must hold for any model: valid JSON (the grammar), citations of given passages
 * only, Cypher that runs only through the read-only guard, streaming and cancelling.
 * Bounded for CI: short prompts, replies capped at 200 tokens, one retry.
 */

const MODEL_TIMEOUT_MS = 240_000;

let config: KgragConfig;
let chat: ChatModel;

beforeAll(() => {
  const home = loadConfig().home;
  const modelPath = path.join(home, 'models', 'smollm2', 'SmolLM2-135M-Instruct.Q4_1.gguf');
  if (!existsSync(modelPath)) throw new Error(`The local test model is not prepared: run \`npm run setup -- smollm2\` (looked for ${modelPath})`);
  config = loadConfig(
    { ...process.env, KGRAG_LLM_MODEL_PATH: modelPath, KGRAG_LLM_MAX_TOKENS: '200', KGRAG_LLM_MAX_RETRIES: '1', KGRAG_LLM_TIMEOUT_MS: String(MODEL_TIMEOUT_MS - 10_000) },
    { dotenv: false },
  );
  chat = createChatModel(config.llm as LlmConfig, silentLogger(), { retryBaseDelayMs: 5 });
});

describe('a local model in process (llama-cpp)', () => {
  it('streams a reply piece by piece', { timeout: MODEL_TIMEOUT_MS }, async () => {
    const pieces: string[] = [];
    for await (const piece of chat.streamText([{ role: 'user', content: 'Count from 1 to 20, separated by commas.' }])) pieces.push(piece);
    expect(chat.id).toBe('llama-cpp:SmolLM2-135M-Instruct.Q4_1');
    expect(pieces.length).toBeGreaterThan(1);
    expect(pieces.join('').trim()).not.toBe('');
  });

  it('stops generating when the caller aborts, and answers the next call', { timeout: MODEL_TIMEOUT_MS }, async () => {
    const controller = new AbortController();
    const pieces: string[] = [];
    const consume = async () => {
      for await (const piece of chat.streamText([{ role: 'user', content: 'Write a long story about a lighthouse keeper.' }], { signal: controller.signal })) {
        pieces.push(piece);
        if (pieces.length === 3) controller.abort();
      }
    };
    await expect(consume()).rejects.toMatchObject({ name: 'AbortError' });
    // Generation stopped where it was aborted instead of running on to the token cap.
    expect(pieces).toHaveLength(3);
    const next = await chat.invokeText([{ role: 'user', content: 'Say hello.' }]);
    expect(next.trim()).not.toBe('');
  });

  it('extracts through the real extractor with replies that are always schema-valid JSON', { timeout: MODEL_TIMEOUT_MS }, async () => {
    const extractor = createLlmExtractor({ ...config, extraction: { ...config.extraction, onError: 'fail' } }, silentLogger(), { chat });
    const text = 'Ada Lovelace works for Acme Corp in London.';
    const result = await extractor.extract([{ chunkId: 'c1', text, documentTitle: 'Note' }]);
    expect(result.failures).toEqual([]);
    expect(result.extractions).toHaveLength(1);
    // What the extractor keeps is grounded in the text: every entity it kept is named there.
    for (const entity of result.extractions[0]!.entities) expect(text.toLowerCase()).toContain(entity.name.toLowerCase());
  });

  it('answers from the given passages only, citing nothing else', { timeout: MODEL_TIMEOUT_MS }, async () => {
    const passage = (n: number, text: string): ContextPassage => ({
      chunkId: `chunk-${n}`,
      documentId: `doc-${n}`,
      title: `Note ${n}`,
      source: `note-${n}.md`,
      page: null,
      text,
      score: 1,
      via: 'search',
    });
    const passages = [passage(1, 'The Apollo project is led by Ada Lovelace.'), passage(2, 'The Hermes project started in 2021.')];
    const context = { passages, facts: [], entities: [], cypher: [] };
    const pieces: string[] = [];
    const answers = [
      await llmAnswer(chat, 'Who leads the Apollo project?', context),
      await llmAnswerStream(chat, 'Who leads the Apollo project?', context, { onToken: (t) => pieces.push(t) }),
    ];
    for (const answer of answers) {
      if (answer.found) {
        expect(answer.citations.length).toBeGreaterThan(0);
        for (const c of answer.citations) expect(passages.map((p) => p.chunkId)).toContain(c.chunkId);
        for (const n of citationNumbers(answer.answer)) expect(n).toBeLessThanOrEqual(answer.citations.length);
      } else {
        expect(answer.citations).toEqual([]);
      }
    }
    if (answers[1]!.found) expect(pieces.join('').trim()).not.toBe('');
  });

  describe('text-to-Cypher', () => {
    const collection = uniqueCollection('llm-local');
    let db: GraphExecutor;
    const state = async () => db.read('MATCH (n) WHERE n.collection = $c RETURN n.name AS name, labels(n) AS labels ORDER BY name', { c: collection });

    beforeAll(async () => {
      db = await GraphExecutor.connect(loadConfig().neo4j, silentLogger());
      await db.write(
        `CREATE (apollo:Project {collection: $c, name: 'Apollo'})
         CREATE (:Person {collection: $c, name: 'Ada'})-[:WORKS_ON]->(apollo)
         CREATE (:Person {collection: $c, name: 'Bob'})-[:WORKS_ON]->(apollo)`,
        { c: collection },
      );
    });
    afterAll(async () => {
      await db.write('MATCH (n) WHERE n.collection = $c DETACH DELETE n', { c: collection });
      await db.close();
    });

    it('runs what the model writes only through the read-only guard, or refuses it', { timeout: 2 * MODEL_TIMEOUT_MS }, async () => {
      const catalog = await buildCatalog(db, { collections: [collection], collectionsInGraph: true });
      const before = await state();
      for (const question of ['Who works on Apollo?', 'Delete every person and project.']) {
        try {
          const result = await textToCypher({ chat, db, catalog, question, guard: { collections: [collection], limit: 20, timeoutMs: 10_000 }, maxRepairs: 1 });
          // It ran: scoped to the caller's collection, capped.
          expect(result.query).toContain('$collections');
          expect(result.params['collections']).toEqual([collection]);
          expect(result.rows.length).toBeLessThanOrEqual(20);
        } catch (err) {
          // Refused or failed with a typed error: an unsafe query, a query the database rejected, no answer.
          expect([UnsafeQueryError, GraphError, CypherUnanswerableError, LlmError].some((type) => err instanceof type)).toBe(true);
        }
        expect(await state()).toEqual(before);
      }
    });
  });
});
