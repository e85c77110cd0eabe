/**
 * Content type detection by content first, then by name and declared MIME type. Extensions lie
 * (a `.txt` that is really a saved web page, a `.pdf` that is really text), so the bytes decide
 * whenever they can. Rules, in order:
 *
 * 1. `%PDF-` at the start → pdf. Acrobat also accepts junk before the header within the first
 *    1 KiB, and so do we, unless the file is clean text (a note that mentions "%PDF-1.7").
 * 2. Clean text (UTF-8, or UTF-16 with a BOM; no NUL bytes; few control characters):
 *    - `{\rtf` → unsupported (RTF); `<svg` or a non-HTML `<?xml` document → unsupported;
 *    - starts with `<!doctype html`, `<html`, `<head` or `<body` (after BOM, whitespace, comments
 *      and an XML declaration) → html, whatever the extension;
 *    - declared `text/html` / `application/xhtml+xml` → html;
 *    - extension .html/.htm/.xhtml → html; .md/.markdown/.mdx → markdown; .jsonl/.ndjson → jsonl;
 *    - declared `text/markdown` → markdown; declared `application/x-ndjson` (and kin) → jsonl;
 *    - anything else → text. A valid text file named `.pdf` or `.docx` is therefore loaded as
 *      text: its content is readable, and refusing it would help nobody.
 * 3. Not clean text: file-type's signature detection. PNG, JPEG, TIFF, WebP and BMP → image (OCR). DOCX (also a ZIP whose entries include
 *    `word/document.xml`, or a truncated ZIP named .docx) → docx; a password-protected Office
 *    file → unsupported, encrypted; any other known format → unsupported, named ("PNG image",
 *    "ZIP archive (not a Word document)").
 * 4. Unknown bytes named `.pdf` / `.docx` → pdf / docx, so that the parser reports a corrupt file.
 * 5. Text-like bytes that are not valid UTF-8 (Latin-1, Windows-1252 ...) → text kinds with
 *    encoding utf-8, so decoding fails with BAD_ENCODING and a hint to convert; unless a charset
 *    was declared (HTTP Content-Type) or, for HTML, given in `<meta charset>`.
 * 6. Anything else → unsupported "binary data".
 */
import { fileTypeFromBuffer } from 'file-type';
import type { FileTypeResult } from 'file-type';
import { LoadError } from '../errors.ts';

export type BinaryKind = 'pdf' | 'docx';
export type TextKind = 'html' | 'markdown' | 'text' | 'jsonl';
export type DocumentKind = BinaryKind | TextKind;

export type DetectedType =
  | { kind: BinaryKind; mimeType: string }
  /** `encoding` is a WHATWG encoding label for TextDecoder ('utf-8', 'utf-16le', 'windows-1252' ...). */
  | { kind: TextKind; mimeType: string; encoding: string }
  /** A raster image, read through OCR. */
  | { kind: 'image'; mimeType: string }
  | { kind: 'unsupported'; reason: string; encrypted?: boolean };

export const MIME_TYPES: Readonly<Record<DocumentKind, string>> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  html: 'text/html',
  markdown: 'text/markdown',
  text: 'text/plain',
  jsonl: 'application/x-ndjson',
};

const EXTENSION_KINDS: Readonly<Record<string, TextKind>> = {
  html: 'html',
  htm: 'html',
  xhtml: 'html',
  md: 'markdown',
  markdown: 'markdown',
  mdx: 'markdown',
  jsonl: 'jsonl',
  ndjson: 'jsonl',
};

const DECLARED_KINDS: Readonly<Record<string, TextKind>> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'application/x-ndjson': 'jsonl',
  'application/ndjson': 'jsonl',
  'application/jsonl': 'jsonl',
  'application/x-jsonlines': 'jsonl',
  'application/jsonlines': 'jsonl',
};

const DOCX_TYPES = new Set(['docx', 'docm', 'dotx', 'dotm']);

