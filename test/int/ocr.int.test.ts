import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import PDFDocument from 'pdfkit';
import UTIF from 'utif2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { retrieverOf } from '../../src/app.ts';
import { getDocument } from '../../src/graph/documents.ts';
import { loadSource } from '../../src/ingest/load.ts';
import { closeOcr, languageFolder, tidyOcrText } from '../../src/ingest/ocr.ts';
import type { IngestSummary } from '../../src/ingest/pipeline.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

/**
 * OCR end to end against the real database: images in English and Chinese, a TIFF, and a PDF whose
 * second page is a scan are ingested and found by search; a corrupt image fails alone. The images
 * are committed fixtures (test/fixtures/ocr, made by scripts/make-ocr-fixtures.ts), so no font is needed.
 */

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/ocr');
const BIN = path.resolve(import.meta.dirname, '../../scripts/kgrag.mjs');
const fixture = (name: string) => readFileSync(path.join(FIXTURES, name));

/** A TIFF of a PNG fixture (utif2 writes uncompressed RGBA). */
async function tiffOf(png: Buffer): Promise<Uint8Array> {
  const image = await loadImage(png);
  const canvas = createCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(image, 0, 0);
  const rgba = ctx.getImageData(0, 0, image.width, image.height).data;
  return new Uint8Array(UTIF.encodeImage(new Uint8Array(rgba.buffer), image.width, image.height));
}

/** Page 1 has a text layer; page 2 is only a picture of text, like a scanned sheet. */
function mixedPdf(scan: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({ size: 'A4', margin: 72, info: { Title: 'Turbine report', CreationDate: new Date('2024-03-15T09:30:00Z') } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    doc.font('Helvetica').fontSize(12).text('The turbine report summarises the spring maintenance of the Halvorsen plant.');
    doc.addPage();
    doc.image(scan, 40, 60, { width: 515 });
    doc.end();
  });
}

