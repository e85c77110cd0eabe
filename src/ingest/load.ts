/**
 * The loading stage of the ingest pipeline: input expansion (paths, directories, globs, URLs)
 * and one entry point that turns a source into documents, never throwing for bad input.
 */
import { createHash } from 'node:crypto';
import type { Dirent } from 'node:fs';
import { open, readFile, readdir, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { LoadedDocument } from '../domain/types.ts';
import { KgragError, LoadError, errorMessage } from '../errors.ts';
import { MIME_TYPES, decodeText, detectType } from './detect.ts';
import type { DetectedType } from './detect.ts';
import { fetchUrl, formatBytes } from './fetch.ts';
import type { JsonlFields } from './loaders/jsonl.ts';
import type { LoaderResult } from './loaders/text.ts';
import { DEFAULT_OCR_LIMITS, type OcrLimits } from './ocr.ts';

export interface LoadOptions {
  maxFileBytes: number;
  fetchTimeoutMs: number;
  allowPrivateUrls: boolean;
  /** OCR limits per document; without it, the defaults (src/ingest/ocr.ts). */
  ocr?: OcrLimits;
  jsonl?: JsonlFields;
}

export type LoadOutcome = { ok: true; doc: LoadedDocument } | { ok: false; source: string; error: KgragError };

function isUrl(input: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(input) && !/^file:/i.test(input);
}

/** Absolute path of a path or file: URL (file: URLs are accepted wherever paths are). */
function localPath(input: string, cwd = process.cwd()): string {
  if (!/^file:/i.test(input)) return path.resolve(cwd, input);
  try {
    return fileURLToPath(input);
  } catch {
    return path.resolve(cwd, input);
  }
}

/** Expands paths, directories (recursive) and globs; keeps URLs; reports missing paths as failures. */
export async function expandInputs(inputs: string[], cwd: string): Promise<{ sources: string[]; missing: string[] }> {
  const sources = new Set<string>();
  const missing: string[] = [];
  for (const input of inputs) {
    const trimmed = input.trim();
    if (trimmed === '') continue;
    if (isUrl(trimmed)) {
      sources.add(trimmed);
      continue;
    }
    const file = localPath(trimmed, cwd);
    const info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) {
      for (const found of await walkDirectory(file)) sources.add(found);
    } else if (info) {
      sources.add(file);
    } else if (isDynamicPattern(trimmed)) {
      const matches = await glob(trimmed, { cwd, absolute: true, onlyFiles: true, ignore: ['**/node_modules/**'] });
      if (matches.length === 0) missing.push(input);
      for (const match of matches.sort()) sources.add(path.resolve(match));
    } else {
      missing.push(input);
    }
  }
  return { sources: [...sources], missing };
}

/**
 * Files under a directory in sorted order; hidden entries and node_modules are skipped. Every other
 * file is listed, so that unsupported ones are reported rather than silently passed over.
 */
async function walkDirectory(root: string): Promise<string[]> {
  const files: string[] = [];
  const visited = new Set<string>();
  const visit = async (dir: string): Promise<void> => {
    const real = await realpath(dir).catch(() => dir);
    if (visited.has(real)) return; // a symlink loop
    visited.add(real);
    const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith('.') || entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      const isDir = entry.isDirectory() || (entry.isSymbolicLink() && (await stat(full).catch(() => undefined))?.isDirectory());
      if (isDir) await visit(full);
      else files.push(full);
    }
  };
  await visit(root);
  return files;
}

