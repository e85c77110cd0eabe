import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { KeyStore } from '../../src/api/auth/keys.ts';
import { createApi, type Api } from '../../src/api/server.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

/**
 * kgrag's MCP server driven by the SDK's own client, over HTTP (in-process server, real keys) and
 * over stdio (the real `kgrag mcp` command in a child process). Collection A holds a document on
 * tides and three tasks; B holds a secret document and a task of its own. A key for A must reach
 * nothing of B through any tool or resource.
 */

type Json = Record<string, any>;
const BIN = path.resolve(import.meta.dirname, '../../scripts/kgrag.mjs');

describe('MCP server', () => {
  let app: Kgrag;
  let api: Api;
  let base: string;
  const A = uniqueCollection('mcpA');
  const B = uniqueCollection('mcpB');
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-mcp-'));
  const keys: Record<'readerA' | 'editorA' | 'readerB', string> = {} as never;
  let secretDocId = '';
  let tidesDocId = '';
  const files = tempFiles({
    'tides.md': '# Tides\n\nSpring tides happen at new moon and at full moon, when the sun and the moon pull in one line.\n\nThe Quillon lighthouse keeper is Ada Brenner. She has kept the light since 1998.\n',
    'vault.md': '# Zephyr vault\n\nThe Zephyr vault access code is 7781-QX. Only Marta Kowalczyk knows the Zephyr vault code.\n',
  });
  const clients: Client[] = [];

  beforeAll(async () => {
    app = await openTestApp((c) => {
      c.api = { ...c.api, keysFile: path.join(home, 'keys.json') };
    });
    tidesDocId = ((await ingestInto(app, [files.path('tides.md')], { collection: A })).outcomes[0] as { documentId: string }).documentId;
    secretDocId = ((await ingestInto(app, [files.path('vault.md')], { collection: B })).outcomes[0] as { documentId: string }).documentId;
    await app.db.write(
      `UNWIND [['t1', 'completed'], ['t2', 'completed'], ['t3', 'open']] AS t
       CREATE (:KgragEntity:Kgrag_Task {id: $a + ':' + t[0], collection: $a, type: 'Task', name: 'Task ' + t[0], normalizedName: 'task ' + t[0], status: t[1]})
       WITH count(*) AS done
       CREATE (:KgragEntity:Kgrag_Task {id: $b + ':secret', collection: $b, type: 'Task', name: 'Secret merger prep', normalizedName: 'secret merger prep', status: 'completed', codename: 'Bluebird'})`,
      { a: A, b: B },
    );
    app.catalogs.invalidate();
    const store = new KeyStore(app.db);
    keys.readerA = (await store.create({ name: 'reader A', role: 'reader', collections: [A] })).key;
    keys.editorA = (await store.create({ name: 'editor A', role: 'editor', collections: [A] })).key;
    keys.readerB = (await store.create({ name: 'reader B', role: 'reader', collections: [B] })).key;
    api = await createApi(app, { jobsDir: path.join(home, 'jobs') });
    base = (await api.listen(0, '127.0.0.1')).url;
  }, 240_000);

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => undefined);
    await api?.close();
    await dropCollections(app, [A, B]);
    await app.close();
    files.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  async function httpClient(key: string): Promise<Client> {
    const client = new Client({ name: 'kgrag-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
    clients.push(client);
    return client;
  }

  async function stdioClient(key: string): Promise<Client> {
    const client = new Client({ name: 'kgrag-test', version: '1.0.0' });
    const env = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
    // The child loads the embedding model before it answers `initialize`: slow on a busy machine.
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [BIN, 'mcp'],
        env: { ...env, KGRAG_API_KEY: key, KGRAG_API_KEYS_FILE: app.config.api.keysFile, KGRAG_LOG_LEVEL: 'warn' },
        stderr: 'pipe',
      }),
      { timeout: 240_000 },
    );
    clients.push(client);
    return client;
  }

  /** A tool's JSON result; `isError` results come back as `{ error }`. */
  async function call(client: Client, name: string, args: Json = {}): Promise<Json> {
    const result = (await client.callTool({ name, arguments: args })) as { content: Array<{ type: string; text: string }>; isError?: boolean };
    const body = JSON.parse(result.content[0]!.text) as Json;
    expect(!!result.isError, JSON.stringify(body).slice(0, 300)).toBe('error' in body && !Array.isArray(body));
    return body;
  }

  describe.each([
    ['HTTP', httpClient],
    ['stdio', stdioClient],
  ] as const)('over %s', (_transport, connect) => {
    let readerA: Client;
    let readerB: Client;

    beforeAll(async () => {
      [readerA, readerB] = await Promise.all([connect(keys.readerA), connect(keys.readerB)]);
    }, 300_000);

    it('lists the read tools with descriptions and input schemas, and no write tools for a reader', async () => {
      const { tools } = await readerA.listTools();
      const names = tools.map((t) => t.name).sort();
      expect(names).toEqual(['ask', 'find_entities', 'get_entity', 'get_schema', 'list_collections', 'read_cypher', 'search']);
      const readCypher = tools.find((t) => t.name === 'read_cypher')!;
      expect(readCypher.description).toMatch(/read-only/);
      expect(readCypher.inputSchema.required).toEqual(['query']);
      expect(readCypher.annotations?.readOnlyHint).toBe(true);
      // ask stores a conversation's turns: not read-only, not idempotent, never destructive.
      expect(tools.find((t) => t.name === 'ask')!.annotations).toMatchObject({ readOnlyHint: false, idempotentHint: false, destructiveHint: false });
    });

    it('answers an open question with citations and a counting question exactly, with its Cypher', async () => {
      const open = await call(readerA, 'ask', { question: 'Who is the Quillon lighthouse keeper?' });
      expect(open.found).toBe(true);
      expect(open.answer).toContain('Ada Brenner');
      expect(open.citations.map((c: Json) => c.documentId)).toContain(tidesDocId);
      const exact = await call(readerA, 'ask', { question: 'How many tasks are completed?' });
      expect(exact.plan.strategy).toBe('structured');
      expect(exact.rows).toEqual([{ count: 2 }]);
      expect(exact.cypher[0].query).toMatch(/MATCH/);
    });

    it('searches, lists collections and reads the schema of A only', async () => {
      const hits = await call(readerA, 'search', { query: 'Zephyr vault access code', mode: 'hybrid', k: 20 });
      expect(Array.isArray(hits)).toBe(true);
      expect(hits.every((h: Json) => h.collection === A)).toBe(true);
      expect(JSON.stringify(hits)).not.toContain('7781');
      const own = await call(readerB, 'search', { query: 'Zephyr vault access code', mode: 'fulltext', k: 5 });
      expect(own[0].documentId).toBe(secretDocId);
      expect((await call(readerA, 'list_collections')).map((s: Json) => s.collection)).toEqual([A]);
      expect(JSON.stringify(await call(readerA, 'get_schema'))).not.toContain('codename');
      expect(JSON.stringify(await call(readerB, 'get_schema'))).toContain('codename');
    });

    it('finds entities and their neighbourhood in A, and treats an entity of B as not found', async () => {
      const tasks = await call(readerA, 'find_entities', { type: 'Task', limit: 50 });
      expect(tasks.items.map((e: Json) => e.name).sort()).toEqual(['Task t1', 'Task t2', 'Task t3']);
      const one = await call(readerA, 'get_entity', { id: `${A}:t1`, hops: 1 });
      expect(one.entity.name).toBe('Task t1');
      expect(one.mentions).toEqual([]);
      expect(one.neighbourhood.center.id).toBe(`${A}:t1`);
      expect((await call(readerA, 'get_entity', { id: `${B}:secret` })).error.code).toBe('NOT_FOUND');
      expect((await call(readerA, 'find_entities', { q: 'merger' })).items).toEqual([]);
    });

    it('runs read-only Cypher scoped to the key, and refuses writes and other collections', async () => {
      const counts = await call(readerA, 'read_cypher', { query: 'MATCH (t:Kgrag_Task) RETURN t.collection AS c, count(*) AS n ORDER BY c' });
      expect(counts.rows).toEqual([{ c: A, n: 3 }]);
      const withParams = await call(readerA, 'read_cypher', {
        query: 'MATCH (t:Kgrag_Task) WHERE t.status = $status RETURN t.name AS name ORDER BY name',
        params: { status: 'completed', collections: [B] },
        limit: 1,
      });
      expect(withParams.rows).toEqual([{ name: 'Task t1' }]);
      expect(withParams.truncated).toBe(true);
      expect((await call(readerA, 'read_cypher', { query: 'MATCH (t:Kgrag_Task) RETURN t', collections: [B] })).error.code).toBe('FORBIDDEN');
      expect((await call(readerA, 'read_cypher', { query: "MATCH (t:Kgrag_Task) SET t.status = 'x' RETURN t" })).error.code).toBe('UNSAFE_QUERY');
      expect((await call(readerA, 'read_cypher', { query: 'CALL db.labels()' })).error.code).toBe('UNSAFE_QUERY');
      expect((await call(readerA, 'read_cypher', { query: 'MATCH (t:Kgrag_Task) RETURN t.name AS n ORDER BY missing' })).error.code).toBe('QUERY_INVALID');
      const all = await call(readerA, 'read_cypher', { query: 'MATCH (n) RETURN DISTINCT n.collection AS c' });
      expect(all.rows).toEqual([{ c: A }]);
    });

    it('exposes the documents of A as resources, and not those of B', async () => {
      const { resources } = await readerA.listResources();
      expect(resources.map((r) => r.uri)).toContain(`kgrag://documents/${tidesDocId}`);
      expect(resources.map((r) => r.uri)).not.toContain(`kgrag://documents/${secretDocId}`);
      const read = await readerA.readResource({ uri: `kgrag://documents/${tidesDocId}` });
      expect((read.contents[0] as { text: string }).text).toContain('Spring tides');
      await expect(readerA.readResource({ uri: `kgrag://documents/${secretDocId}` })).rejects.toThrow(/No document/);
    });

    it('refuses ingest tools to a reader', async () => {
      const result = (await readerA.callTool({ name: 'ingest_text', arguments: { title: 'x', text: 'y' } })) as { content: Array<{ text: string }>; isError?: boolean };
      expect(result.isError).toBe(true);
      expect(result.content[0]!.text).toMatch(/ingest_text not found/);
    });
  });

  it('lets an editor ingest text into its collection (then found by search), not into another (HTTP)', async () => {
    const editor = await httpClient(keys.editorA);
    expect((await editor.listTools()).tools.map((t) => t.name)).toEqual(expect.arrayContaining(['ingest_text', 'ingest_url']));
    const job = await call(editor, 'ingest_text', { title: 'Harbour note', text: 'The Quillon harbour crane lifts forty tonnes.' });
    expect(job.status).toBe('succeeded');
    const hits = await call(editor, 'search', { query: 'Quillon harbour crane', mode: 'fulltext', k: 3 });
    expect(hits[0].text).toContain('forty tonnes');
    expect((await call(editor, 'ingest_text', { title: 'x', text: 'y', collection: B })).error.code).toBe('FORBIDDEN');
    const refused = await call(editor, 'ingest_url', { url: 'http://127.0.0.1:1/x', collection: A });
    expect(refused.result.outcomes[0].status).toBe('failed');
    expect(refused.result.outcomes[0].code).toBe('FORBIDDEN_ADDRESS');
  });

  it('refuses HTTP requests without a valid key', async () => {
    const res = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    await expect(httpClient('kgr_000000000000_' + 'x'.repeat(43))).rejects.toThrow();
  });
});
