import type { PDFDocumentProxy } from 'pdfjs-dist/legacy/build/pdf.mjs';
import type { Block } from '../../domain/types.ts';
import { LoadError, errorMessage } from '../../errors.ts';
import { recognizeImage, type OcrLimits } from '../ocr.ts';

/** Scanned pages are rendered at this resolution for OCR (tesseract reads 200–300 dpi best). */
const OCR_DPI = 200;
/** …with the longer side capped, so a poster-sized page does not become a gigapixel image. */
const MAX_SIDE = 3500;

/**
 * OCR for the pages of a PDF that have no text layer (scans, photos of pages): each is rendered
 * with pdf.js through @napi-rs/canvas and recognised; pages with text are left to the text layer,
 * so a mixed PDF gets both. More scanned pages than the limit, or OCR past the time limit, fail
 * the document with TOO_LARGE rather than silently dropping pages.
 */
export async function ocrScannedPages(
  doc: PDFDocumentProxy,
  pages: Array<{ page: number; runCount: number; ocrBlocks?: Block[] }>,
  source: string,
  limits: OcrLimits,
): Promise<void> {
  const scanned = pages.filter((p) => p.runCount === 0);
  if (scanned.length === 0) return;
  if (scanned.length > limits.maxPages) {
    throw new LoadError(
      'TOO_LARGE',
      `${source} has ${scanned.length} pages without a text layer, over the OCR limit of ${limits.maxPages} pages per document (KGRAG_OCR_MAX_PAGES).`,
    );
  }
  const deadline = Date.now() + limits.timeoutMs;
  for (const layout of scanned) {
    const png = await renderPage(doc, layout.page, source);
    layout.ocrBlocks = await recognizeImage(png, layout.page, deadline, source);
  }
}

async function renderPage(doc: PDFDocumentProxy, n: number, source: string): Promise<Buffer> {
  const { createCanvas } = await import('@napi-rs/canvas');
  const page = await doc.getPage(n);
  try {
    const base = page.getViewport({ scale: 1 });
    const scale = Math.min(OCR_DPI / 72, MAX_SIDE / Math.max(base.width, base.height));
    const viewport = page.getViewport({ scale });
    const canvas = createCanvas(Math.ceil(viewport.width), Math.ceil(viewport.height));
    const context = canvas.getContext('2d');
    context.fillStyle = '#fff';
    context.fillRect(0, 0, canvas.width, canvas.height);
    // pdf.js draws on any 2D context with the browser canvas API, which @napi-rs/canvas implements.
    await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: context as unknown as CanvasRenderingContext2D, viewport }).promise;
    return await canvas.encode('png');
  } catch (err) {
    throw new LoadError('CORRUPT_FILE', `${source}: page ${n} could not be rendered for OCR (${errorMessage(err)})`, { cause: err });
  } finally {
    page.cleanup();
  }
}