/** How many leading bytes are inspected for signatures, control characters and HTML sniffing. */
const SNIFF_BYTES = 64 * 1024;
/** Share of control characters above which "text" is really binary data. */
const MAX_CONTROL_RATIO = 0.05;

/** Lower-case extension without the dot, from a path or a URL ('' when there is none). */
export function extensionOf(nameOrUrl: string): string {
  let name = nameOrUrl;
  if (/^https?:\/\//i.test(nameOrUrl)) {
    try {
      name = decodeURIComponent(new URL(nameOrUrl).pathname);
    } catch {
      // Keep the raw string: a malformed URL still has a usable tail.
    }
  }
  const base = name.split(/[\\/]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  return dot > 0 ? base.slice(dot + 1).toLowerCase() : '';
}

/** Splits "text/html; charset=ISO-8859-1" into its essence and charset. */
export function parseMimeType(declared: string | undefined): { essence: string; charset: string | undefined } {
  if (!declared) return { essence: '', charset: undefined };
  const [essence = '', ...params] = declared.split(';');
  const charsetParam = params.map((p) => p.trim()).find((p) => /^charset=/i.test(p));
  const charset = charsetParam?.slice('charset='.length).replace(/^["']|["']$/g, '').trim();
  return { essence: essence.trim().toLowerCase(), charset: charset || undefined };
}

export async function detectType(bytes: Uint8Array, nameOrUrl: string, declaredMime?: string): Promise<DetectedType> {
  const ext = extensionOf(nameOrUrl);
  const declared = parseMimeType(declaredMime);
  if (startsWithPdfHeader(bytes)) return { kind: 'pdf', mimeType: MIME_TYPES.pdf };

  const probe = probeText(bytes);
  if (probe.status === 'text') return classifyText(probe, ext, declared);
  if (indexOfAscii(bytes.subarray(0, 1024), '%PDF-') >= 0) return { kind: 'pdf', mimeType: MIME_TYPES.pdf };

  const signature = await signatureOf(bytes);
  if (signature) return classifySignature(signature, bytes, ext);
  if (ext === 'pdf') return { kind: 'pdf', mimeType: MIME_TYPES.pdf };
  if (DOCX_TYPES.has(ext)) return { kind: 'docx', mimeType: MIME_TYPES.docx };
  if (probe.status === 'bad-encoding') return classifyText(probe, ext, declared);
  return { kind: 'unsupported', reason: 'binary data' };
}

/** `%PDF-` after nothing but whitespace (and a BOM some tools prepend). */
function startsWithPdfHeader(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 1024)).toString('latin1');
  return /^(?:\xEF\xBB\xBF)?\s*%PDF-/.test(head);
}

function indexOfAscii(bytes: Uint8Array, needle: string): number {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).indexOf(needle, 0, 'latin1');
}

interface TextProbe {
  status: 'text' | 'bad-encoding' | 'binary';
  /** Encoding from the BOM, else utf-8. */
  encoding: 'utf-8' | 'utf-16le' | 'utf-16be';
  hasBom: boolean;
  /** The first bytes decoded leniently, for sniffing. */
  head: string;
}

function bomEncoding(bytes: Uint8Array): TextProbe['encoding'] | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** Decides whether bytes are text, text in an unknown 8-bit encoding, or binary data. */
function probeText(bytes: Uint8Array): TextProbe {
  const bom = bomEncoding(bytes);
  const encoding = bom ?? 'utf-8';
  const head = new TextDecoder(encoding).decode(bytes.subarray(0, SNIFF_BYTES));
  const base = { encoding, hasBom: bom !== undefined, head };
  if (controlRatio(head) > MAX_CONTROL_RATIO || head.includes('\u0000')) return { ...base, status: 'binary' };
  try {
    new TextDecoder(encoding, { fatal: true }).decode(bytes);
    return { ...base, status: 'text' };
  } catch {
    // Invalid UTF-16 behind a BOM is not worth guessing at.
    return { ...base, status: bom && bom !== 'utf-8' ? 'binary' : 'bad-encoding' };
  }
}

