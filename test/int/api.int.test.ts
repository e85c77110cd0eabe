import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { Kgrag } from '../../src/app.ts';
import { KeyStore } from '../../src/api/auth/keys.ts';
import { ROUTES } from '../../src/api/rest/routes.ts';
import { checkExposure, createApi, OPENAPI_FILE, type Api } from '../../src/api/server.ts';
import { JobQueue } from '../../src/api/jobs/jobs.ts';
import { toErrorResponse } from '../../src/api/errors.ts';
import { silentLogger } from '../../src/logging.ts';
import { loadExampleKb, EXAMPLE_REFERENCE_DATE } from '../../scripts/eval/example-kb.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

/**
 * The HTTP API, run in-process on an ephemeral loopback port against the real database. Collection
 * A holds the example knowledge base; collection B holds a secret document, a conflicting task, and
 * a label and a property that exist nowhere else. Keys for A must not see anything of B by any path.
 * Every JSON response is validated against schemas/openapi.yaml for its path, method and status.
 */

/** Response bodies, loosely typed on purpose: each is validated against its OpenAPI schema at run time. */
type Json = Record<string, any>;

const openapi = parseYaml(readFileSync(OPENAPI_FILE, 'utf8')) as Json;
const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
ajv.addSchema(openapi, 'openapi');

function pointer(...parts: string[]): string {
  return 'openapi#/' + parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');
}

/** Checks a response against the documented schema of its path, method and status (or `default`). */
function checkDocumented(template: string, method: string, status: number, body: unknown, contentType: string | null): void {
  const op = openapi.paths[template]?.[method];
  expect(op, `${method.toUpperCase()} ${template} is not in openapi.yaml`).toBeDefined();
  const key = op.responses[String(status)] ? String(status) : 'default';
  expect(op.responses[key], `${method.toUpperCase()} ${template} does not document status ${status}`).toBeDefined();
  if (!contentType?.includes('application/json')) return;
  const ref = op.responses[key].$ref as string | undefined;
  const schemaRef = ref
    ? pointer(...ref.slice(2).split('/'), 'content', 'application/json', 'schema')
    : pointer('paths', template, method, 'responses', key, 'content', 'application/json', 'schema');
  const validate = ajv.getSchema(schemaRef) ?? ajv.compile({ $ref: schemaRef });
  const ok = validate(body);
  expect(ok, `${method.toUpperCase()} ${template} ${status}: ${ajv.errorsText(validate.errors)}`).toBe(true);
}

