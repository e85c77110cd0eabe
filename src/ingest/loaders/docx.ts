/**
 * Word (.docx) loader: mammoth converts the document to semantic HTML (headings from paragraph
 * styles, lists from numbering), which goes through the shared HTML block extraction.
 * Core properties (docProps/core.xml) supply the title fallback and metadata.
 */
import { decodeXML } from 'entities';
import JSZip from 'jszip';
import mammoth from 'mammoth';
import type { Metadata } from '../../domain/types.ts';
import { LoadError, errorMessage } from '../../errors.ts';
import { checkArchive } from '../limits.ts';
import { collapseWhitespace, normalizeText } from '../normalize.ts';
import { htmlToBlocks } from './html.ts';
import type { LoaderResult } from './text.ts';

/** Added to mammoth's defaults, which already map Heading 1-6 and list paragraphs. */
const STYLE_MAP = [
  "p[style-name='Title'] => h1:fresh",
  "p[style-name='Subtitle'] => p:fresh",
  "p[style-name='Quote'] => blockquote > p:fresh",
  "p[style-name='Intense Quote'] => blockquote > p:fresh",
];

export async function loadDocx(bytes: Uint8Array, options: { source: string; fallbackTitle: string }): Promise<LoaderResult> {
  // Before mammoth inflates anything: a small file may inflate to gigabytes.
  checkArchive(bytes, options.source);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let html: string;
  try {
    const result = await mammoth.convertToHtml(
      { buffer },
      {
        styleMap: STYLE_MAP,
        // Images carry no text; dropping them keeps megabytes of base64 out of the HTML.
        convertImage: mammoth.images.imgElement(() => Promise.resolve({ src: '' })),
        externalFileAccess: false,
      },
    );
    html = result.value;
  } catch (cause) {
    throw new LoadError(
      'CORRUPT_FILE',
      `${options.source} is not a readable Word document (${errorMessage(cause)}). Open and re-save it in Word, or export it as PDF.`,
      { cause },
    );
  }
  const blocks = htmlToBlocks(html, { boilerplate: false, fragment: true, source: options.source });
  const core = await readCoreProperties(buffer);
  const { title: coreTitle, ...metadata } = core;
  const firstH1 = blocks.find((b) => b.kind === 'heading' && b.level === 1)?.text;
  const firstHeading = blocks.find((b) => b.kind === 'heading')?.text;
  const title = firstH1 ?? (typeof coreTitle === 'string' ? coreTitle : undefined) ?? firstHeading ?? options.fallbackTitle;
  return { title, blocks, metadata };
}

const CORE_FIELDS: ReadonlyArray<[tag: string, key: string]> = [
  ['dc:title', 'title'],
  ['dc:creator', 'author'],
  ['dc:subject', 'subject'],
  ['dc:description', 'description'],
  ['cp:keywords', 'keywords'],
  ['dcterms:created', 'created'],
  ['dcterms:modified', 'modified'],
];

/** Title, author and dates from the package's core properties; {} when they cannot be read. */
async function readCoreProperties(buffer: Buffer): Promise<Metadata> {
  try {
    const zip = await JSZip.loadAsync(buffer);
    const xml = await zip.file('docProps/core.xml')?.async('string');
    if (!xml) return {};
    const metadata: Metadata = {};
    for (const [tag, key] of CORE_FIELDS) {
      const raw = new RegExp(`<${tag}(?:\\s[^>]*)?>([^<]*)</${tag}>`).exec(xml)?.[1];
      const value = raw ? collapseWhitespace(normalizeText(decodeXML(raw))) : '';
      if (value) metadata[key] = value;
    }
    return metadata;
  } catch {
    // Core properties are optional; the body was already read successfully.
    return {};
  }
}