/** Loads one source (file path or URL); yields one outcome per document (a JSONL file yields many). Never throws for bad input: yields { ok: false }. */
export async function* loadSource(source: string, options: LoadOptions): AsyncGenerator<LoadOutcome> {
  let origin = isUrl(source) ? source : localPath(source);
  try {
    const raw = isUrl(source) ? await readUrl(source, options) : await readLocalFile(origin, options);
    origin = raw.origin;
    const detected = await detectType(raw.bytes, raw.origin, raw.contentType);
    const sha256 = createHash('sha256').update(raw.bytes).digest('hex');
    const fallbackTitle = titleFromName(raw.origin);
    if (detected.kind === 'jsonl') {
      yield* loadJsonlSource(raw.bytes, detected.encoding, raw.origin, fallbackTitle, options);
      return;
    }
    const result = await parseDocument(raw.bytes, detected, raw.origin, fallbackTitle, options.ocr ?? DEFAULT_OCR_LIMITS);
    const blocks = result.blocks.filter((b) => b.text.trim() !== '');
    if (blocks.length === 0) {
      throw new LoadError('EMPTY_DOCUMENT', `${raw.origin} contains no text.${emptyHint(detected)}`);
    }
    const doc: LoadedDocument = {
      source: raw.origin,
      title: result.title.trim() || fallbackTitle,
      mimeType: 'mimeType' in detected ? detected.mimeType : 'application/octet-stream',
      sha256,
      blocks,
      metadata: result.metadata,
    };
    yield { ok: true, doc };
  } catch (err) {
    yield { ok: false, source: origin, error: asKgragError(err, origin) };
  }
}

interface RawSource {
  bytes: Uint8Array;
  /** Absolute path, or the URL after redirects. */
  origin: string;
  contentType?: string;
}

async function readLocalFile(file: string, options: LoadOptions): Promise<RawSource> {
  const info = await stat(file).catch((cause: unknown) => {
    throw fileError(cause, file);
  });
  if (info.isDirectory()) throw new LoadError('INVALID_INPUT', `${file} is a directory; expand it before loading.`);
  if (info.size > options.maxFileBytes) {
    await refuseUnsupportedHead(file);
    throw new LoadError(
      'TOO_LARGE',
      `${file} is ${formatBytes(info.size)}, over the ${formatBytes(options.maxFileBytes)} limit (KGRAG_MAX_FILE_MB).`,
    );
  }
  if (info.size === 0) throw new LoadError('EMPTY_DOCUMENT', `${file} is empty.`);
  const bytes = await readFile(file).catch((cause: unknown) => {
    throw fileError(cause, file);
  });
  // The file may have grown since the stat.
  if (bytes.length > options.maxFileBytes) {
    throw new LoadError('TOO_LARGE', `${file} is over the ${formatBytes(options.maxFileBytes)} limit (KGRAG_MAX_FILE_MB).`);
  }
  return { bytes: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), origin: file };
}

/** How much of an oversized file is read to tell whether it is of a supported type at all. */
const HEAD_BYTES = 64 * 1024;

/**
 * "PNG image, not supported" helps more than "too large" for a file that could never be loaded,
 * so an oversized file's first bytes are checked. A ZIP is exempt: its directory is at its end.
 */