describe('HTTP API', () => {
  let app: Kgrag;
  let api: Api;
  let base: string;
  const A = uniqueCollection('apiA');
  const B = uniqueCollection('apiB');
  const C = uniqueCollection('apiC');
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-api-'));
  const keys: Record<'admin' | 'readerA' | 'editorA' | 'readerB' | 'editorB', string> = {} as never;
  let secretDocId = '';
  let secretTaskId = '';
  let files: ReturnType<typeof tempFiles>;

  /** One request; `template` is the documented path (with {id}), `params` fills it. */
  async function call(
    method: 'get' | 'post' | 'delete',
    template: string,
    opts: { key?: string | null; params?: Record<string, string>; query?: string; body?: unknown; form?: FormData; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; body: Json; headers: Headers }> {
    let url = template;
    for (const [k, v] of Object.entries(opts.params ?? {})) url = url.replace(`{${k}}`, encodeURIComponent(v));
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.key !== null) headers.authorization = `Bearer ${opts.key ?? keys.readerA}`;
    let body: BodyInit | undefined;
    if (opts.form) body = opts.form;
    else if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    const res = await fetch(`${base}${url}${opts.query ? `?${opts.query}` : ''}`, { method: method.toUpperCase(), headers, ...(body ? { body } : {}) });
    const text = await res.text();
    const parsed = text && res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Json) : { text };
    checkDocumented(template, method, res.status, parsed, res.headers.get('content-type'));
    return { status: res.status, body: parsed, headers: res.headers };
  }

  async function gql(query: string, key = keys.readerA, variables: Json = {}): Promise<Json> {
    const res = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return (await res.json()) as Json;
  }

  beforeAll(async () => {
    app = await openTestApp((c) => {
      c.ingest.maxFileBytes = 200_000;
      c.api = { ...c.api, keysFile: path.join(home, 'keys.json'), maxBodyBytes: 64 * 1024, maxUploadFiles: 3, graphql: { maxDepth: 8, maxCost: 5000 } };
    });
    await loadExampleKb(app, A);
    files = tempFiles({
      'vault.md': '# Zephyr vault\n\nThe Zephyr vault access code is 7781-QX. Only Marta Kowalczyk knows the Zephyr vault code.\n',
    });
    const summary = await ingestInto(app, [files.path('vault.md')], { collection: B });
    secretDocId = (summary.outcomes[0] as { documentId: string }).documentId;
    secretTaskId = `${B}:task`;
    await app.db.write(
      `CREATE (t:KgragEntity:Kgrag_Task {id: $c + ':task', collection: $c, type: 'Task', name: 'Secret merger prep', normalizedName: 'secret merger prep', status: 'completed', taskId: 'T999', mergerCodename: 'Bluebird'})
       CREATE (p:KgragEntity:Kgrag_Person {id: $c + ':marta', collection: $c, type: 'Person', name: 'Marta Kowalczyk', normalizedName: 'marta kowalczyk'})
       CREATE (v:KgragEntity:Kgrag_Vault {id: $c + ':vault', collection: $c, type: 'Vault', name: 'Zephyr vault', normalizedName: 'zephyr vault', code: '7781-QX'})
       CREATE (t)-[:ASSIGNED_TO]->(p), (p)-[:GUARDS]->(v)`,
      { c: B },
    );
    app.catalogs.invalidate();
    const store = new KeyStore(app.db);
    keys.admin = (await store.create({ name: 'admin', role: 'admin', collections: ['*'] })).key;
    keys.readerA = (await store.create({ name: 'reader A', role: 'reader', collections: [A] })).key;
    keys.editorA = (await store.create({ name: 'editor A', role: 'editor', collections: [A] })).key;
    keys.readerB = (await store.create({ name: 'reader B', role: 'reader', collections: [B] })).key;
    keys.editorB = (await store.create({ name: 'editor B', role: 'editor', collections: [B] })).key;
    api = await createApi(app, { jobsDir: path.join(home, 'jobs') });
    base = (await api.listen(0, '127.0.0.1')).url;
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await dropCollections(app, [A, B, C]);
    await app.db.write('MATCH (c:_KgragCollection) WHERE c.name = $c DELETE c', { c: C });
    await app.close();
    files?.cleanup();
    rmSync(home, { recursive: true, force: true });
  });

  describe('the OpenAPI document', () => {
    it('lists exactly the routes the server mounts', () => {
      const served = new Set([...ROUTES.map((r) => `${r.method} /v1${r.path.replace(/:(\w+)/g, '{$1}')}`), 'get /health', 'get /ready', 'get /v1/openapi.json']);
      const documented = new Set(
        Object.entries(openapi.paths as Json).flatMap(([p, ops]) => Object.keys(ops).filter((m) => ['get', 'post', 'delete', 'put', 'patch'].includes(m)).map((m) => `${m} ${p}`)),
      );
      expect([...documented].sort()).toEqual([...served].sort());
    });

    it('is served at /v1/openapi.json', async () => {
      const r = await call('get', '/v1/openapi.json', { key: null });
      expect(r.body.openapi).toBe('3.1.0');
    });
  });

  describe('health, auth and roles', () => {
    it('answers /health and /ready without a key', async () => {
      expect((await call('get', '/health', { key: null })).body).toEqual({ status: 'ok', auth: 'keys' });
      const ready = await call('get', '/ready', { key: null });
      expect(ready.status).toBe(200);
      expect(ready.body.checks.database).toBe('ok');
    });

    it('refuses requests without a valid key', async () => {
      const none = await call('get', '/v1/documents', { key: null });
      expect(none.status).toBe(401);
      expect(none.body.error.code).toBe('UNAUTHENTICATED');
      expect((await call('get', '/v1/documents', { key: 'kgr_000000000000_' + 'x'.repeat(43) })).status).toBe(401);
      expect((await call('get', '/v1/documents', { key: 'nonsense' })).status).toBe(401);
      expect((await fetch(`${base}/graphql`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } })).status).toBe(401);
    });

    it('accepts the key as X-API-Key too', async () => {
      const r = await call('get', '/v1/collections', { key: null, headers: { 'x-api-key': keys.readerA } });
      expect(r.body.collections).toEqual([A]);
      // With the key's role: what it may do with them.
      expect(r.body.role).toBe('reader');
    });

    it('lets readers query, editors write, admins manage keys', async () => {
      const form = new FormData();
      form.append('files', new Blob(['hello']), 'x.txt');
      const upload = await call('post', '/v1/documents', { form });
      expect(upload.status).toBe(403);
      expect(upload.body.error.code).toBe('FORBIDDEN');
      expect((await call('delete', '/v1/documents/{id}', { params: { id: 'doc_x' } })).status).toBe(403);
      expect((await call('get', '/v1/keys', { key: keys.editorA })).status).toBe(403);
      expect((await call('get', '/v1/jobs')).status).toBe(403);
      const ingest = await gql('mutation { ingestText(title: "t", text: "x") { id } }');
      expect(ingest.errors[0].extensions.code).toBe('FORBIDDEN');
    });

    it('creates, lists and revokes keys (admin), never showing hashes; a revoked key stops working', async () => {
      const created = await call('post', '/v1/keys', { key: keys.admin, body: { name: 'temp', role: 'reader', collections: [A] } });
      expect(created.status).toBe(201);
      const listed = await call('get', '/v1/keys', { key: keys.admin });
      expect(JSON.stringify(listed.body)).not.toMatch(/hash/);
      expect((await call('get', '/v1/collections', { key: created.body.key })).status).toBe(200);
      await call('delete', '/v1/keys/{id}', { key: keys.admin, params: { id: created.body.info.id } });
      expect((await call('get', '/v1/collections', { key: created.body.key })).status).toBe(401);
    });
  });

  describe('isolation: a key for A reads nothing of B', () => {
    it('collections, documents and stats', async () => {
      expect((await call('get', '/v1/collections')).body.collections).toEqual([A]);
      const docs = await call('get', '/v1/documents', { query: 'limit=1000' });
      expect(docs.body.items.length).toBeGreaterThan(0);
      expect(docs.body.items.every((d: Json) => d.collection === A)).toBe(true);
      expect((await call('get', '/v1/stats')).body.collections.map((s: Json) => s.collection)).toEqual([A]);
    });

    it('naming another collection is 403 whether or not it exists', async () => {
      const other = await call('get', '/v1/documents', { query: `collection=${B}` });
      const missing = await call('get', '/v1/documents', { query: 'collection=no-such-collection-xyz' });
      expect(other.status).toBe(403);
      expect(missing.status).toBe(403);
      expect(other.body.error.message.replace(B, 'X')).toBe(missing.body.error.message.replace('no-such-collection-xyz', 'X'));
      expect((await call('post', '/v1/search', { body: { text: 'vault', collections: [B] } })).status).toBe(403);
      expect((await call('get', '/v1/schema', { query: `collection=${A},${B}` })).status).toBe(403);
    });

    it('an item of B is 404 exactly like an item that does not exist', async () => {
      const secret = await call('get', '/v1/documents/{id}', { params: { id: secretDocId } });
      const missing = await call('get', '/v1/documents/{id}', { params: { id: 'doc_000000000000000000000000' } });
      expect(secret.status).toBe(404);
      expect(missing.status).toBe(404);
      expect(secret.body.error.message.replace(secretDocId, 'X')).toBe(missing.body.error.message.replace('doc_000000000000000000000000', 'X'));
      expect((await call('get', '/v1/entities/{id}', { params: { id: secretTaskId } })).status).toBe(404);
      expect((await call('get', '/v1/entities/{id}/neighbourhood', { params: { id: `${B}:marta` } })).status).toBe(404);
      expect((await call('delete', '/v1/documents/{id}', { key: keys.editorA, params: { id: secretDocId } })).status).toBe(404);
      // And B's document is still there for B.
      expect((await call('get', '/v1/documents/{id}', { key: keys.readerB, params: { id: secretDocId } })).status).toBe(200);
    });

    it('search and ask find B only with a key for B', async () => {
      for (const mode of ['hybrid', 'fulltext', 'vector']) {
        const a = await call('post', '/v1/search', { body: { text: 'Zephyr vault access code', mode, k: 20 } });
        expect(a.body.results.every((r: Json) => r.collection === A)).toBe(true);
        expect(JSON.stringify(a.body)).not.toContain('7781');
      }
      const b = await call('post', '/v1/search', { key: keys.readerB, body: { text: 'Zephyr vault access code' } });
      expect(b.body.results[0].documentId).toBe(secretDocId);

      const askA = await call('post', '/v1/ask', { body: { question: 'What is the Zephyr vault access code?' } });
      expect(JSON.stringify({ ...askA.body, question: '' })).not.toMatch(/7781|Marta|Kowalczyk/);
      expect(askA.body.citations.every((c: Json) => c.documentId !== secretDocId)).toBe(true);
      for (const run of askA.body.cypher) expect(run.params.collections ?? [A]).toEqual([A]);
      const askB = await call('post', '/v1/ask', { key: keys.readerB, body: { question: 'What is the Zephyr vault access code?' } });
      expect(askB.body.citations.map((c: Json) => c.documentId)).toContain(secretDocId);
    });

    it('structured answers count A only', async () => {
      const a = await call('post', '/v1/ask', { body: { question: 'How many tasks are completed?', asOf: EXAMPLE_REFERENCE_DATE } });
      expect(a.body.plan.strategy).toBe('structured');
      const b = await call('post', '/v1/ask', { key: keys.readerB, body: { question: 'How many tasks are completed?' } });
      expect(b.body.rows).toEqual([{ count: 1 }]);
      const both = await call('post', '/v1/ask', { key: keys.admin, body: { question: 'How many tasks are completed?', collections: [A, B] } });
      expect(both.body.rows[0].count).toBe(a.body.rows[0].count + 1);
    });

    it('entities, entity details, neighbourhoods and the schema', async () => {
      const list = await call('get', '/v1/entities', { query: 'limit=1000' });
      expect(list.body.items.every((e: Json) => e.collection === A)).toBe(true);
      expect((await call('get', '/v1/entities', { query: 'q=marta' })).body.items).toEqual([]);
      const john = (await call('get', '/v1/entities', { query: 'q=John%20Doe&type=Person' })).body.items[0];
      const detail = await call('get', '/v1/entities/{id}', { params: { id: john.id } });
      expect(detail.body.entity.collection).toBe(A);
      const hood = await call('get', '/v1/entities/{id}/neighbourhood', { params: { id: john.id }, query: 'hops=3&limit=500' });
      expect(hood.body.nodes.length).toBeGreaterThan(3);
      expect(hood.body.nodes.every((n: Json) => n.collection === A)).toBe(true);
      const capped = await call('get', '/v1/entities/{id}/neighbourhood', { params: { id: john.id }, query: 'hops=2&limit=3' });
      expect(capped.body.nodes.length).toBeLessThanOrEqual(3);
      expect(capped.body.truncated).toBe(true);

      const schema = await call('get', '/v1/schema');
      const text = JSON.stringify(schema.body);
      expect(schema.body.collections).toEqual([A]);
      expect(text).not.toMatch(/Vault|mergerCodename|GUARDS|Bluebird/);
      expect(JSON.stringify((await call('get', '/v1/schema', { key: keys.readerB })).body)).toMatch(/Vault/);
    });

    it('GraphQL generic queries', async () => {
      const r = await gql(`{
        collections
        documents(first: 100) { nodes { id collection } pageInfo { hasNextPage } }
        secret: document(id: "${secretDocId}") { id title }
        entity(id: "${secretTaskId}") { entity }
        neighbourhood(id: "${B}:marta") { nodes { id } }
        search(text: "Zephyr vault access code", k: 20) { collection text }
        ask(question: "What is the Zephyr vault access code?") { answer citations { documentId quote } cypher { params } }
        stats { collection }
        graphSchema
      }`);
      expect(r.errors).toBeUndefined();
      expect(r.data.collections).toEqual([A]);
      expect(r.data.documents.nodes.every((d: Json) => d.collection === A)).toBe(true);
      expect(r.data.secret).toBeNull();
      expect(r.data.entity).toBeNull();
      expect(r.data.neighbourhood).toBeNull();
      expect(r.data.stats).toEqual([{ collection: A }]);
      expect(JSON.stringify(r.data)).not.toMatch(/7781|Vault|Marta|Bluebird/);
      const forbidden = await gql(`{ documents(collections: ["${B}"]) { nodes { id } } }`);
      expect(forbidden.errors[0].extensions.code).toBe('FORBIDDEN');
    });

    it('GraphQL typed queries over the live schema', async () => {
      const q = `{
        tasks(where: { status: { eq: "completed" } }, sort: [{ name: ASC }], limit: 100) { name collection assignedTo { name collection } }
        tasksConnection(where: { status: { eq: "completed" } }) { aggregate { count { nodes } } }
        people(where: { name: { eq: "Marta Kowalczyk" } }) { name }
      }`;
      const a = await gql(q);
      expect(a.errors).toBeUndefined();
      expect(a.data.tasks.length).toBeGreaterThan(0);
      expect(a.data.tasks.every((t: Json) => t.collection === A && t.assignedTo.every((p: Json) => p.collection === A))).toBe(true);
      expect(a.data.tasksConnection.aggregate.count.nodes).toBe(a.data.tasks.length);
      expect(a.data.people).toEqual([]);
      // Labels and properties that exist only in B are not in A's schema at all, and no suggestion names them.
      for (const query of ['{ vaults { code } }', '{ tasks { mergerCodename } }']) {
        const r = await gql(query);
        expect(r.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(JSON.stringify(r)).not.toMatch(/Vault|merger/i.test(query) ? /7781|Bluebird/ : /Bluebird/);
      }
      const b = await gql('{ vaults { code } tasks(where: { mergerCodename: { eq: "Bluebird" } }) { name peopleGuards: assignedTo { name } } }', keys.readerB);
      expect(b.errors).toBeUndefined();
      expect(b.data.vaults).toEqual([{ code: '7781-QX' }]);
      expect(b.data.tasks).toEqual([{ name: 'Secret merger prep', peopleGuards: [{ name: 'Marta Kowalczyk' }] }]);
      // A key for both sees both; the typed counts add up.
      const both = await gql('{ tasksConnection(where: { status: { eq: "completed" } }) { aggregate { count { nodes } } } }', keys.admin);
      expect(both.data.tasksConnection.aggregate.count.nodes).toBeGreaterThanOrEqual(a.data.tasks.length + 1);
    });
  });

  describe('injection attempts are rejected or neutralised', () => {
    const attacks = ["x' OR 1=1 //", 'x") MATCH (n) DETACH DELETE n //', '`Task` OR true', '$collections', '*', '../../etc/passwd'];

    it('in REST ids, filters, names and bodies', async () => {
      for (const attack of attacks) {
        const id = await call('get', '/v1/documents/{id}', { params: { id: attack } });
        expect([400, 404]).toContain(id.status);
        expect([400, 404]).toContain((await call('get', '/v1/entities/{id}/neighbourhood', { params: { id: attack } })).status);
        expect([400, 403]).toContain((await call('get', '/v1/entities', { query: `collection=${encodeURIComponent(attack)}` })).status);
        expect((await call('get', '/v1/entities', { query: `type=${encodeURIComponent(attack)}` })).status).toBe(400);
        expect((await call('get', '/v1/entities', { query: `sort=${encodeURIComponent(attack)}` })).status).toBe(400);
        const q = await call('get', '/v1/entities', { query: `q=${encodeURIComponent(attack)}` });
        expect(q.status).toBe(200);
        expect(q.body.items).toEqual([]);
        const search = await call('post', '/v1/search', { body: { text: attack, mode: 'fulltext' } });
        expect(search.status).toBe(200);
        expect(search.body.results.every((r: Json) => r.collection === A)).toBe(true);
        expect((await call('post', '/v1/ask', { body: { question: `How many tasks are ${attack}?` } })).status).toBe(200);
      }
      expect((await call('post', '/v1/search', { body: { text: 'x', extra: 'MATCH (n) RETURN n' } })).status).toBe(400);
      // The data is intact.
      expect((await call('get', '/v1/stats', { key: keys.admin })).body.collections.find((s: Json) => s.collection === B).documents).toBe(1);
    });

    it('in GraphQL arguments and typed filters', async () => {
      for (const attack of attacks) {
        const r = await gql(
          `query($v: String!, $ids: [String!]) { tasks(where: { name: { eq: $v }, collection: { in: $ids } }) { name } entities(filter: { type: "Task", nameContains: $v }) { nodes { id } } document(id: $v) { id } }`,
          keys.readerA,
          { v: attack, ids: [B, attack] },
        );
        expect(r.data?.tasks ?? []).toEqual([]);
        expect(JSON.stringify(r)).not.toMatch(/Secret merger|7781/);
      }
      // Even naming B's collection in a typed filter returns nothing: the authorization filter is ANDed in.
      const r = await gql(`{ tasks(where: { collection: { eq: "${B}" } }) { name } }`);
      expect(r.data.tasks).toEqual([]);
    });
  });

  describe('ingestion jobs', () => {
    it('titles an upload without a heading by the name it was uploaded under', async () => {
      const form = new FormData();
      form.append('files', new Blob(['Plain notes about the Falcon telemetry exporter, without any heading.\n']), 'plain-notes.txt');
      const up = await call('post', '/v1/documents', { key: keys.editorA, form, query: 'wait=true' });
      expect(up.body.status).toBe('succeeded');
      const doc = await call('get', '/v1/documents/{id}', { params: { id: up.body.result.outcomes[0].documentId as string } });
      expect(doc.body.document).toMatchObject({ title: 'plain-notes', source: 'upload:plain-notes.txt' });
    });

    it('uploads are streamed to a job, ingested, listed and deletable; other keys do not see the job', async () => {
      const form = new FormData();
      form.append('files', new Blob(['# Falcon notes\n\nThe Falcon project ships its telemetry exporter in October.\n']), 'falcon.md');
      const up = await call('post', '/v1/documents', { key: keys.editorA, form, query: 'wait=true' });
      expect(up.status).toBe(200);
      expect(up.body.status).toBe('succeeded');
      expect(up.body.sources).toEqual(['upload:falcon.md']);
      expect(up.body.collection).toBe(A);
      expect(JSON.stringify(up.body)).not.toContain(home);
      const docId = up.body.result.outcomes[0].documentId as string;
      const doc = await call('get', '/v1/documents/{id}', { params: { id: docId } });
      expect(doc.body.document.source).toBe('upload:falcon.md');
      expect((await call('get', '/v1/jobs/{id}', { key: keys.editorA, params: { id: up.body.id } })).body.status).toBe('succeeded');
      expect((await call('get', '/v1/jobs/{id}', { key: keys.editorB, params: { id: up.body.id } })).status).toBe(404);
      expect((await call('get', '/v1/jobs', { key: keys.editorB })).body.jobs.map((j: Json) => j.id)).not.toContain(up.body.id);
      const del = await call('delete', '/v1/documents/{id}', { key: keys.editorA, params: { id: docId } });
      expect(del.body).toMatchObject({ id: docId, deleted: true });
      expect((await call('get', '/v1/documents/{id}', { params: { id: docId } })).status).toBe(404);
    });

    it('streams progress as server-sent events and polls', async () => {
      const form = new FormData();
      form.append('files', new Blob(['Heron memo. The Heron rollout starts in May.']), 'heron.txt');
      const queued = await call('post', '/v1/documents', { key: keys.editorA, form });
      expect(queued.status).toBe(202);
      expect(queued.headers.get('location')).toBe(`/v1/jobs/${queued.body.id}`);
      const res = await fetch(`${base}/v1/jobs/${queued.body.id}/events`, { headers: { authorization: `Bearer ${keys.editorA}` } });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const text = await res.text();
      expect(text).toMatch(/event: end\ndata: .*"status":"succeeded"/);
    });

    it('refuses uploads to ungranted collections, over the size or count limit', async () => {
      const form = new FormData();
      form.append('collection', B);
      form.append('files', new Blob(['text']), 'a.txt');
      const other = await call('post', '/v1/documents', { key: keys.editorA, form });
      expect(other.status).toBe(403);
      const big = new FormData();
      big.append('files', new Blob(['x'.repeat(300_000)]), 'big.txt');
      const tooBig = await call('post', '/v1/documents', { key: keys.editorA, form: big });
      expect(tooBig.status).toBe(413);
      expect(tooBig.body.error.code).toBe('PAYLOAD_TOO_LARGE');
      const many = new FormData();
      for (let i = 0; i < 4; i++) many.append('files', new Blob(['text']), `${i}.txt`);
      expect((await call('post', '/v1/documents', { key: keys.editorA, form: many })).body.error.code).toBe('TOO_MANY_FILES');
      expect((await call('post', '/v1/search', { body: { text: 'x'.repeat(70_000) } })).body.error.code).toBe('PAYLOAD_TOO_LARGE');
    });

    it('URL ingestion refuses private addresses (in the job)', async () => {
      const r = await call('post', '/v1/ingest/url', { key: keys.editorA, body: { url: `${base}/health`, wait: true } });
      expect(r.status).toBe(200);
      expect(r.body.result.outcomes[0]).toMatchObject({ status: 'failed', code: 'FORBIDDEN_ADDRESS' });
      expect((await call('post', '/v1/ingest/url', { key: keys.editorA, body: { url: 'file:///etc/passwd' } })).status).toBe(400);
    });

    it('imports records with a mapping (REST and GraphQL), and rejects a bad mapping before queueing', async () => {
      const mapping = { label: 'Gadget', key: 'sku', nameField: 'name', properties: { sku: { field: 'sku', type: 'string' }, price: { field: 'price', type: 'float' } } };
      const form = new FormData();
      form.append('mapping', JSON.stringify(mapping));
      form.append('file', new Blob(['sku,name,price\nG1,Widget,9.5\nG2,Sprocket,3\n']), 'gadgets.csv');
      const r = await call('post', '/v1/imports', { key: keys.editorA, form, query: 'wait=true' });
      expect(r.body.status).toBe('succeeded');
      expect(r.body.result).toMatchObject({ file: 'gadgets.csv', rows: 2, created: 2 });
      const bad = new FormData();
      bad.append('mapping', JSON.stringify({ label: 'Gadget' }));
      bad.append('file', new Blob(['sku\nG1\n']), 'g.csv');
      const refused = await call('post', '/v1/imports', { key: keys.editorA, form: bad });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('MAPPING_INVALID');

      const g = await gql(
        'mutation($r: JSON!, $m: JSON!) { importRecords(records: $r, mapping: $m) { id status } }',
        keys.editorA,
        { r: [{ sku: 'G3', name: 'Gizmo', price: 1.25 }], m: mapping },
      );
      expect(g.errors).toBeUndefined();
      await api.jobs.finished(g.data.importRecords.id);
      // The typed schema refreshed after the writes: Gadget is queryable now.
      const typed = await gql('{ gadgets(sort: [{ sku: ASC }]) { sku name price } }');
      expect(typed.data.gadgets).toEqual([
        { sku: 'G1', name: 'Widget', price: 9.5 },
        { sku: 'G2', name: 'Sprocket', price: 3 },
        { sku: 'G3', name: 'Gizmo', price: 1.25 },
      ]);
      expect((await gql('{ gadgets { sku } }', keys.readerB)).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    });

    it('GraphQL ingestText and deleteDocument', async () => {
      const g = await gql('mutation { ingestText(title: "Osprey brief", text: "The Osprey sensor weighs 40 grams.") { id } }', keys.editorA);
      const job = await api.jobs.finished(g.data.ingestText.id);
      expect(job?.status).toBe('succeeded');
      const docId = (job?.result as Json).outcomes[0].documentId as string;
      const found = await gql(`{ document(id: "${docId}") { title source chunkCount chunks { text } } }`);
      expect(found.data.document).toMatchObject({ title: 'Osprey brief', source: 'text:Osprey brief', chunkCount: 1 });
      const del = await gql(`mutation { deleteDocument(id: "${docId}") { deleted } }`, keys.editorA);
      expect(del.data.deleteDocument.deleted).toBe(true);
    });
  });

  describe('the documents table and collections', () => {
    it('pages, searches and sorts documents by a whitelisted key, with names, counts and status', async () => {
      const byName = await call('get', '/v1/documents', { query: `collection=${A}&sort=name&order=asc&limit=5` });
      expect(byName.status).toBe(200);
      const names = byName.body.items.map((d: Json) => d.name as string);
      expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
      expect(byName.body.total).toBeGreaterThan(5);
      expect(byName.body.nextOffset).toBe(5);
      const desc = await call('get', '/v1/documents', { query: `collection=${A}&sort=name&order=desc&limit=1000` });
      expect(desc.body.items.map((d: Json) => d.name).slice(0, 5)).not.toEqual(names);
      expect(desc.body.items.map((d: Json) => d.name).reverse().slice(0, 5)).toEqual(names);
      expect(desc.body.nextOffset).toBeNull();
      // Extraction found entities in the example documents: counted per document, status follows.
      const withEntities = desc.body.items.filter((d: Json) => d.entities > 0);
      expect(withEntities.length).toBeGreaterThan(0);
      for (const d of withEntities) expect(d.status).toBe('extracted');
      const byEntities = await call('get', '/v1/documents', { query: `collection=${A}&sort=entities&order=desc&limit=1000` });
      const counts = byEntities.body.items.map((d: Json) => d.entities as number);
      expect(counts).toEqual([...counts].sort((a, b) => b - a));
      const target = names[0]!;
      const found = await call('get', '/v1/documents', { query: `collection=${A}&q=${encodeURIComponent(target.toUpperCase())}` });
      expect(found.body.items.map((d: Json) => d.name)).toContain(target);
      expect(found.body.total).toBeLessThan(byName.body.total);
      expect((await call('get', '/v1/documents', { query: `collection=${A}&sort=sha256` })).status).toBe(400);
      expect((await call('get', '/v1/documents', { query: `collection=${A}&q=${encodeURIComponent("') RETURN 1 //")}` })).body.total).toBe(0);
    });

    it('names a document by its file when its title says nothing, never by a server path', async () => {
      await app.db.write(
        `CREATE (:Document {id: $c + ':blank', collection: $c, key: 'k', title: 'about:blank', source: '/tmp/tmpq1w2e3/quarterly-report.pdf',
                 mimeType: 'application/pdf', chunkCount: 0, charCount: 0, metadata: '{"pageCount":3}', createdAt: datetime(), updatedAt: datetime()})`,
        { c: C },
      );
      const admin = await call('get', '/v1/documents', { key: keys.admin, query: `collection=${C}` });
      expect(admin.body.items).toEqual([expect.objectContaining({ name: 'quarterly-report.pdf', pages: 3, status: 'empty', entities: 0 })]);
    });

    it('lets an admin create and delete collections; others may not', async () => {
      const name = `${C}-new`;
      expect((await call('post', '/v1/collections', { key: keys.editorA, body: { name } })).status).toBe(403);
      const made = await call('post', '/v1/collections', { key: keys.admin, body: { name } });
      expect(made.status).toBe(201);
      expect(made.body).toEqual({ collection: name, created: true });
      expect((await call('post', '/v1/collections', { key: keys.admin, body: { name } })).body.created).toBe(false);
      expect((await call('get', '/v1/collections', { key: keys.admin })).body.collections).toContain(name);
      expect((await call('post', '/v1/collections', { key: keys.admin, body: { name: '@graph' } })).status).toBe(400);
      expect((await call('delete', '/v1/collections/{name}', { key: keys.editorA, params: { name: A } })).status).toBe(403);
      const gone = await call('delete', '/v1/collections/{name}', { key: keys.admin, params: { name } });
      expect(gone.body).toEqual({ collection: name, deleted: true, nodes: 0 });
      expect((await call('get', '/v1/collections', { key: keys.admin })).body.collections).not.toContain(name);
      // A collection with content goes whole: its documents are no longer listed.
      const full = await call('delete', '/v1/collections/{name}', { key: keys.admin, params: { name: C } });
      expect(full.body.nodes).toBeGreaterThan(0);
      expect((await call('get', '/v1/documents', { key: keys.admin, query: `collection=${C}` })).body.total).toBe(0);
      expect((await call('delete', '/v1/collections/{name}', { key: keys.admin, params: { name: C } })).status).toBe(404);
    });
  });

  describe('limits and errors', () => {
    it('GraphQL depth and cost limits', async () => {
      const deep = await gql('{ tasks { assignedTo { tasksAssignedTo { assignedTo { tasksAssignedTo { assignedTo { tasksAssignedTo { assignedTo { name } } } } } } } } }');
      expect(deep.errors[0].message).toMatch(/depth/i);
      const aliases = Array.from({ length: 20 }, (_, i) => `a${i}: stats { collection }`).join(' ');
      expect((await gql(`{ ${aliases} }`)).errors[0].message).toMatch(/alias/i);
    });

    it('validation errors are INVALID_INPUT with the field named', async () => {
      const r = await call('post', '/v1/search', { body: { text: 'x', k: 100000 } });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'INVALID_INPUT' });
      expect(r.body.error.message).toContain('k');
      expect((await call('post', '/v1/search', { body: '{not json' })).body.error.code).toBe('INVALID_INPUT');
    });

    it('rate limits per key and times requests out', async () => {
      // Two more servers on the same database: one with a small allowance, one with a tiny timeout.
      const strict = await createApi(app, { jobsDir: path.join(home, 'jobs-strict'), runJobs: false, config: { ...app.config.api, rateLimitPerMinute: 10 } });
      const hasty = await createApi(app, { jobsDir: path.join(home, 'jobs-strict'), runJobs: false, config: { ...app.config.api, requestTimeoutMs: 30 } });
      const url = (await strict.listen(0, '127.0.0.1')).url;
      const hastyUrl = (await hasty.listen(0, '127.0.0.1')).url;
      // Fresh keys: counters live in the database, where the other tests' requests counted too.
      const store = new KeyStore(app.db);
      const fresh = (await store.create({ name: 'strict A', role: 'reader', collections: [A] })).key;
      const other = (await store.create({ name: 'strict B', role: 'reader', collections: [B] })).key;
      try {
        const get = (key: string) => fetch(`${url}/v1/collections`, { headers: { authorization: `Bearer ${key}` } });
        for (let i = 0; i < 10; i++) expect((await get(fresh)).status).toBe(200);
        const limited = await get(fresh);
        expect(limited.status).toBe(429);
        expect(((await limited.json()) as Json).error.code).toBe('RATE_LIMITED');
        // Another key has its own budget.
        expect((await get(other)).status).toBe(200);
        const slow = await fetch(`${hastyUrl}/v1/ask`, {
          method: 'POST',
          headers: { authorization: `Bearer ${keys.editorA}`, 'content-type': 'application/json' },
          body: JSON.stringify({ question: 'Who leads the ingestion service and what did the memo say about it?' }),
        });
        expect(slow.status).toBe(503);
        expect(((await slow.json()) as Json).error.code).toBe('REQUEST_TIMEOUT');
      } finally {
        await strict.close();
        await hasty.close();
      }
    });

    it('refuses to start open to anyone', async () => {
      const open = { ...app.config.api, auth: 'disabled' as const };
      const none = { hasActiveKeys: async () => false, location: 'an empty key store' };
      await expect(checkExposure(open, none, '0.0.0.0')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      await expect(checkExposure(open, none, '127.0.0.1')).resolves.toBeUndefined();
      await expect(checkExposure(app.config.api, none, '127.0.0.1')).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
      await expect(checkExposure(app.config.api, new KeyStore(app.db), '127.0.0.1')).resolves.toBeUndefined();
    });

    it('resumes a job that a shutdown interrupted, in another worker', async () => {
      const dir = path.join(home, 'jobs-resume');
      // Only this test's workers take jobs now: the server's own worker stops at its close below.
      // Jobs other tests left in the shared queue are finished at once; this one never ends.
      const id = api.jobs.newId();
      const first = new JobQueue(app.db, dir, (j) => (j.id === id ? new Promise(() => undefined) : Promise.resolve({})), silentLogger());
      await api.jobs.close(60_000);
      await first.open();
      const job = await first.submit({ id, kind: 'ingest', collection: A, owner: 'k', spec: { sources: [{ name: 'x' }] } });
      await vi.waitFor(async () => expect((await first.get(job.id))?.status).toBe('running'), { timeout: 30_000, interval: 100 });
      expect(await first.close(50)).toBe(false);
      const seen: number[] = [];
      const second = new JobQueue(app.db, dir, async (j) => {
        if (j.id === id) seen.push(j.attempts);
        return { ok: true };
      }, silentLogger());
      await second.open();
      const done = await second.finished(job.id);
      await second.close(1000);
      expect(done).toMatchObject({ status: 'succeeded', attempts: 2, result: { ok: true } });
      expect(seen).toEqual([2]);
    });

    it('unexpected errors are masked for clients', () => {
      const { status, body } = toErrorResponse(new Error('password=hunter2 at /srv/secret'), silentLogger(), 'rid');
      expect(status).toBe(500);
      expect(body.error).toEqual({ code: 'INTERNAL', message: 'An unexpected error occurred; it has been logged.', requestId: 'rid' });
    });
  });
});
