/**
 * OCR of images and of PDF pages without a text layer: tesseract.js (its own worker thread, so the
 * event loop stays free) with the English and simplified-Chinese models of the
 * `@tesseract.js-data/*` packages, read from node_modules: nothing is fetched at run time.
 *
 * Image files go to tesseract as they are: leptonica, compiled to WebAssembly inside its worker,
 * decodes PNG, JPEG, TIFF, WebP and BMP, so a corrupt or hostile file fails there with
 * CORRUPT_FILE and cannot crash the process (a native image decoder could: @napi-rs/canvas
 * segfaults on a truncated PNG, so it only ever draws what pdf.js renders).
 * Tesseract's layout analysis gives blocks and paragraphs in reading order; each paragraph becomes
 * one block carrying its mean confidence (0–1), marked `lowConfidence` under LOW_CONFIDENCE.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readlinkSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Block } from '../domain/types.ts';
import { LoadError, errorMessage } from '../errors.ts';

const require = createRequire(import.meta.url);

/** Recognised languages: tesseract codes of the bundled models. */
export const OCR_LANGUAGES = ['eng', 'chi_sim'] as const;
/**
 * A page that comes out mostly Chinese is read again by the Chinese model alone: with English first
 * it misreads Chinese next to Latin text, and tesseract 5 with Chinese first and English second
 * reads a corrupt language name (it logs "Failed loading language"), so that order is avoided.
 */
const CHINESE_ONLY = ['chi_sim'] as const;
const CJK_SHARE_FOR_CHINESE = 0.5;
/** Paragraph confidence under which text is marked low-confidence. */
export const LOW_CONFIDENCE = 0.6;

export interface OcrLimits {
  /** Pages (or images) recognised per document at most. */
  maxPages: number;
  /** Wall-clock budget per document; recognition stops with TOO_LARGE past it. */
  timeoutMs: number;
}

export const DEFAULT_OCR_LIMITS: OcrLimits = { maxPages: 50, timeoutMs: 300_000 };

export interface OcrBlock extends Block {
  ocrConfidence: number;
  lowConfidence: boolean;
}

interface TesseractWorker {
  /** The worker thread: referenced only while it works, so an idle OCR worker never keeps the process alive. */
  worker: { ref(): void; unref(): void };
  recognize(image: Buffer, options: object, output: object): Promise<{ data: RecognizeData }>;
  terminate(): Promise<unknown>;
}
interface RecognizeData {
  confidence: number;
  blocks: Array<{ paragraphs: Array<{ text: string; confidence: number }> }> | null;
}

const workers = new Map<string, Promise<TesseractWorker>>();
let idleTimer: NodeJS.Timeout | undefined;
/** Recognitions are serialised on the one worker (its model is ~50 MB of memory). */
let queue: Promise<unknown> = Promise.resolve();
/** The worker is ended after this long without work, so short CLI runs exit promptly. */
const IDLE_MS = 30_000;

/**
 * tesseract.js reads every language from one folder: a folder of links to the packaged models
 * (made once per machine; the models themselves stay in node_modules).
 */
export function languageFolder(): string {
  const models = path.dirname(require.resolve('@tesseract.js-data/eng/package.json'));
  const checkout = createHash('sha256').update(models).digest('hex').slice(0, 8);
  const dir = path.join(tmpdir(), `kgrag-tessdata-${process.getuid?.() ?? 'u'}-${checkout}`);
  mkdirSync(dir, { recursive: true });
  for (const lang of OCR_LANGUAGES) {
    const target = require.resolve(`@tesseract.js-data/${lang}/4.0.0_best_int/${lang}.traineddata.gz`);
    const link = path.join(dir, `${lang}.traineddata.gz`);
    // A link left dangling (the checkout moved, the tmp folder partly cleaned) is made anew:
    // tesseract.js never settles on a model it cannot read.
    if (linkTarget(link) === target) continue;
    rmSync(link, { force: true });
    try {
      symlinkSync(target, link);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || !existsSync(link)) throw err;
    }
  }
  return dir;
}

function linkTarget(link: string): string | undefined {
  try {
    return readlinkSync(link);
  } catch {
    return undefined;
  }
}

async function worker(langs: readonly string[]): Promise<TesseractWorker> {
  const key = langs.join('+');
  const existing = workers.get(key);
  if (existing) return existing;
  const created = (async () => {
    const { createWorker, OEM } = await import('tesseract.js');
    const w = await createWorker([...langs], OEM.LSTM_ONLY, {
      langPath: languageFolder(),
      cacheMethod: 'none',
      gzip: true,
      logger: () => undefined,
      // Without a handler tesseract.js throws failures from an event callback, out of reach of any caller.
      errorHandler: () => undefined,
    });
    const typed = w as unknown as TesseractWorker;
    typed.worker.unref();
    return typed;
  })().catch((err: unknown) => {
    workers.delete(key);
    throw err;
  });
  workers.set(key, created);
  return created;
}

/** Ends the OCR worker (tests and shutdown); the next recognition starts a new one. */
export async function closeOcr(): Promise<void> {
  clearTimeout(idleTimer);
  const all = [...workers.values()];
  workers.clear();
  for (const w of all) await (await w.catch(() => undefined))?.terminate();
}

