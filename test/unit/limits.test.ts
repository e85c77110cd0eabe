import { describe, expect, it } from 'vitest';
import { openRecords } from '../../src/import/readers.ts';
import { loadSource } from '../../src/ingest/load.ts';
import { tempFiles } from '../helpers.ts';
import { buildZip, paragraph, wordDocument } from '../../scripts/attack/zip.ts';

const OPTIONS = { maxFileBytes: 50 * 1024 * 1024, fetchTimeoutMs: 1000, allowPrivateUrls: false };

async function loadOne(file: string) {
  const outcomes = [];
  for await (const o of loadSource(file, OPTIONS)) outcomes.push(o);
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

describe('resource limits of one document', () => {
  const files = tempFiles({
    // 300 MB of whitespace in word/document.xml: about 300 kB on disk.
    'bomb.docx': wordDocument(paragraph('Never read.'), { padding: 300 * 1024 * 1024 }),
    // Declares 1 kB for a 5 MB part: only inflating it can tell.
    'liar.docx': wordDocument(paragraph('Lies about its size.'), { padding: 5 * 1024 * 1024, declaredSize: 1024 }),
    'entities.docx': wordDocument(paragraph('&lol;'), { prolog: '<!DOCTYPE w:document [<!ENTITY lol "lol">]>' }),
    'fine.docx': wordDocument(paragraph('The pump station needs new valves.')),
    // A workbook whose sheet inflates to 300 MB.
    'bomb.xlsx': buildZip([{ name: 'xl/worksheets/sheet1.xml', data: Buffer.alloc(300 * 1024 * 1024, 0x20) }]),
    'deep.html': `<html><body>${'<div>'.repeat(40_000)}deep${'</div>'.repeat(40_000)}</body></html>`,
    'shallow.html': `<html><body>${'<div>'.repeat(50)}<p>Nested fifty deep, still fine.</p>${'</div>'.repeat(50)}</body></html>`,
  });

  it('refuses a decompression bomb by its declared size before inflating it', async () => {
    const outcome = await loadOne(files.path('bomb.docx'));
    expect(outcome.ok).toBe(false);
    if (!outcome.ok) {
      expect(outcome.error.code).toBe('LIMIT_EXCEEDED');
      expect(outcome.error.message).toMatch(/word\/document\.xml/);
    }
  });

  it('refuses a spreadsheet bomb before exceljs inflates it', async () => {
    await expect(openRecords(files.path('bomb.xlsx'))).rejects.toMatchObject({ code: 'LIMIT_EXCEEDED' });
  });

  it('refuses an entry that inflates past the size its header declares', async () => {
    const outcome = await loadOne(files.path('liar.docx'));
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('LIMIT_EXCEEDED');
    if (!outcome.ok) expect(outcome.error.message).toMatch(/more than its declared/);
  });

  it('refuses XML with a DTD (entity expansion)', async () => {
    const outcome = await loadOne(files.path('entities.docx'));
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('LIMIT_EXCEEDED');
  });

  it('still reads a normal document', async () => {
    const outcome = await loadOne(files.path('fine.docx'));
    expect(outcome.ok && outcome.doc.blocks.map((b) => b.text)).toEqual(['The pump station needs new valves.']);
  });

  it('refuses HTML nested 40,000 deep with a limit error, not a stack overflow', async () => {
    const outcome = await loadOne(files.path('deep.html'));
    expect(outcome.ok ? 'ok' : outcome.error.code).toBe('LIMIT_EXCEEDED');
    if (!outcome.ok) expect(outcome.error.message).toMatch(/nested more than 512 deep/);
    const fine = await loadOne(files.path('shallow.html'));
    expect(fine.ok && fine.doc.blocks.map((b) => b.text)).toEqual(['Nested fifty deep, still fine.']);
  });
});