describe('OCR ingest', () => {
  let app: Kgrag;
  let summary: IngestSummary;
  const collection = uniqueCollection('ocr');
  let files: ReturnType<typeof tempFiles>;

  beforeAll(async () => {
    app = await openTestApp();
    files = tempFiles({
      'invoice.png': fixture('en.png'),
      'port.png': fixture('zh.png'),
      'appendix.tiff': await tiffOf(fixture('scan.png')),
      'report.pdf': await mixedPdf(fixture('scan.png')),
      'broken.jpg': Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 0xff, 0xdb, 1, 2, 3]),
    });
    summary = await ingestInto(app, [files.dir], { collection });
  }, 300_000);

  afterAll(async () => {
    await closeOcr();
    await dropCollections(app, [collection]);
    await app.close();
    files.cleanup();
  });

  const outcome = (name: string) => summary.outcomes.find((o) => o.source.endsWith(name))!;
  const search = (text: string) => retrieverOf(app).search(text, { collections: [collection], k: 5, mode: 'fulltext' });

  it('fails the corrupt image alone, with CORRUPT_FILE, and ingests the rest', () => {
    expect(outcome('broken.jpg')).toMatchObject({ status: 'failed', code: 'CORRUPT_FILE' });
    for (const name of ['invoice.png', 'port.png', 'appendix.tiff', 'report.pdf']) expect(outcome(name).status).toBe('ingested');
  });

  it('finds English text of a PNG by search, with OCR confidence on the chunk and document', async () => {
    const [hit] = await search('Brightwater Logistics Rotterdam');
    expect(hit?.source).toMatch(/invoice\.png$/);
    expect(hit?.text).toMatch(/Invoice 4471 from Brightwater Logistics/);
    const detail = (await getDocument(app.db, hit!.documentId, [collection]))!;
    expect(detail.document.mimeType).toBe('image/png');
    expect(detail.document.metadata).toMatchObject({ ocr: true, ocrPages: 1 });
    const chunk = detail.chunks[0] as unknown as { ocrConfidence: number; ocrLowConfidence: boolean };
    expect(chunk.ocrConfidence).toBeGreaterThan(0.6);
    expect(chunk.ocrLowConfidence).toBe(false);
  });

  it('finds Chinese text of a PNG by search, without spaces between the characters', async () => {
    const [hit] = await search('集装箱吞吐量');
    expect(hit?.source).toMatch(/port\.png$/);
    expect(hit?.text).toContain('青岛港的集装箱吞吐量在去年增长了百分之八');
  });

  it('reads a TIFF', async () => {
    const [hit] = await search('Halvorsen vibration');
    expect([hit?.source]).toEqual(expect.arrayContaining([expect.stringMatching(/appendix\.tiff$|report\.pdf$/)]));
    const tiff = (await search('vibration test third week')).find((h) => h.source.endsWith('appendix.tiff'));
    expect(tiff?.text).toMatch(/failed its vibration test in the third week/);
  });

  it('reads a mixed PDF: the text layer of page 1 and the scan of page 2, in page order', async () => {
    const loaded = [];
    for await (const o of loadSource(files.path('report.pdf'), { maxFileBytes: 10_000_000, fetchTimeoutMs: 1000, allowPrivateUrls: false })) loaded.push(o);
    const doc = loaded[0]!.ok ? loaded[0]!.doc : undefined;
    const [first, ...scan] = doc!.blocks;
    expect([first!.page, first!.ocrConfidence, first!.text]).toEqual([1, undefined, 'The turbine report summarises the spring maintenance of the Halvorsen plant.']);
    expect(scan.length).toBeGreaterThan(0);
    expect(scan.every((b) => b.page === 2 && b.ocrConfidence! > 0.6)).toBe(true);
    expect(scan.map((b) => b.text).join(' ')).toBe('Scanned appendix The Halvorsen turbine failed its vibration test in the third week.');
    const scanned = (await search('vibration test third week')).find((h) => h.source.endsWith('report.pdf'));
    const detail = (await getDocument(app.db, scanned!.documentId, [collection]))!;
    expect(detail.document.metadata).toMatchObject({ pageCount: 2, ocr: true, ocrPages: 1 });
    const chunk = detail.chunks.find((c) => c.text.includes('vibration test')) as unknown as { ocrConfidence: number | null };
    expect(chunk.ocrConfidence).toBeGreaterThan(0.6);
  });

  it('reads images again after its model links were left dangling (a moved checkout, a half-cleaned tmp folder)', async () => {
    await closeOcr();
    const dir = languageFolder();
    for (const lang of ['eng', 'chi_sim']) {
      rmSync(path.join(dir, `${lang}.traineddata.gz`), { force: true });
      symlinkSync(path.join(dir, 'gone', `${lang}.traineddata.gz`), path.join(dir, `${lang}.traineddata.gz`));
    }
    const loaded = [];
    for await (const o of loadSource(files.path('invoice.png'), { maxFileBytes: 10_000_000, fetchTimeoutMs: 1000, allowPrivateUrls: false })) loaded.push(o);
    expect(loaded[0]!.ok).toBe(true);
  });

  it('is found by `kgrag search` on the command line', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, [BIN, 'search', 'Brightwater invoice', '--collection', collection, '--json', '--mode', 'fulltext'], {
      maxBuffer: 8 * 1024 * 1024,
    });
    const results = (JSON.parse(stdout) as { results: Array<{ source: string }> }).results;
    expect(results[0]?.source).toMatch(/invoice\.png$/);
  }, 180_000);
});

describe('tidyOcrText', () => {
  it('removes the spaces tesseract puts between Chinese characters and keeps those between words', () => {
    expect(tidyOcrText('青 岛 港 的 集 装 箱\n吞 吐 量 在 2023 年')).toBe('青岛港的集装箱吞吐量在 2023 年');
    expect(tidyOcrText('The ceramic valves\narrived in Rot-\nterdam')).toBe('The ceramic valves arrived in Rotterdam');
  });
});
