import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Kgrag } from '../../src/app.ts';
import { KeyStore } from '../../src/api/auth/keys.ts';
import { readCypherOp, schemaOp, type ApiContext } from '../../src/api/operations.ts';
import { createApi, OPENAPI_FILE, type Api } from '../../src/api/server.ts';
import { importRecords } from '../../src/import/importer.ts';
import { loadMapping } from '../../src/import/mapping.ts';
import { EXAMPLES_DIR, EXAMPLE_REFERENCE_DATE } from '../../scripts/eval/example-kb.ts';
import { dropCollections, openTestApp, uniqueCollection } from '../helpers.ts';
import { parseEvents } from '../support/sse.ts';

/**
 * Conversations over REST, GraphQL and SSE: a follow-up bound to the previous answer, and each
 * conversation visible to its own API key only (another key, even one granting the same
 * collection, gets 404 / null, exactly as for a missing id). Bookkeeping nodes never show in the
 * schema or in the caller's own Cypher. Responses are validated against schemas/openapi.yaml.
 */
type Json = Record<string, any>;

const openapi = parseYaml(readFileSync(OPENAPI_FILE, 'utf8')) as Json;
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(openapi, 'openapi');

function checkDocumented(template: string, method: string, status: number, body: unknown): void {
  const op = openapi.paths[template]?.[method];
  expect(op, `${method} ${template} is not in openapi.yaml`).toBeDefined();
  const key = op.responses[String(status)] ? String(status) : 'default';
  const ref = op.responses[key].$ref as string | undefined;
  const escape = (p: string) => p.replaceAll('~', '~0').replaceAll('/', '~1');
  const schemaRef = ref
    ? `openapi#/${[...ref.slice(2).split('/'), 'content', 'application/json', 'schema'].map(escape).join('/')}`
    : `openapi#/${['paths', template, method, 'responses', key, 'content', 'application/json', 'schema'].map(escape).join('/')}`;
  const validate = ajv.getSchema(schemaRef) ?? ajv.compile({ $ref: schemaRef });
  expect(validate(body), `${method} ${template} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

describe('conversations over the API', () => {
  let app: Kgrag;
  let api: Api;
  let base: string;
  const A = uniqueCollection('convA');
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-conv-'));
  const keys = {} as Record<'one' | 'two' | 'other', { key: string; id: string }>;

  async function call(method: 'get' | 'post' | 'delete', template: string, opts: { key: string; params?: Record<string, string>; query?: string; body?: unknown }) {
    let url = template;
    for (const [k, v] of Object.entries(opts.params ?? {})) url = url.replace(`{${k}}`, encodeURIComponent(v));
    const res = await fetch(`${base}${url}${opts.query ? `?${opts.query}` : ''}`, {
      method: method.toUpperCase(),
      headers: { authorization: `Bearer ${opts.key}`, ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
    });
    const body = (await res.json()) as Json;
    checkDocumented(template, method, res.status, body);
    return { status: res.status, body };
  }

  async function gql(key: string, query: string, variables: Json = {}): Promise<Json> {
    const res = await fetch(`${base}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
    return (await res.json()) as Json;
  }

  /** POST /v1/ask/stream, read to the end: the events in order. */
  async function stream(key: string, body: Json): Promise<Array<{ event: string; data: Json }>> {
    const res = await fetch(`${base}/v1/ask/stream`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    return parseEvents(await res.text());
  }

  beforeAll(async () => {
    app = await openTestApp((c) => {
      c.llm = undefined;
      c.api = { ...c.api, keysFile: path.join(home, 'keys.json') };
    });
    for (const file of ['companies.csv', 'offices.json', 'employees.csv']) {
      const mapping = await loadMapping(path.join(EXAMPLES_DIR, 'mappings', file.replace(/\.\w+$/, '.mapping.json')));
      await importRecords(app.db, path.join(EXAMPLES_DIR, 'data', file), mapping, { collection: A, logger: app.logger });
    }
    app.catalogs.invalidate();
    const store = new KeyStore(app.db);
    for (const [name, collections] of [['one', [A]], ['two', [A]], ['other', ['elsewhere']]] as const) {
      const created = await store.create({ name, role: 'reader', collections: [...collections] });
      keys[name] = { key: created.key, id: created.info.id };
    }
    api = await createApi(app, { jobsDir: path.join(home, 'jobs') });
    base = (await api.listen(0, '127.0.0.1')).url;
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await app.db.write('MATCH (n) WHERE (n:_KgragConversation OR n:_KgragTurn) AND n.collection = "@system" AND (n.owner IN $owners OR NOT EXISTS { MATCH (c:_KgragConversation) WHERE c.id = n.conversationId }) DETACH DELETE n', {
      owners: Object.values(keys).map((k) => k.id),
    });
    await dropCollections(app, [A]);
    await app.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('answers a follow-up about the previous answer, shows the binding, and keeps the turns', async () => {
    const created = await call('post', '/v1/conversations', { key: keys.one.key, body: { collections: [A] } });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const first = await call('post', '/v1/ask', { key: keys.one.key, body: { question: 'Which employees report to Jane Smith?', conversationId: id, asOf: EXAMPLE_REFERENCE_DATE } });
    expect(first.body.rows).toHaveLength(5);
    expect(first.body.conversationId).toBe(id);
    const follow = await call('post', '/v1/ask', { key: keys.one.key, body: { question: 'Which of them work in Berlin?', conversationId: id, asOf: EXAMPLE_REFERENCE_DATE } });
    expect(follow.body.rows.map((r: Json) => r.name)).toEqual(['Laura Becker']);
    expect(follow.body.standaloneQuestion).toBe('Which employees work in Berlin?');
    expect(follow.body.plan.steps.map((s: Json) => s.detail).join(' ')).toContain('of the 5 people from the previous answer');
    // Without the conversation the same words are another question (the office in Berlin).
    const alone = await call('post', '/v1/ask', { key: keys.one.key, body: { question: 'Which of them work in Berlin?' } });
    expect(alone.body.rows.map((r: Json) => r.name)).not.toEqual(['Laura Becker']);

    const detail = await call('get', '/v1/conversations/{id}', { key: keys.one.key, params: { id } });
    expect(detail.body.turnCount).toBe(2);
    expect(detail.body.title).toBe('Which employees report to Jane Smith?');
    expect(detail.body.turns.map((t: Json) => t.question)).toEqual(['Which employees report to Jane Smith?', 'Which of them work in Berlin?']);
    expect(detail.body.turns[1].result.rows).toEqual(follow.body.rows);

    const list = await call('get', '/v1/conversations', { key: keys.one.key, query: `collection=${A}` });
    expect(list.body.items.map((c: Json) => c.id)).toContain(id);
  });

  it('never shows one key a conversation of another, on REST and GraphQL', async () => {
    const { body: mine } = await call('post', '/v1/conversations', { key: keys.one.key, body: { collections: [A], title: 'private' } });
    await call('post', '/v1/ask', { key: keys.one.key, body: { question: 'Which employees report to John Doe?', conversationId: mine.id } });
    // Key two grants the same collection and still sees nothing of it.
    for (const [method, template, body] of [
      ['get', '/v1/conversations/{id}', undefined],
      ['delete', '/v1/conversations/{id}', undefined],
    ] as const) {
      const r = await call(method, template, { key: keys.two.key, params: { id: mine.id }, ...(body ? { body } : {}) });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('NOT_FOUND');
    }
    const missing = await call('get', '/v1/conversations/{id}', { key: keys.two.key, params: { id: 'conv_does-not-exist' } });
    expect(missing.body.error.message.replace('conv_does-not-exist', 'X')).toBe(`No conversation X`);
    const asked = await call('post', '/v1/ask', { key: keys.two.key, body: { question: 'Which of them work remotely?', conversationId: mine.id } });
    expect(asked.status).toBe(404);
    expect((await call('get', '/v1/conversations', { key: keys.two.key })).body.items.map((c: Json) => c.id)).not.toContain(mine.id);
    // A key that does not grant the collection cannot open a conversation over it.
    expect((await call('post', '/v1/conversations', { key: keys.other.key, body: { collections: [A] } })).status).toBe(403);

    const q = `query($id: ID!) { conversation(id: $id) { id title turns { question } } conversations { items { id } } }`;
    const theirs = await gql(keys.two.key, q, { id: mine.id });
    expect(theirs.data.conversation).toBeNull();
    expect(theirs.data.conversations.items.map((c: Json) => c.id)).not.toContain(mine.id);
    const own = await gql(keys.one.key, q, { id: mine.id });
    expect(own.data.conversation).toMatchObject({ id: mine.id, title: 'private', turns: [{ question: 'Which employees report to John Doe?' }] });
    const gone = await gql(keys.two.key, `mutation($id: ID!) { deleteConversation(id: $id) { deleted } }`, { id: mine.id });
    expect(gone.errors[0].extensions.code).toBe('NOT_FOUND');

    expect((await call('delete', '/v1/conversations/{id}', { key: keys.one.key, params: { id: mine.id } })).body).toEqual({ id: mine.id, deleted: true });
    expect((await call('get', '/v1/conversations/{id}', { key: keys.one.key, params: { id: mine.id } })).status).toBe(404);
  });

  it('asks in a conversation over GraphQL, and keeps bookkeeping nodes out of the schema and Cypher', async () => {
    const created = await gql(keys.one.key, `mutation($c: [String!]) { createConversation(collections: $c) { id turnCount } }`, { c: [A] });
    const id = created.data.createConversation.id as string;
    const ask = `query($q: String!, $id: ID) { ask(question: $q, conversationId: $id, asOf: "${EXAMPLE_REFERENCE_DATE}") { rows conversationId standaloneQuestion plan { steps { detail } } } }`;
    await gql(keys.one.key, ask, { q: 'Who leads the Boston headquarters?', id });
    await gql(keys.one.key, ask, { q: 'Which employees report to Jane Smith?', id });
    const follow = await gql(keys.one.key, ask, { q: 'How many of them work in Boston?', id });
    expect(follow.data.ask).toMatchObject({ rows: [{ count: 3 }], conversationId: id, standaloneQuestion: 'How many employees work in Boston?' });
    // The typed schema (@neo4j/graphql) still builds with the conversation types and the subscription.
    expect(api.graphql.typedError()).toBeUndefined();

    const ctx: ApiContext = { app, principal: { keyId: keys.one.id, role: 'reader', collections: [A] }, jobs: api.jobs, keys: api.keys, onWrite: () => undefined };
    const cypher = await readCypherOp(ctx, { query: 'MATCH (n) RETURN DISTINCT labels(n) AS labels', limit: 1000 });
    expect(JSON.stringify(cypher)).not.toContain('_Kgrag');
    const everything = await readCypherOp({ ...ctx, principal: { ...ctx.principal, role: 'admin', collections: ['*'] } }, { query: 'MATCH (n) RETURN DISTINCT labels(n) AS labels', limit: 1000 });
    expect(JSON.stringify(everything)).not.toContain('_Kgrag');
    expect(JSON.stringify(await schemaOp(ctx, {}))).not.toContain('_Kgrag');
    expect(JSON.stringify(follow)).not.toContain('_Kgrag');
  });

  it('continues a conversation through the MCP ask tool, for its owner only', async () => {
    const { body: conv } = await call('post', '/v1/conversations', { key: keys.one.key, body: { collections: [A] } });
    const mcp = async (key: string, args: Json) => {
      const client = new Client({ name: 'kgrag-test', version: '1.0.0' });
      await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
      try {
        const result = (await client.callTool({ name: 'ask', arguments: args })) as { content: Array<{ text: string }> };
        return JSON.parse(result.content[0]!.text) as Json;
      } finally {
        await client.close();
      }
    };
    await mcp(keys.one.key, { question: 'Which employees report to John Doe?', conversationId: conv.id, asOf: EXAMPLE_REFERENCE_DATE });
    const follow = await mcp(keys.one.key, { question: 'Which of those work remotely?', conversationId: conv.id, asOf: EXAMPLE_REFERENCE_DATE });
    expect(follow.rows.map((r: Json) => r.name).sort()).toEqual(['Priya Natarajan', 'Sofia Rossi']);
    expect(follow.conversationId).toBe(conv.id);
    expect((await mcp(keys.two.key, { question: 'Which of those work remotely?', conversationId: conv.id })).error.code).toBe('NOT_FOUND');
  });

  it('streams an answer as server-sent events: start, plan, done (a structured answer sends no tokens)', async () => {
    const { body: conv } = await call('post', '/v1/conversations', { key: keys.one.key, body: { collections: [A] } });
    const events = await stream(keys.one.key, { question: 'Which employees report to John Doe?', conversationId: conv.id, asOf: EXAMPLE_REFERENCE_DATE });
    expect(events.map((e) => e.event)).toEqual(['start', 'plan', 'done']);
    expect(events[0]!.data).toMatchObject({ conversationId: conv.id });
    expect(events[1]!.data.strategy).toBe('structured');
    const done = events[2]!.data;
    checkDocumented('/v1/ask', 'post', 200, done);
    expect(done.rows.map((r: Json) => r.name).sort()).toEqual(['Fatima Al-Sayed', 'Priya Natarajan', 'Sofia Rossi', 'Tom Harris']);
    expect(done.turnId).toBe(events[0]!.data.turnId);
    const follow = await stream(keys.one.key, { question: 'Which of those work remotely?', conversationId: conv.id, asOf: EXAMPLE_REFERENCE_DATE });
    expect(follow.at(-1)!.data.rows.map((r: Json) => r.name).sort()).toEqual(['Priya Natarajan', 'Sofia Rossi']);

    // A declined follow-up says why instead of answering another question.
    const vague = await stream(keys.one.key, { question: 'What is his title?', conversationId: conv.id });
    expect(vague.at(-1)!.data).toMatchObject({ found: false, rows: [] });
    expect(vague.at(-1)!.data.answer).toContain('name the one you mean');

    const bad = await fetch(`${base}/v1/ask/stream`, { method: 'POST', headers: { authorization: `Bearer ${keys.two.key}`, 'content-type': 'application/json' }, body: JSON.stringify({ question: 'x', conversationId: conv.id }) });
    const events2 = parseEvents(await bad.text());
    expect(events2.map((e) => e.event)).toEqual(['error']);
    expect(events2[0]!.data.code).toBe('NOT_FOUND');
  });
});
