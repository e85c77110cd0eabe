/**
 * Generated example documents: content as blocks, rendered deterministically to PDF (pdfkit) or
 * DOCX (docx). Shared by scripts/make-examples.ts (English) and scripts/make-examples-zh.ts (Chinese).
 */
import { Document, HeadingLevel, Paragraph, Table, TableCell, TableRow, TextRun, WidthType } from 'docx';
import PDFDocument from 'pdfkit';
import { packDeterministic } from '../../test/fixtures/docx.ts';
import { headersAndFooters } from '../../test/fixtures/pdf.ts';

export type Block =
  | { kind: 'title'; text: string }
  | { kind: 'h1' | 'h2' | 'h3' | 'p'; text: string }
  | { kind: 'bullets'; items: string[] }
  | { kind: 'table'; rows: string[][] }
  | { kind: 'page' };

export interface GeneratedDoc {
  file: string;
  title: string;
  author: string;
  subject: string;
  /** PDF only: running header on every page. */
  header?: string;
  blocks: Block[];
}


/** The plain text of a generated document, for quote checks. */
export function blockText(doc: GeneratedDoc): string {
  const parts: string[] = [];
  for (const b of doc.blocks) {
    if (b.kind === 'bullets') parts.push(...b.items);
    else if (b.kind === 'table') parts.push(...b.rows.map((r) => r.join(' | ')));
    else if (b.kind !== 'page') parts.push(b.text);
  }
  return parts.join('\n');
}

// --- PDF ---

const PAGE_WIDTH = 612;
const PAGE_HEIGHT = 792;
const MARGIN = 72;
const TEXT_WIDTH = PAGE_WIDTH - 2 * MARGIN;

/** Fonts of a PDF: pdfkit's standard fonts, or a registered TrueType font for scripts they lack (CJK). */
export interface PdfFonts {
  regular: string;
  bold: string;
  /** Font files to register under those names (path and, for a collection, the face name). */
  files?: Record<string, { path: string; family?: string }>;
  /** Footer text of page n of m. */
  footer?: (n: number, m: number) => string;
}
const STANDARD_FONTS: PdfFonts = { regular: 'Helvetica', bold: 'Helvetica-Bold' };

export function renderPdf(spec: GeneratedDoc, date: Date, fonts: PdfFonts = STANDARD_FONTS): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const doc = new PDFDocument({
      size: 'LETTER',
      margin: MARGIN,
      bufferPages: true,
      info: { Title: spec.title, Author: spec.author, Subject: spec.subject, CreationDate: date, ModDate: date },
    });
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    try {
      for (const [name, file] of Object.entries(fonts.files ?? {})) doc.registerFont(name, file.path, file.family);
      for (const b of spec.blocks) {
        switch (b.kind) {
          case 'title':
            doc.font(fonts.bold).fontSize(22).text(b.text, { width: TEXT_WIDTH }).moveDown(0.5);
            break;
          case 'h1':
            doc.moveDown(0.6).font(fonts.bold).fontSize(16).text(b.text, { width: TEXT_WIDTH }).moveDown(0.4);
            break;
          case 'h2':
          case 'h3':
            doc.moveDown(0.4).font(fonts.bold).fontSize(13).text(b.text, { width: TEXT_WIDTH }).moveDown(0.3);
            break;
          case 'p':
            doc.font(fonts.regular).fontSize(11).text(b.text, MARGIN, doc.y, { width: TEXT_WIDTH }).moveDown();
            break;
          case 'bullets':
            for (const item of b.items) {
              const y = doc.y;
              doc.font(fonts.regular).fontSize(11).text('•', MARGIN, y, { lineBreak: false });
              doc.text(item, MARGIN + 14, y, { width: TEXT_WIDTH - 14 });
              doc.x = MARGIN;
              doc.moveDown(0.3);
            }
            doc.moveDown(0.7);
            break;
          case 'table':
            throw new Error('tables are not rendered in PDFs');
          case 'page':
            doc.addPage();
            break;
        }
      }
      headersAndFooters(doc, spec.header, { font: fonts.regular, footer: fonts.footer });
      doc.end();
    } catch (err) {
      reject(err);
    }
  });
}

// --- DOCX ---

export async function renderDocx(spec: GeneratedDoc, date: Date): Promise<Buffer> {
  const children: Array<Paragraph | Table> = [];
  const headings = { title: HeadingLevel.TITLE, h1: HeadingLevel.HEADING_1, h2: HeadingLevel.HEADING_2, h3: HeadingLevel.HEADING_3 };
  for (const b of spec.blocks) {
    switch (b.kind) {
      case 'title':
      case 'h1':
      case 'h2':
      case 'h3':
        children.push(new Paragraph({ text: b.text, heading: headings[b.kind] }));
        break;
      case 'p':
        children.push(new Paragraph({ children: [new TextRun(b.text)] }));
        break;
      case 'bullets':
        for (const item of b.items) children.push(new Paragraph({ text: item, bullet: { level: 0 } }));
        break;
      case 'table':
        children.push(
          new Table({
            width: { size: 100, type: WidthType.PERCENTAGE },
            rows: b.rows.map(
              (cells, r) =>
                new TableRow({
                  tableHeader: r === 0,
                  children: cells.map(
                    (text) => new TableCell({ children: [new Paragraph({ children: [new TextRun({ text, bold: r === 0 })] })] }),
                  ),
                }),
            ),
          }),
        );
        break;
      case 'page':
        throw new Error('page breaks are not rendered in DOCX files');
    }
  }
  const doc = new Document({
    title: spec.title,
    subject: spec.subject,
    creator: spec.author,
    lastModifiedBy: spec.author,
    sections: [{ children }],
  });
  return packDeterministic(doc, date);
}