function scheduleIdleClose(): void {
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => void closeOcr(), IDLE_MS);
  idleTimer.unref();
}

/** Recognises one image; paragraphs in reading order. */
export async function recognizeImage(image: Buffer, page: number | undefined, deadline: number, source: string): Promise<OcrBlock[]> {
  const run = queue.then(async () => {
    clearTimeout(idleTimer);
    try {
      const blocks = await recognizeWith(OCR_LANGUAGES, image, page, deadline, source);
      return cjkShare(blocks) > CJK_SHARE_FOR_CHINESE ? await recognizeWith(CHINESE_ONLY, image, page, deadline, source) : blocks;
    } catch (err) {
      if (err instanceof LoadError) {
        // A recognition cut short keeps running in the worker: end it, the next document gets a fresh one.
        await closeOcr();
        throw err;
      }
      throw new LoadError('CORRUPT_FILE', `${source} is not a readable image (${errorMessage(err)})`, { cause: err });
    } finally {
      scheduleIdleClose();
    }
  });
  queue = run.catch(() => undefined);
  return run;
}

async function recognizeWith(langs: readonly string[], image: Buffer, page: number | undefined, deadline: number, source: string): Promise<OcrBlock[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(timeoutError(source)), Math.max(0, deadline - Date.now()));
  });
  let w: TesseractWorker | undefined;
  try {
    // Starting the worker counts against the deadline too: a model that cannot load never settles.
    w = await Promise.race([worker(langs), timeout]);
    w.worker.ref();
    const result = await Promise.race([w.recognize(image, {}, { blocks: true, text: false }), timeout]);
    return toBlocks(result.data, page);
  } finally {
    clearTimeout(timer);
    w?.worker.unref();
  }
}

/** Share of CJK characters among the letters recognised. */
function cjkShare(blocks: readonly OcrBlock[]): number {
  const text = blocks.map((b) => b.text).join('');
  const letters = text.match(/\p{L}/gu)?.length ?? 0;
  const cjk = text.match(new RegExp(CJK.source, 'gu'))?.length ?? 0;
  return letters === 0 ? 0 : cjk / letters;
}

function timeoutError(source: string): LoadError {
  return new LoadError('TOO_LARGE', `${source}: OCR took longer than its time limit (KGRAG_OCR_TIMEOUT_MS) and was stopped.`);
}

const CJK = /[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]/u;

/**
 * Tesseract separates every Chinese character by a space; spaces between two CJK characters (or
 * CJK and CJK punctuation) are removed, Latin words keep theirs. Lines of a paragraph are joined
 * the same way: without a space between CJK, with one between words.
 */
export function tidyOcrText(text: string): string {
  const lines = text.split('\n').map((l) => l.replace(/\s+/g, ' ').trim()).filter(Boolean);
  let out = '';
  for (const line of lines) {
    const joined = line.replace(/(\S) (?=\S)/gu, (m, a: string, offset: number, s: string) => (CJK.test(a) && CJK.test(s[offset + 2] ?? '') ? a : m));
    if (!out) out = joined;
    else if (CJK.test(out.at(-1)!) && CJK.test(joined[0]!)) out += joined;
    else if (/\p{L}-$/u.test(out) && /^\p{Ll}/u.test(joined)) out = out.slice(0, -1) + joined; // a word hyphenated at the line end
    else out += ` ${joined}`;
  }
  return out;
}

function toBlocks(data: RecognizeData, page: number | undefined): OcrBlock[] {
  const blocks: OcrBlock[] = [];
  for (const block of data.blocks ?? []) {
    for (const paragraph of block.paragraphs) {
      const text = tidyOcrText(paragraph.text);
      if (!/[\p{L}\p{N}]/u.test(text)) continue;
      const confidence = Math.round(paragraph.confidence) / 100;
      blocks.push({
        kind: 'paragraph',
        text,
        ...(page === undefined ? {} : { page }),
        headingPath: [],
        ocrConfidence: confidence,
        lowConfidence: confidence < LOW_CONFIDENCE,
      });
    }
  }
  return blocks;
}

/** What a document read through OCR records about it: pages recognised, mean and lowest confidence, low-confidence blocks. */
export function ocrMetadata(blocks: readonly Block[], pages: number): Record<string, number | boolean> {
  const scores = blocks.flatMap((b) => (b.ocrConfidence === undefined ? [] : [b.ocrConfidence]));
  if (scores.length === 0) return { ocr: true, ocrPages: pages };
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  return {
    ocr: true,
    ocrPages: pages,
    ocrConfidence: Math.round(mean * 100) / 100,
    ocrLowestConfidence: Math.min(...scores),
    ocrLowConfidenceBlocks: scores.filter((s) => s < LOW_CONFIDENCE).length,
  };
}

/** OCR of an image file (PNG, JPEG, TIFF, WebP, BMP: decoded by leptonica inside tesseract's WebAssembly): its paragraphs, with confidence. */
export async function ocrImage(bytes: Uint8Array, source: string, limits: OcrLimits): Promise<OcrBlock[]> {
  return recognizeImage(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), undefined, Date.now() + limits.timeoutMs, source);
}
