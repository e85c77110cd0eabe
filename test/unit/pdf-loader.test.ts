import { beforeAll, describe, expect, it } from 'vitest';
import type { Block } from '../../src/domain/types.ts';
import { LoadError } from '../../src/errors.ts';
import { loadPdf, normalisePdfText, type PdfLoadResult } from '../../src/ingest/loaders/pdf.ts';
import {
  ARTICLE_PARAGRAPHS,
  ARTICLE_TITLE,
  LEFT_COLUMN,
  REPORT_AFTER_LIST,
  REPORT_BULLETS,
  REPORT_CAPACITY,
  REPORT_HYPHENATED,
  REPORT_LIST_INTRO,
  REPORT_OUTLOOK,
  REPORT_PAGE2,
  REPORT_RISKS,
  REPORT_SUMMARY,
  REPORT_TITLE,
  RIGHT_COLUMN,
  TWO_COLUMN_CLOSING,
  TWO_COLUMN_TITLE,
  makeArticlePdf,
  makeEncryptedPdf,
  makeImageOnlyPdf,
  makeLongPdf,
  makePlainPdf,
  makeReportPdf,
  makeTwoColumnPdf,
} from '../fixtures/pdf.ts';

const load = (bytes: Uint8Array, name = 'test.pdf'): Promise<PdfLoadResult> =>
  loadPdf(bytes, { source: `/docs/${name}`, fallbackTitle: name.replace(/\.pdf$/, '') });

const blockWith = (blocks: Block[], text: string): Block | undefined => blocks.find((b) => b.text === text);

async function loadError(bytes: Uint8Array, name: string): Promise<LoadError> {
  const err: unknown = await load(bytes, name).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LoadError);
  return err as LoadError;
}

