import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { KeyStore } from '../../src/api/auth/keys.ts';
import { createApi, type Api } from '../../src/api/server.ts';
import { listDocuments } from '../../src/graph/documents.ts';
import { dropCollections, openTestApp, uniqueCollection } from '../helpers.ts';
import { paragraph, wordDocument } from '../../scripts/attack/zip.ts';

/**
 * Hostile and malformed requests against the real server (issue 17): every one is a 4xx with a
 * stable code, never a 500, and a hostile document fails alone while the rest of its batch goes on.
 */
type Json = Record<string, any>;

describe('hostile input over HTTP', () => {
  let app: Kgrag;
  let api: Api;
  let base: string;
  const C = uniqueCollection('hostile');
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-hostile-'));
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    app = await openTestApp((c) => {
      c.api = { ...c.api, keysFile: path.join(home, 'keys.json'), rateLimitPerMinute: 30, authFailuresPerMinute: 5 };
    });
    const store = new KeyStore(app.db);
    for (const name of ['editor', 'reader', 'searcher', 'asker']) {
      keys[name] = (await store.create({ name, role: name === 'editor' ? 'editor' : 'reader', collections: [C] })).key;
    }
    api = await createApi(app, { jobsDir: path.join(home, 'jobs') });
    base = (await api.listen(0, '127.0.0.1')).url;
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    await dropCollections(app, [C]);
    await app.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function send(pathname: string, init: RequestInit & { key?: string | null } = {}): Promise<{ status: number; body: Json; headers: Headers }> {
    const headers = new Headers(init.headers);
    if (init.key !== null) headers.set('authorization', `Bearer ${init.key ?? keys.reader}`);
    const res = await fetch(`${base}${pathname}`, { ...init, headers });
    const text = await res.text();
    let body: Json = { text };
    try {
      body = JSON.parse(text) as Json;
    } catch {
      // not JSON
    }
    return { status: res.status, body, headers: res.headers };
  }

  const searchBody = JSON.stringify({ text: 'valves', mode: 'fulltext' });

  it('refuses a body that does not match its Content-Encoding with 415 BAD_CONTENT_ENCODING, on REST and GraphQL', async () => {
    for (const encoding of ['gzip', 'deflate']) {
      const rest = await send('/v1/search', { method: 'POST', body: searchBody, headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
      expect([rest.status, rest.body.error?.code]).toEqual([415, 'BAD_CONTENT_ENCODING']);
      const gql = await send('/graphql', { method: 'POST', body: JSON.stringify({ query: '{ collections }' }), headers: { 'content-type': 'application/json', 'content-encoding': encoding } });
      expect([gql.status, gql.body.error?.code]).toEqual([415, 'BAD_CONTENT_ENCODING']);
    }
    const unknown = await send('/v1/search', { method: 'POST', body: searchBody, headers: { 'content-type': 'application/json', 'content-encoding': 'zstd-nonsense' } });
    expect([unknown.status, unknown.body.error?.code]).toEqual([415, 'BAD_CONTENT_ENCODING']);
  });

  it('refuses an unsupported charset and malformed JSON with stable codes', async () => {
    const charset = await send('/v1/search', { method: 'POST', body: searchBody, headers: { 'content-type': 'application/json; charset=ebcdic-nonsense' } });
    expect([charset.status, charset.body.error?.code]).toEqual([415, 'UNSUPPORTED_CHARSET']);
    const json = await send('/v1/search', { method: 'POST', body: '{"text": "valves",', headers: { 'content-type': 'application/json' } });
    expect([json.status, json.body.error?.code]).toEqual([400, 'INVALID_INPUT']);
    expect(json.body.error?.message).toMatch(/not valid JSON/);
  });

  it('refuses NUL bytes and path steps in upload names, and malformed multipart bodies', async () => {
    for (const name of ['evil\u0000.md', 'evil\u0001.md']) {
      const form = new FormData();
      form.append('files', new Blob(['# Hello\n\nText.\n']), name);
      const res = await send(`/v1/documents?collection=${C}`, { method: 'POST', body: form, key: keys.editor });
      // A NUL may already break the part header (busboy), which is a malformed body then.
      expect(res.status, name).toBe(400);
      expect(['BAD_FILE_NAME', 'MALFORMED_MULTIPART'], name).toContain(res.body.error?.code);
    }
    const broken = await send(`/v1/documents?collection=${C}`, {
      method: 'POST',
      body: '--XYZ\r\nContent-Disposition: form-data; name="files"; filename="a.md"\r\n\r\nno closing boundary',
      headers: { 'content-type': 'multipart/form-data; boundary=XYZ' },
      key: keys.editor,
    });
    expect([broken.status, broken.body.error?.code]).toEqual([400, 'MALFORMED_MULTIPART']);
    expect(await api.jobs.list([C])).toEqual([]);
  });

  it('refuses a forged GraphQL cursor (offset 1e300) as invalid input', async () => {
    const after = Buffer.from('1e300').toString('base64url');
    const res = await send('/graphql', { method: 'POST', body: JSON.stringify({ query: `{ documents(after: "${after}") { nodes { id } } }` }), headers: { 'content-type': 'application/json' } });
    expect(res.status).toBe(200);
    expect(res.body.errors?.[0]?.extensions?.code).toBe('INVALID_INPUT');
  });

  it('refuses 15 aliased ask fields in one request before running any', async () => {
    const fields = Array.from({ length: 15 }, (_, i) => `a${i}: ask(question: "What needs new valves?") { answer }`).join(' ');
    const res = await send('/graphql', { method: 'POST', body: JSON.stringify({ query: `{ ${fields} }` }), headers: { 'content-type': 'application/json' } });
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.code).toBe('QUERY_TOO_EXPENSIVE');
  });

  it('counts work, not requests: a search costs 3 of the 30 units a minute', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      statuses.push((await send('/v1/search', { method: 'POST', body: searchBody, headers: { 'content-type': 'application/json' }, key: keys.searcher })).status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 200)).toBe(true);
    expect(statuses[10]).toBe(429);
  });

  it('serves no source maps and reflects no foreign Origin on /graphql', async () => {
    const map = await send('/app.js.map', { key: null });
    expect(map.status).toBe(404);
    const preflight = await fetch(`${base}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    expect(preflight.headers.get('access-control-allow-origin')).toBeNull();
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
  });

  it('fails a decompression bomb and 40,000 nested divs alone, and ingests the good file of the same batch', async () => {
    const form = new FormData();
    form.append('files', new Blob([new Uint8Array(wordDocument(paragraph('Never read.'), { padding: 300 * 1024 * 1024 }))]), 'bomb.docx');
    form.append('files', new Blob([`<html><body>${'<div>'.repeat(40_000)}deep${'</div>'.repeat(40_000)}</body></html>`]), 'deep.html');
    form.append('files', new Blob(['# Pump station\n\nThe pump station needs new valves before the summer.\n']), 'good.md');
    const submitted = await send(`/v1/documents?collection=${C}`, { method: 'POST', body: form, key: keys.editor });
    expect(submitted.status).toBeLessThan(300);
    const job = (await api.jobs.finished(submitted.body.id))!;
    expect(job.status).toBe('succeeded');
    const outcomes = (job.result as { outcomes: Array<{ status: string; source: string; code?: string }> }).outcomes;
    const bySource = Object.fromEntries(outcomes.map((o) => [o.source.replace(/^upload:/, ''), o.status === 'failed' ? o.code : o.status]));
    expect(bySource).toEqual({ 'bomb.docx': 'LIMIT_EXCEEDED', 'deep.html': 'LIMIT_EXCEEDED', 'good.md': 'ingested' });
    expect((await listDocuments(app.db, [C])).map((d) => d.title)).toEqual(['Pump station']);
  }, 300_000);
  // Last: once over the limit, the address is locked out for the rest of the minute, valid keys included.
  it('rate-limits failed authentications per address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) statuses.push((await send('/v1/collections', { key: `kg_wrong_${i}` })).status);
    // At most 5 failures a minute (an earlier test's preflight without a key may have counted).
    const first = statuses.indexOf(429);
    expect(first).toBeGreaterThan(0);
    expect(first).toBeLessThanOrEqual(5);
    expect(statuses.slice(0, first).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(first).every((s) => s === 429)).toBe(true);
    // The address is locked out, whatever key it presents next.
    expect((await send('/v1/collections', { key: keys.reader })).status).toBe(429);
  });
});
