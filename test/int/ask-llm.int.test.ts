import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askKgrag, type Kgrag } from '../../src/app.ts';
import { loadConfig, type LlmConfig } from '../../src/config/index.ts';
import { createChatModel, type ChatModel } from '../../src/llm/chat.ts';
import { silentLogger } from '../../src/logging.ts';
import { ask } from '../../src/planner/ask.ts';
import { messageText, useFakeLlmServer, type FakeChatRequest } from '../support/openai-server.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

/**
 * `ask` with an LLM configured: the real OpenAI client against a local server that speaks the
 * OpenAI protocol, the real guard, the real database. The "model" writes Cypher for what the parser
 * cannot map, and writes the answer of open questions from numbered passages.
 */
describe('ask with an LLM', () => {
  const fake = useFakeLlmServer();
  let app: Kgrag;
  let chat: ChatModel;
  const collection = uniqueCollection('ask-llm');
  const other = uniqueCollection('ask-llm-other');
  const files = tempFiles({
    'mentoring.md': '# Mentoring\n\nAda mentors Bob on the Apollo project. Their sessions happen every Tuesday in the lab.\n',
  });
  const isCypherRequest = (r: FakeChatRequest) => messageText(r, 'system').includes('Cypher');
  const cypherReply = (cypher: string, params: Array<{ name: string; value: unknown }> = []) =>
    JSON.stringify({ cypher, params, explanation: 'Finds what was asked.' });
  const run = (question: string) => ask({ db: app.db, catalogs: app.catalogs, embedder: app.embedder, chat, cypherChat: chat, logger: silentLogger() }, question, { collections: [collection] });

  beforeAll(async () => {
    app = await openTestApp();
    const config = loadConfig(
      { KGRAG_LLM_MODEL: 'fake-model', KGRAG_LLM_BASE_URL: fake().openAiBaseUrl, KGRAG_LLM_TIMEOUT_MS: '5000', KGRAG_LLM_MAX_RETRIES: '0' },
      { dotenv: false, cwd: mkdtempSync(path.join(tmpdir(), 'kgrag-ask-llm-')) },
    );
    chat = createChatModel(config.llm as LlmConfig, silentLogger(), { retryBaseDelayMs: 5 });
    await app.db.write(
      `CREATE (apollo:KgragEntity:Kgrag_Project {id: $c + ':p', collection: $c, type: 'Project', name: 'Apollo'})
       CREATE (:KgragEntity:Kgrag_Person {id: $c + ':a', collection: $c, type: 'Person', name: 'Ada'})-[:WORKS_ON {role: 'lead'}]->(apollo)
       CREATE (:KgragEntity:Kgrag_Person {id: $c + ':b', collection: $c, type: 'Person', name: 'Bob'})-[:WORKS_ON {role: 'dev'}]->(apollo)
       CREATE (:KgragEntity:Kgrag_Person {id: $o + ':s', collection: $o, type: 'Person', name: 'Spy'})-[:WORKS_ON {role: 'lead'}]->(:KgragEntity:Kgrag_Project {id: $o + ':p', collection: $o, type: 'Project', name: 'Apollo'})`,
      { c: collection, o: other },
    );
    await ingestInto(app, [files.path('mentoring.md')], { collection });
    app.catalogs.invalidate();
  });
  afterAll(async () => {
    await dropCollections(app, [collection, other]);
    await app.close();
    files.cleanup();
  });

  it('lets the LLM write Cypher for what the parser cannot map, refusing and repairing a write', async () => {
    const replies = [
      cypherReply("MATCH (p:Kgrag_Person) SET p.name = 'pwned' RETURN p.name AS name"),
      cypherReply('MATCH (p:Kgrag_Person)-[w:WORKS_ON]->(:Kgrag_Project {name: $project}) WHERE w.role = $role RETURN p.name AS name', [
        { name: 'project', value: 'Apollo' },
        { name: 'role', value: 'lead' },
      ]),
    ];
    fake().handle((r) => (isCypherRequest(r) ? replies.shift() ?? { status: 500 } : { status: 500, message: 'unexpected' }));
    const r = await run('Who holds the leading role on Apollo?');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([{ name: 'Ada' }]);
    const llmRuns = r.cypher.filter((c) => c.origin === 'llm');
    expect(llmRuns).toHaveLength(2);
    expect(llmRuns[0]!.error).toMatch(/read-only|write|SET/i);
    // The caller's collections were injected into the model's query: the other collection's lead never shows.
    expect(llmRuns[1]!.query).toContain('$collections');
    expect(llmRuns[1]!.params.collections).toEqual([collection]);
    expect((await app.db.read("MATCH (p:Kgrag_Person {name: 'pwned'}) RETURN count(p) AS n"))[0]!.n).toBe(0);
  });

  it('answers an open question in the LLM\'s words with validated, numbered citations', async () => {
    fake().handle((r) => {
      if (isCypherRequest(r)) return cypherReply('');
      return JSON.stringify({
        found: true,
        answer: 'Every Tuesday, in the lab [1]. The moon is made of cheese [7].',
        citations: [
          { passage: 1, quote: 'Their sessions happen every Tuesday in the lab.' },
          { passage: 7, quote: 'invented' },
        ],
      });
    });
    const r = await run('When do the mentoring sessions between Ada and Bob take place?');
    expect(r.plan.strategy).toBe('semantic');
    expect(r.found).toBe(true);
    expect(r.citations).toHaveLength(1);
    expect(r.citations[0]).toMatchObject({ n: 1, title: 'Mentoring', quote: 'Their sessions happen every Tuesday in the lab.' });
    // A citation of a passage that was never given is dropped.
    expect(r.answer).not.toContain('[7]');
  });

  it('says plainly when the LLM finds no answer in the context', async () => {
    fake().handle((r) => (isCypherRequest(r) ? cypherReply('') : JSON.stringify({ found: false, answer: '', citations: [] })));
    const r = await run('What is the capital of Mars?');
    expect(r.found).toBe(false);
    expect(r.plan.strategy).toBe('none');
    expect(r.answer).toMatch(/does not contain/i);
  });

  it('uses the model only for the tasks configured: answers only, by default for a model in process', async () => {
    const config = loadConfig(
      { KGRAG_LLM_MODEL: 'fake-model', KGRAG_LLM_BASE_URL: fake().openAiBaseUrl, KGRAG_LLM_MAX_RETRIES: '0', KGRAG_LLM_TASKS: 'answer', KGRAG_LLM_CONTEXT_TOKENS: '100' },
      { dotenv: false, cwd: mkdtempSync(path.join(tmpdir(), 'kgrag-ask-llm-')) },
    );
    const answersOnly: Kgrag = { ...app, config: { ...app.config, llm: config.llm }, chat: createChatModel(config.llm as LlmConfig, silentLogger()) };
    fake().handle((r) =>
      isCypherRequest(r)
        ? cypherReply('MATCH (p:Kgrag_Person) RETURN p.name AS name')
        : JSON.stringify({ found: true, answer: 'On Tuesdays [1].', citations: [{ passage: 1, quote: 'Their sessions happen every Tuesday in the lab.' }] }),
    );
    const r = await askKgrag(answersOnly, 'When do the mentoring sessions between Ada and Bob take place?', { collections: [collection] });
    // No Cypher was written by the model: the question went to the documents, and the model wrote the answer.
    expect(fake().requests.filter(isCypherRequest)).toHaveLength(0);
    expect(r.cypher.filter((c) => c.origin === 'llm')).toHaveLength(0);
    expect(r.plan.strategy).toBe('semantic');
    expect(r.answer).toBe('On Tuesdays [1].');
    expect(r.citations[0]).toMatchObject({ title: 'Mentoring', quote: 'Their sessions happen every Tuesday in the lab.' });
  });

  it('answers from the context\'s own sentences when the model\'s answer cites nothing', async () => {
    fake().handle((r) => (isCypherRequest(r) ? cypherReply('') : JSON.stringify({ found: true, answer: 'Bob is mentored by Carol, on Mondays.', citations: [] })));
    const r = await run('Who mentors Bob on the Apollo project?');
    expect(r.found).toBe(true);
    expect(r.answer).not.toContain('Carol');
    expect(r.answer).toContain('Ada mentors Bob');
    expect(r.citations[0]).toMatchObject({ title: 'Mentoring' });
    expect(r.plan.steps.find((s) => s.kind === 'answer')?.detail).toMatch(/cited no passage/);
    // A model that says the context lacks the answer is left at that.
    fake().handle((r2) => (isCypherRequest(r2) ? cypherReply('') : JSON.stringify({ found: false, answer: '', citations: [] })));
    expect((await run('Who mentors Bob on the Apollo project?')).found).toBe(false);
  });
});