describe('loadPdf on a multi-page report', () => {
  let bytes: Buffer;
  let result: PdfLoadResult;
  beforeAll(async () => {
    bytes = await makeReportPdf();
    result = await load(bytes, 'report.pdf');
  });

  it('takes the title and metadata from the document info', () => {
    expect(result.title).toBe(REPORT_TITLE);
    expect(result.pageCount).toBe(3);
    expect(result.metadata).toEqual({
      author: 'Jane Analyst',
      subject: 'Operations review Q3',
      keywords: 'logistics, warehouses, fleet',
      creationDate: '2024-03-15T09:30:00.000Z',
      pageCount: 3,
    });
  });

  it('rebuilds whole paragraphs from lines wrapped by the layout', () => {
    for (const text of [REPORT_SUMMARY, REPORT_CAPACITY, REPORT_PAGE2, REPORT_OUTLOOK, REPORT_RISKS]) {
      expect(blockWith(result.blocks, text), text).toMatchObject({ kind: 'paragraph' });
    }
  });

  it('repairs words hyphenated at a line break but keeps "COVID-19"', () => {
    const block = blockWith(result.blocks, REPORT_HYPHENATED);
    expect(block).toBeDefined();
    expect(block?.text).toContain('performance information weekly');
    expect(block?.text).toContain('COVID-19 fell');
  });

  it('drops the running header, the "Page N of M" footer and nothing else', () => {
    const all = result.blocks.map((b) => b.text).join('\n');
    expect(all).not.toContain('ACME');
    expect(all).not.toContain('Confidential');
    expect(all).not.toMatch(/Page \d/);
    expect(result.blocks).toHaveLength(15);
  });

  it('turns larger type into heading blocks with levels and heading paths', () => {
    const headings = result.blocks.filter((b) => b.kind === 'heading').map((b) => [b.text, b.level, b.page]);
    expect(headings).toEqual([
      [REPORT_TITLE, 1, 1],
      ['Summary', 2, 1],
      ['Logistics', 2, 1],
      ['Warehouse Capacity', 3, 1],
      ['Outlook', 2, 2],
      ['Risks', 2, 3],
    ]);
    expect(blockWith(result.blocks, REPORT_SUMMARY)?.headingPath).toEqual([REPORT_TITLE, 'Summary']);
    expect(blockWith(result.blocks, 'Warehouse Capacity')?.headingPath).toEqual([REPORT_TITLE, 'Logistics']);
    expect(blockWith(result.blocks, REPORT_CAPACITY)?.headingPath).toEqual([REPORT_TITLE, 'Logistics', 'Warehouse Capacity']);
    // The section continues onto page 2 until the next heading.
    expect(blockWith(result.blocks, REPORT_PAGE2)?.headingPath).toEqual([REPORT_TITLE, 'Logistics', 'Warehouse Capacity']);
    expect(blockWith(result.blocks, REPORT_RISKS)?.headingPath).toEqual([REPORT_TITLE, 'Risks']);
  });

  it('makes one list block of the bullet items, with a wrapped item joined', () => {
    const lists = result.blocks.filter((b) => b.kind === 'list');
    expect(lists).toEqual([
      {
        kind: 'list',
        text: REPORT_BULLETS.map((item) => `• ${item}`).join('\n'),
        page: 2,
        headingPath: [REPORT_TITLE, 'Logistics', 'Warehouse Capacity'],
      },
    ]);
    const order = [REPORT_LIST_INTRO, lists[0]!.text, REPORT_AFTER_LIST].map((t) => result.blocks.findIndex((b) => b.text === t));
    expect(order).toEqual([order[0], order[0]! + 1, order[0]! + 2]);
  });

  it('gives every block the page its text is on', () => {
    expect(blockWith(result.blocks, REPORT_SUMMARY)?.page).toBe(1);
    expect(blockWith(result.blocks, REPORT_HYPHENATED)?.page).toBe(1);
    expect(blockWith(result.blocks, REPORT_PAGE2)?.page).toBe(2);
    expect(blockWith(result.blocks, REPORT_OUTLOOK)?.page).toBe(2);
    expect(blockWith(result.blocks, REPORT_RISKS)?.page).toBe(3);
    const pages = result.blocks.map((b) => b.page ?? 0);
    expect(pages).toEqual([...pages].sort((a, b) => a - b));
  });

  it('leaves the caller’s bytes intact, and the fixture is deterministic', async () => {
    const again = await makeReportPdf();
    expect(bytes.byteLength).toBe(again.byteLength);
    expect(bytes.equals(again)).toBe(true);
    await expect(load(bytes)).resolves.toMatchObject({ pageCount: 3 });
  });
});

