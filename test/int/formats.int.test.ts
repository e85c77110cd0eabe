import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { retrieverOf } from '../../src/app.ts';
import { documentId } from '../../src/domain/ids.ts';
import { ModelMismatchError } from '../../src/errors.ts';
import { getDocument, listDocuments } from '../../src/graph/documents.ts';
import { applySchema } from '../../src/graph/schema.ts';
import { REPORT_DOCX, makeReportDocx } from '../fixtures/docx.ts';
import { REPORT_HEADER, REPORT_RISKS, REPORT_TITLE, makeReportPdf } from '../fixtures/pdf.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

const JSONL = [
  { id: 'kb-1', title: 'Resetting a password', text: 'Open the account page and choose "Forgot password". A reset link arrives by email within five minutes.', product: 'portal', version: 3 },
  { id: 'kb-2', title: 'Exporting invoices', text: 'Invoices can be exported as CSV or PDF from the billing tab. Exports cover at most twelve months.', product: 'billing' },
  'this line is not JSON',
  { id: 'kb-3', title: 'No text field here' },
]
  .map((r) => (typeof r === 'string' ? r : JSON.stringify(r)))
  .join('\n');

describe('PDF, DOCX and JSON Lines through the whole pipeline', () => {
  let app: Kgrag;
  const collection = uniqueCollection('fmt');
  let files: ReturnType<typeof tempFiles>;

  beforeAll(async () => {
    app = await openTestApp();
    files = tempFiles({ 'report.pdf': await makeReportPdf(), 'review.docx': await makeReportDocx(), 'kb.jsonl': JSONL });
  });
  afterAll(async () => {
    await dropCollections(app, [collection]);
    await app.close();
    files.cleanup();
  });

  it('ingests them, reporting the bad JSON Lines records by line and loading the good ones', async () => {
    const summary = await ingestInto(app, [files.dir], { collection });
    expect(summary.documents).toBe(4);
    const failed = summary.outcomes.filter((o) => o.status === 'failed');
    expect(failed).toHaveLength(2);
    expect(failed.map((f) => f.status === 'failed' && f.error).join('\n')).toMatch(/line 3[\s\S]*line 4/);
    const titles = (await listDocuments(app.db, [collection])).map((d) => d.title).sort();
    expect(titles).toEqual(['Exporting invoices', 'Pump Station Review', REPORT_TITLE, 'Resetting a password']);
  });

  it('cites PDF passages with the page they are on, without running headers', async () => {
    const hits = await retrieverOf(app).search('fuel price risk hedged by the finance team', { collections: [collection], k: 3 });
    expect(hits[0]).toMatchObject({ title: REPORT_TITLE, page: 3, source: files.path('report.pdf') });
    expect(hits[0]!.text).toContain(REPORT_RISKS.slice(0, 40));
    const detail = await getDocument(app.db, documentId(collection, files.path('report.pdf')), [collection]);
    expect(detail!.chunks.some((c) => c.text.includes(REPORT_HEADER))).toBe(false);
    expect(new Set(detail!.chunks.map((c) => c.page))).toEqual(new Set([1, 2, 3]));
  });

  it('keeps DOCX headings as the heading path of its chunks', async () => {
    const hits = await retrieverOf(app).search('intake valves pressure sensors', { collections: [collection], k: 1 });
    expect(hits[0]?.title).toBe(REPORT_DOCX.title);
    const detail = await getDocument(app.db, hits[0]!.documentId, [collection]);
    const chunk = detail!.chunks.find((c) => c.id === hits[0]!.chunkId)!;
    expect(chunk.headingPath).toContain(REPORT_DOCX.section);
  });

  it('addresses JSON Lines records by their own id and keeps their fields as metadata', async () => {
    const detail = await getDocument(app.db, documentId(collection, 'kb-1'), [collection]);
    expect(detail?.document).toMatchObject({ title: 'Resetting a password', source: `${files.path('kb.jsonl')}#kb-1` });
    expect(detail?.document.metadata).toMatchObject({ product: 'portal', version: 3 });
    const hits = await retrieverOf(app).search('how do I export my bills', { collections: [collection], k: 1, mode: 'vector' });
    expect(hits[0]?.title).toBe('Exporting invoices');
  });

  it('refuses to mix embeddings of another model into the same index', async () => {
    const current = { model: app.embedder!.modelId, dimension: app.embedder!.dimension };
    await expect(applySchema(app.db, { model: 'some-other-model', dimension: 768 }, app.logger)).rejects.toThrow(ModelMismatchError);
    await expect(applySchema(app.db, { model: 'some-other-model', dimension: 768 }, app.logger)).rejects.toThrow(
      /holds \d+ chunks embedded with "all-MiniLM-L6-v2"/,
    );
    // Nothing was changed by the refused attempt.
    await applySchema(app.db, current, app.logger);
    const hits = await retrieverOf(app).search('reset link by email', { collections: [collection], k: 1, mode: 'vector' });
    expect(hits[0]?.title).toBe('Resetting a password');
  });
});