function controlRatio(text: string): number {
  if (text.length === 0) return 0;
  // NUL and C0 controls other than \t \n \r \f and ESC (ANSI colours in logs), plus DEL.
  // eslint-disable-next-line no-control-regex
  // Invalid bytes (U+FFFD here) are not counted: text in a legacy 8-bit encoding is full of them.
  const controls = text.match(/[\u0000-\u0008\u000B\u000E-\u001A\u001C-\u001F\u007F]/g)?.length ?? 0;
  return controls / text.length;
}

function classifyText(
  probe: TextProbe,
  ext: string,
  declared: { essence: string; charset: string | undefined },
): DetectedType {
  const start = skipPreamble(probe.head).slice(0, 512).toLowerCase();
  if (start.startsWith('{\\rtf')) {
    return { kind: 'unsupported', reason: 'RTF document (save it as .docx or PDF)' };
  }
  const html = /^<(?:!doctype\s+html|html|head|body)[\s>/]/.test(start);
  if (!html && start.startsWith('<svg')) return { kind: 'unsupported', reason: 'SVG image' };
  if (!html && probe.head.trimStart().startsWith('<?xml')) {
    return { kind: 'unsupported', reason: 'XML document (not HTML)' };
  }
  const kind: TextKind =
    html || DECLARED_KINDS[declared.essence] === 'html'
      ? 'html'
      : (EXTENSION_KINDS[ext] ?? DECLARED_KINDS[declared.essence] ?? 'text');
  return { kind, mimeType: MIME_TYPES[kind], encoding: textEncoding(probe, kind, declared.charset) };
}

/**
 * A BOM always wins. Otherwise a declared charset (HTTP header) applies to any text; a
 * `<meta charset>` only to HTML. Unknown labels fall back to UTF-8.
 */
function textEncoding(probe: TextProbe, kind: TextKind, declaredCharset: string | undefined): string {
  if (probe.hasBom) return probe.encoding;
  const candidate = declaredCharset ?? (kind === 'html' ? metaCharset(probe.head) : undefined);
  return candidate && isSupportedEncoding(candidate) ? normalizeEncodingLabel(candidate) : 'utf-8';
}

function metaCharset(head: string): string | undefined {
  const prefix = head.slice(0, 4096);
  return (
    /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(prefix)?.[1] ??
    /<meta[^>]+content\s*=\s*["'][^"']*charset=([\w.:-]+)/i.exec(prefix)?.[1]
  );
}

function isSupportedEncoding(label: string): boolean {
  try {
    new TextDecoder(label);
    return true;
  } catch {
    return false;
  }
}

function normalizeEncodingLabel(label: string): string {
  return new TextDecoder(label).encoding;
}

/** Skips a BOM, whitespace, comments and an XML declaration before the first real tag. */
function skipPreamble(text: string): string {
  let rest = text.replace(/^\uFEFF/, '');
  for (;;) {
    const trimmed = rest.trimStart();
    const skip = /^(?:<!--[\s\S]*?-->|<\?xml[\s\S]*?\?>)/.exec(trimmed);
    if (!skip) return trimmed;
    rest = trimmed.slice(skip[0].length);
  }
}

async function signatureOf(bytes: Uint8Array): Promise<FileTypeResult | undefined> {
  try {
    return await fileTypeFromBuffer(bytes);
  } catch {
    // A truncated container can make the scanner throw; the name-based fallback decides then.
    return undefined;
  }
}

/** Raster formats OCR reads, by file-type's extension: the bytes decide, not the file name. */
const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  tif: 'image/tiff',
  webp: 'image/webp',
  bmp: 'image/bmp',
};