async function refuseUnsupportedHead(file: string): Promise<void> {
  let head: Uint8Array;
  try {
    const handle = await open(file, 'r');
    try {
      const buffer = Buffer.alloc(HEAD_BYTES);
      const { bytesRead } = await handle.read(buffer, 0, HEAD_BYTES, 0);
      head = new Uint8Array(buffer.buffer, buffer.byteOffset, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (cause) {
    throw fileError(cause, file);
  }
  const detected = await detectType(head, file);
  if (detected.kind === 'unsupported' && !detected.reason.startsWith('ZIP')) throw unsupportedError(detected, file);
}

function unsupportedError(detected: Extract<DetectedType, { kind: 'unsupported' }>, source: string): LoadError {
  if (detected.encrypted) {
    return new LoadError('ENCRYPTED_FILE', `${source} is a ${detected.reason}; remove the password and try again.`);
  }
  return new LoadError(
    'UNSUPPORTED_TYPE',
    `${source}: unsupported content (${detected.reason}). Supported: PDF, Word (.docx), HTML, Markdown, plain text, JSON Lines, and images (PNG, JPEG, TIFF, WebP, BMP) through OCR.`,
  );
}

function fileError(cause: unknown, file: string): LoadError {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return new LoadError('NOT_FOUND', `${file} does not exist.`, { cause });
  if (code === 'EACCES' || code === 'EPERM') {
    return new LoadError('INVALID_INPUT', `${file} cannot be read: permission denied.`, { cause });
  }
  return new LoadError('INVALID_INPUT', `${file} cannot be read: ${errorMessage(cause)}`, { cause });
}

async function readUrl(url: string, options: LoadOptions): Promise<RawSource> {
  const fetched = await fetchUrl(url, {
    maxBytes: options.maxFileBytes,
    timeoutMs: options.fetchTimeoutMs,
    allowPrivateUrls: options.allowPrivateUrls,
  });
  if (fetched.bytes.length === 0) throw new LoadError('EMPTY_DOCUMENT', `${fetched.finalUrl} returned an empty body.`);
  const raw: RawSource = { bytes: fetched.bytes, origin: fetched.finalUrl };
  if (fetched.contentType) raw.contentType = fetched.contentType;
  return raw;
}

/** The format loaders are imported on first use: pdf.js and mammoth are slow to load. */
async function parseDocument(bytes: Uint8Array, detected: DetectedType, source: string, fallbackTitle: string, ocr: OcrLimits): Promise<LoaderResult> {
  switch (detected.kind) {
    case 'unsupported':
      throw unsupportedError(detected, source);
    case 'pdf': {
      const { loadPdf } = await import('./loaders/pdf.ts');
      const pdf = await loadPdf(bytes, { source, fallbackTitle, ocr });
      return { title: pdf.title, blocks: pdf.blocks, metadata: { ...pdf.metadata, pageCount: pdf.pageCount } };
    }
    case 'image': {
      if (ocr.maxPages < 1) throw new LoadError('UNSUPPORTED_TYPE', `${source} is an image and OCR is off (KGRAG_OCR_MAX_PAGES=0).`);
      const { ocrImage, ocrMetadata } = await import('./ocr.ts');
      const blocks = await ocrImage(bytes, source, ocr);
      return { title: fallbackTitle, blocks, metadata: ocrMetadata(blocks, 1) };
    }
    case 'docx': {
      const { loadDocx } = await import('./loaders/docx.ts');
      return loadDocx(bytes, { source, fallbackTitle });
    }
    case 'html': {
      const { loadHtml } = await import('./loaders/html.ts');
      return loadHtml(decodeText(bytes, detected.encoding, source), { source, fallbackTitle });
    }
    case 'markdown': {
      const { loadMarkdown } = await import('./loaders/markdown.ts');
      return loadMarkdown(decodeText(bytes, detected.encoding, source), { fallbackTitle });
    }
    case 'text': {
      const { loadText } = await import('./loaders/text.ts');
      return loadText(decodeText(bytes, detected.encoding, source), { fallbackTitle });
    }
    case 'jsonl':
      throw new Error('JSON Lines files are loaded record by record');
  }
}

async function* loadJsonlSource(
  bytes: Uint8Array,
  encoding: string,
  file: string,
  fileTitle: string,
  options: LoadOptions,
): AsyncGenerator<LoadOutcome> {
  const { loadJsonl } = await import('./loaders/jsonl.ts');
  const text = decodeText(bytes, encoding, file);
  let records = 0;
  const jsonlOptions = { file, fileTitle, mimeType: MIME_TYPES.jsonl, ...(options.jsonl ? { fields: options.jsonl } : {}) };
  for (const outcome of loadJsonl(text, jsonlOptions)) {
    records++;
    yield outcome.ok ? outcome : { ok: false, source: outcome.source, error: outcome.error };
  }
  if (records === 0) throw new LoadError('EMPTY_DOCUMENT', `${file} contains no JSON Lines records.`);
}

/** File name without extension (or the last URL path segment, or the host name). */
export function titleFromName(origin: string): string {
  let name = origin;
  if (isUrl(origin)) {
    try {
      const url = new URL(origin);
      const segment = decodeURIComponent(url.pathname.split('/').filter(Boolean).pop() ?? '');
      if (!segment) return url.hostname;
      name = segment;
    } catch {
      // Fall through with the raw string.
    }
  }
  const base = path.basename(name);
  const ext = path.extname(base);
  return (ext ? base.slice(0, -ext.length) : base) || origin;
}

function emptyHint(detected: DetectedType): string {
  if (detected.kind === 'image') return ' No text was recognised in the image.';
  return detected.kind === 'pdf' ? ' It may be a scanned PDF with OCR turned off (KGRAG_OCR_MAX_PAGES=0).' : '';
}

/** Our own errors pass through; anything a parser throws means the file could not be parsed. */
function asKgragError(err: unknown, source: string): KgragError {
  if (err instanceof KgragError) return err;
  return new LoadError('CORRUPT_FILE', `${source} could not be parsed: ${errorMessage(err)}`, { cause: err });
}
