import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kgrag } from '../../src/app.ts';
import { listDocuments } from '../../src/graph/documents.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';
import { makeEncryptedPdf } from '../fixtures/pdf.ts';

const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);

describe('bad input in a batch', () => {
  let app: Kgrag;
  const collection = uniqueCollection('bad');
  const junk = new Uint8Array(4096);
  for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 256;
  const files = tempFiles({
    'good.md': '# Good document\n\nThe quarterly review found that the pump station needs new valves.\n',
    'empty.txt': '',
    'picture.png': PNG,
    'junk.bin': junk,
    'broken.pdf': '%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF-truncated',
    'big.txt': 'All work and no play makes Jack a dull boy. '.repeat(200),
    'latin1.txt': Uint8Array.from([...Buffer.from('Caf'), 0xe9, ...Buffer.from(' au lait, cr'), 0xe8, ...Buffer.from('me br'), 0xfb, ...Buffer.from('l'), 0xe9, 0x0a]),
  });

  beforeAll(async () => {
    // A small size limit so that big.txt (8.8 kB) is over it.
    app = await openTestApp((c) => {
      c.ingest.maxFileBytes = 4000;
    });
  });
  afterAll(async () => {
    await dropCollections(app, [collection]);
    await app.close();
    files.cleanup();
  });

  it('reports each bad file with a clear reason, ingests the good one, and writes nothing for the rest', async () => {
    const encrypted = tempFiles({ 'secret.pdf': await makeEncryptedPdf() });
    try {
      const summary = await ingestInto(app, [files.dir, encrypted.path('secret.pdf'), files.path('does-not-exist.pdf')], { collection });
      expect(summary.documents).toBe(1);
      const failures: Record<string, { code: string; error: string }> = {};
      for (const o of summary.outcomes) if (o.status === 'failed') failures[o.source.split('/').pop()!] = o;
      expect(failures['empty.txt']).toMatchObject({ code: 'EMPTY_DOCUMENT' });
      expect(failures['picture.png']).toMatchObject({ code: 'CORRUPT_FILE' });
      expect(failures['junk.bin']).toMatchObject({ code: 'UNSUPPORTED_TYPE' });
      expect(failures['broken.pdf']).toMatchObject({ code: 'CORRUPT_FILE' });
      expect(failures['big.txt']).toMatchObject({ code: 'TOO_LARGE' });
      expect(failures['latin1.txt']).toMatchObject({ code: 'BAD_ENCODING' });
      expect(failures['secret.pdf']).toMatchObject({ code: 'ENCRYPTED_FILE' });
      expect(failures['does-not-exist.pdf']).toMatchObject({ code: 'NOT_FOUND' });
      expect(summary.failed).toBe(8);
      for (const f of Object.values(failures)) expect(f.error.length).toBeGreaterThan(10);

      const docs = await listDocuments(app.db, [collection]);
      expect(docs.map((d) => d.title)).toEqual(['Good document']);
    } finally {
      encrypted.cleanup();
    }
  });

  describe('URLs', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      server = createServer((req, res) => {
        if (req.url === '/article') {
          res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
          res.end('<html><head><title>Local article</title></head><body><main><h1>Local article</h1><p>Hydrogen fuel cells power the new city buses.</p></main></body></html>');
        } else if (req.url === '/moved') {
          res.writeHead(302, { location: '/article' });
          res.end();
        } else {
          res.writeHead(404);
          res.end('not here');
        }
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('refuses private addresses by default', async () => {
      const summary = await ingestInto(app, [`${base}/article`], { collection });
      expect(summary.outcomes).toEqual([expect.objectContaining({ status: 'failed', code: 'FORBIDDEN_ADDRESS' })]);
    });

    it('ingests a URL, following redirects, when private addresses are allowed', async () => {
      const local = await openTestApp((c) => {
        c.ingest.allowPrivateUrls = true;
      });
      try {
        const ok = await ingestInto(local, [`${base}/moved`], { collection });
        expect(ok.documents).toBe(1);
        expect(ok.outcomes[0]).toMatchObject({ status: 'ingested', title: 'Local article', source: `${base}/article` });
        const missing = await ingestInto(local, [`${base}/nothing`], { collection });
        expect(missing.outcomes[0]).toMatchObject({ status: 'failed', code: 'FETCH_FAILED' });
      } finally {
        await local.close();
      }
    });
  });
});