function classifySignature(signature: FileTypeResult, bytes: Uint8Array, ext: string): DetectedType {
  const image = IMAGE_TYPES[signature.ext];
  if (image) return { kind: 'image', mimeType: image };
  if (DOCX_TYPES.has(signature.ext)) return { kind: 'docx', mimeType: MIME_TYPES.docx };
  if (signature.ext === 'zip') {
    // Entry names are stored uncompressed, so a plain scan finds the main part. A truncated
    // archive named .docx goes to the DOCX parser too, which reports it as corrupt.
    const wordLike = indexOfAscii(bytes, 'word/document.xml') >= 0 || (DOCX_TYPES.has(ext) && !hasZipEnd(bytes));
    return wordLike
      ? { kind: 'docx', mimeType: MIME_TYPES.docx }
      : { kind: 'unsupported', reason: 'ZIP archive (not a Word document)' };
  }
  if (signature.ext === 'cfb') {
    // Password-protected OOXML files are OLE containers holding an "EncryptedPackage" stream.
    const encrypted = Buffer.from(bytes).includes(Buffer.from('EncryptedPackage', 'utf16le'));
    return encrypted
      ? { kind: 'unsupported', reason: 'password-protected Office document', encrypted: true }
      : { kind: 'unsupported', reason: 'legacy Microsoft Office file (.doc/.xls/.ppt); save it as .docx or PDF' };
  }
  return { kind: 'unsupported', reason: describeSignature(signature) };
}

/** A complete ZIP archive ends with an end-of-central-directory record (within the last 64 KiB). */
function hasZipEnd(bytes: Uint8Array): boolean {
  const tail = bytes.subarray(Math.max(0, bytes.length - 65_557));
  return indexOfAscii(tail, 'PK\u0005\u0006') >= 0;
}

const FORMAT_NAMES: Readonly<Record<string, string>> = {
  png: 'PNG image',
  jpg: 'JPEG image',
  gif: 'GIF image',
  webp: 'WebP image',
  bmp: 'BMP image',
  tif: 'TIFF image',
  ico: 'icon image',
  xlsx: 'Excel spreadsheet (.xlsx)',
  pptx: 'PowerPoint presentation (.pptx)',
  odt: 'OpenDocument text (.odt); save it as .docx or PDF',
  epub: 'EPUB e-book',
  exe: 'Windows executable',
  elf: 'ELF executable',
  macho: 'Mach-O executable',
  gz: 'gzip archive',
  tar: 'tar archive',
  '7z': '7-Zip archive',
  rar: 'RAR archive',
  bz2: 'bzip2 archive',
  xz: 'xz archive',
  mp3: 'MP3 audio',
  mp4: 'MP4 video',
  wav: 'WAV audio',
  sqlite: 'SQLite database',
  ps: 'PostScript document',
};

function describeSignature(signature: FileTypeResult): string {
  const known = FORMAT_NAMES[signature.ext];
  if (known) return known;
  const family = /^(image|audio|video|font)\//.exec(signature.mime)?.[1];
  const ext = signature.ext.toUpperCase();
  return family ? `${ext} ${family}` : `${ext} file (${signature.mime})`;
}

/**
 * Decodes text bytes; the BOM is dropped. UTF-8 and UTF-16 are decoded strictly, because a
 * silently mangled document is worse than a clear error; other (declared) encodings leniently.
 */
export function decodeText(bytes: Uint8Array, encoding: string, source: string): string {
  const strict = encoding === 'utf-8' || encoding.startsWith('utf-16');
  try {
    return new TextDecoder(encoding, { fatal: strict }).decode(bytes);
  } catch (cause) {
    const name = encoding === 'utf-8' ? 'UTF-8' : encoding.toUpperCase();
    throw new LoadError(
      'BAD_ENCODING',
      `${source} is not valid ${name} text; convert it to UTF-8 (for example: iconv -f WINDOWS-1252 -t UTF-8).`,
      { cause },
    );
  }
}
