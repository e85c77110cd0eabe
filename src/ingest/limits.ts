/**
 * Bounds on what one untrusted document may cost, checked before the expensive step happens:
 * archive entries (DOCX, XLSX) by declared and actual uncompressed size and by ratio, no DTDs in
 * their XML (no entity expansion), HTML nesting and element counts, PDF page counts. Time and
 * memory are bounded by the worker that parses the document (src/ingest/workers.ts).
 */
import { inflateRawSync } from 'node:zlib';
import { Parser } from 'htmlparser2';
import { LoadError } from '../errors.ts';
import { formatBytes } from './fetch.ts';

export interface DocumentLimits {
  /** Sum of an archive's uncompressed entries. */
  maxUncompressedBytes: number;
  /** Uncompressed/compressed size of one entry, for entries over RATIO_FLOOR_BYTES. */
  maxCompressionRatio: number;
  maxArchiveEntries: number;
  /** Open elements inside each other. */
  maxHtmlDepth: number;
  maxHtmlElements: number;
  maxPdfPages: number;
}

export const DEFAULT_LIMITS: DocumentLimits = {
  maxUncompressedBytes: 200 * 1024 * 1024,
  // Real OOXML parts compress 5-30x; a table of empty cells can reach a few hundred.
  maxCompressionRatio: 500,
  maxArchiveEntries: 10_000,
  maxHtmlDepth: 512,
  maxHtmlElements: 1_000_000,
  maxPdfPages: 5_000,
};

/** Small entries may compress absurdly well (a run of spaces) and cost nothing. */
const RATIO_FLOOR_BYTES = 1024 * 1024;

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const DTD = /<!(?:DOCTYPE|ENTITY)/i;

interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

function limitError(source: string, what: string): LoadError {
  return new LoadError('LIMIT_EXCEEDED', `${source}: ${what}; it was refused before it could exhaust the server.`);
}

/** The entries the central directory declares (sizes as declared, not yet trusted). */
function centralDirectory(buf: Buffer, source: string, limits: DocumentLimits): ZipEntry[] {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 0xffff); i--) {
    if (buf.readUInt32LE(i) === EOCD_SIGNATURE) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new LoadError('CORRUPT_FILE', `${source} is not a complete ZIP archive (no central directory).`);
  const count = buf.readUInt16LE(eocd + 10);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdOffset === 0xffffffff) throw limitError(source, 'the archive uses ZIP64 (over 65,535 entries or 4 GB)');
  if (count > limits.maxArchiveEntries) throw limitError(source, `the archive has ${count} entries, over the limit of ${limits.maxArchiveEntries}`);
  const entries: ZipEntry[] = [];
  let at = cdOffset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > buf.length || buf.readUInt32LE(at) !== CENTRAL_SIGNATURE) {
      throw new LoadError('CORRUPT_FILE', `${source} has a damaged ZIP central directory.`);
    }
    const nameLength = buf.readUInt16LE(at + 28);
    entries.push({
      method: buf.readUInt16LE(at + 10),
      compressedSize: buf.readUInt32LE(at + 20),
      size: buf.readUInt32LE(at + 24),
      name: buf.toString('utf8', at + 46, at + 46 + nameLength),
      localOffset: buf.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + buf.readUInt16LE(at + 30) + buf.readUInt16LE(at + 32);
  }
  return entries;
}

/**
 * Refuses a ZIP-based document (DOCX, XLSX) that would inflate past the limits, judged first by
 * the sizes its directory declares, then by inflating each entry with its declared size as a hard
 * cap (a lying header stops there), and refuses any XML part with a DTD: OOXML never has one, and
 * entity definitions are how XML bombs expand.
 */
export function checkArchive(bytes: Uint8Array, source: string, limits: DocumentLimits = DEFAULT_LIMITS): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries = centralDirectory(buf, source, limits);
  let declared = 0;
  for (const e of entries) {
    if (e.size === 0xffffffff || e.compressedSize === 0xffffffff) throw limitError(source, `entry ${e.name} uses ZIP64 sizes`);
    declared += e.size;
    if (e.size > RATIO_FLOOR_BYTES && e.size / Math.max(1, e.compressedSize) > limits.maxCompressionRatio) {
      throw limitError(source, `entry ${e.name} would inflate ${Math.round(e.size / Math.max(1, e.compressedSize))}x (${formatBytes(e.size)}), over the ratio limit of ${limits.maxCompressionRatio}x`);
    }
  }
  if (declared > limits.maxUncompressedBytes) {
    throw limitError(source, `its entries inflate to ${formatBytes(declared)}, over the ${formatBytes(limits.maxUncompressedBytes)} limit`);
  }
  for (const e of entries) {
    if (e.method !== 0 && e.method !== 8) throw new LoadError('CORRUPT_FILE', `${source}: entry ${e.name} uses an unsupported compression method (${e.method}).`);
    const at = e.localOffset;
    if (at + 30 > buf.length || buf.readUInt32LE(at) !== LOCAL_SIGNATURE) throw new LoadError('CORRUPT_FILE', `${source} has a damaged ZIP entry (${e.name}).`);
    const start = at + 30 + buf.readUInt16LE(at + 26) + buf.readUInt16LE(at + 28);
    const data = buf.subarray(start, start + e.compressedSize);
    let content: Buffer;
    if (e.method === 0) content = data;
    else {
      try {
        // One byte over the declared size is enough to prove the header lied.
        content = inflateRawSync(data, { maxOutputLength: e.size + 1 });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw limitError(source, `entry ${e.name} inflates to more than its declared ${formatBytes(e.size)}`);
        throw new LoadError('CORRUPT_FILE', `${source}: entry ${e.name} cannot be inflated (${(err as Error).message}).`, { cause: err });
      }
    }
    if (content.length > e.size) throw limitError(source, `entry ${e.name} inflates to more than its declared ${formatBytes(e.size)}`);
    if (/\.(xml|rels)$/i.test(e.name) && DTD.test(content.toString('latin1', 0, Math.min(content.length, 4096)))) {
      throw limitError(source, `entry ${e.name} declares a DTD or entities, which Office documents never do`);
    }
  }
}

/**
 * Refuses HTML nested deeper or with more elements than the limits, in one linear streaming pass
 * before any DOM is built: DOM builders and tree walks are where deep nesting costs time and stack.
 */
export function checkHtml(html: string, source: string, limits: DocumentLimits = DEFAULT_LIMITS): void {
  let depth = 0;
  let elements = 0;
  let refused: LoadError | undefined;
  const parser = new Parser({
    onopentag() {
      if (refused) return;
      depth++;
      elements++;
      if (depth > limits.maxHtmlDepth) refused = limitError(source, `its elements are nested more than ${limits.maxHtmlDepth} deep`);
      else if (elements > limits.maxHtmlElements) refused = limitError(source, `it has more than ${limits.maxHtmlElements} elements`);
    },
    onclosetag() {
      depth--;
    },
  });
  // Fed in slices so that a refusal stops the pass early.
  const SLICE = 64 * 1024;
  for (let i = 0; i < html.length && !refused; i += SLICE) parser.write(html.slice(i, i + SLICE));
  if (!refused) parser.end();
  if (refused) throw refused;
}

export function checkPdfPages(pages: number, source: string, limits: DocumentLimits = DEFAULT_LIMITS): void {
  if (pages > limits.maxPdfPages) throw limitError(source, `it has ${pages} pages, over the limit of ${limits.maxPdfPages}`);
}