describe('loadPdf layout heuristics', () => {
  it('reads a two-column page column by column, the full-width lines before and after', async () => {
    const result = await load(await makeTwoColumnPdf(), 'columns.pdf');
    expect(result.blocks.map((b) => b.text)).toEqual([TWO_COLUMN_TITLE, ...LEFT_COLUMN, ...RIGHT_COLUMN, TWO_COLUMN_CLOSING]);
    expect(result.blocks[0]).toMatchObject({ kind: 'heading', level: 1 });
  });

  it('splits justified two-column text into paragraphs by first-line indent, across the column break', async () => {
    const result = await load(await makeArticlePdf(), 'article.pdf');
    expect(result.title).toBe(ARTICLE_TITLE);
    expect(result.blocks.map((b) => b.text)).toEqual([ARTICLE_TITLE, ...ARTICLE_PARAGRAPHS]);
  });

  it('removes running headers and footers in a two-page document', async () => {
    const result = await load(await makeLongPdf(2), 'short.pdf');
    expect(result.blocks.map((b) => b.text).join('\n')).not.toMatch(/ACME|Page \d/);
    expect(result.blocks.filter((b) => b.kind === 'heading').map((b) => b.text)).toEqual(['Section 1', 'Section 2']);
  });

  it('keeps a compound hyphen that the document writes elsewhere, and detects numbered lists', async () => {
    const result = await load(
      await makePlainPdf({
        paragraphs: [
          'A well-known method was used. The result is a well-\nknown fact in the field of hydraulics.',
          'Every point-of-\nsale terminal was replaced.',
          'Follow these steps:\n1. Open the inlet valve.\n2. Wait until the pressure settles.',
          'Then write the reading into the log.',
        ],
      }),
    );
    expect(result.blocks.map((b) => [b.kind, b.text])).toEqual([
      ['paragraph', 'A well-known method was used. The result is a well-known fact in the field of hydraulics.'],
      ['paragraph', 'Every point-of-sale terminal was replaced.'],
      ['paragraph', 'Follow these steps:'],
      ['list', '1. Open the inlet valve.\n2. Wait until the pressure settles.'],
      ['paragraph', 'Then write the reading into the log.'],
    ]);
  });

  it('ignores a file-name title and falls back to the first level-1 heading, then to the file name', async () => {
    const word = await load(
      await makePlainPdf({ title: 'Microsoft Word - minutes_final.docx', heading: 'Board Meeting Minutes', paragraphs: ['The board met on Monday.'] }),
    );
    expect(word.title).toBe('Board Meeting Minutes');
    const untitled = await load(await makePlainPdf({ title: 'Untitled', paragraphs: ['Nothing but a paragraph.'] }), 'notes.pdf');
    expect(untitled.title).toBe('notes');
    expect(untitled.metadata).toEqual({ creationDate: '2024-03-15T09:30:00.000Z', pageCount: 1 });
  });
});

describe('normalisePdfText', () => {
  it('expands ligatures, drops soft hyphens and controls, collapses whitespace and composes (NFC)', () => {
    expect(normalisePdfText('  the ﬁnal ﬂow\u00ADchart \t is  e\u0301tabli\u0000 ')).toBe('the final flowchart is établi');
    expect(normalisePdfText('\uF0B7 item')).toBe('• item');
  });
});

describe('loadPdf errors', () => {
  it('rejects random bytes, truncated and empty files as CORRUPT_FILE', async () => {
    const junk = new Uint8Array(4096);
    for (let i = 0; i < junk.length; i++) junk[i] = (i * 7919 + 13) % 256;
    const report = await makeReportPdf();
    const broken = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF');
    for (const [name, bytes] of [
      ['junk.pdf', junk],
      ['truncated.pdf', report.subarray(0, Math.floor(report.length / 2))],
      ['empty.pdf', new Uint8Array(0)],
      ['broken.pdf', broken],
    ] as const) {
      const err = await loadError(bytes, name);
      expect(err.code, name).toBe('CORRUPT_FILE');
      expect(err.message).toMatch(new RegExp(`^/docs/${name} is not a valid PDF \\(.+\\)$`));
    }
  });

  it('rejects a password-protected PDF as ENCRYPTED_FILE', async () => {
    const err = await loadError(await makeEncryptedPdf(), 'secret.pdf');
    expect(err.code).toBe('ENCRYPTED_FILE');
    expect(err.message).toBe('/docs/secret.pdf is encrypted; kgrag cannot read password-protected PDFs');
  });

  it('rejects a PDF without a text layer as EMPTY_DOCUMENT when OCR is off, saying so', async () => {
    const err = await loadError(await makeImageOnlyPdf(), 'scan.pdf');
    expect(err.code).toBe('EMPTY_DOCUMENT');
    expect(err.message).toMatch(/no text layer.*OCR is off/);
  });
});

describe('loadPdf on a long document', () => {
  // Speed is measured by `npm run bench`, not here: a time bound fails on a busy machine.
  it('loads a 100-page PDF with every page, block and heading in order', async () => {
    const result = await load(await makeLongPdf(100), 'long.pdf');
    expect(result.pageCount).toBe(100);
    expect(result.blocks).toHaveLength(500);
    expect(result.blocks[499]).toMatchObject({ page: 100, headingPath: ['Section 100'] });
  });
});
