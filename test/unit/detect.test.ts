import { gzipSync } from 'node:zlib';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { LoadError } from '../../src/errors.ts';
import { decodeText, detectType, extensionOf, parseMimeType } from '../../src/ingest/detect.ts';
import { makeReportDocx } from '../fixtures/docx.ts';

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);

function junk(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 7919 + 13) % 256;
  return bytes;
}

describe('detectType: PDF and Office documents', () => {
  it('detects a PDF by its header, whatever the name', async () => {
    expect(await detectType(utf8('%PDF-1.7\n%âãÏÓ\n1 0 obj'), 'report.txt')).toEqual({ kind: 'pdf', mimeType: 'application/pdf' });
    expect((await detectType(Uint8Array.from([0, 0, 0x80, 1, ...Buffer.from('%PDF-1.4\n')]), 'x')).kind).toBe('pdf');
    expect((await detectType(utf8('Every PDF starts with %PDF-1.7, then objects.'), 'notes.md')).kind).toBe('markdown');
  });

  it('loads a text file named .pdf as text, and hands binary junk named .pdf to the PDF parser', async () => {
    expect((await detectType(utf8('Just some notes.\n'), 'notes.pdf')).kind).toBe('text');
    expect((await detectType(junk(512), 'broken.pdf')).kind).toBe('pdf');
  });

  it('detects DOCX by content, also under another name', async () => {
    const docx = await makeReportDocx();
    expect((await detectType(docx, 'report.docx')).kind).toBe('docx');
    expect((await detectType(docx, 'download.bin')).kind).toBe('docx');
  });

  it('refuses other ZIP archives with a clear reason', async () => {
    const zip = new JSZip();
    zip.file('notes.txt', 'hello');
    const bytes = await zip.generateAsync({ type: 'uint8array' });
    expect(await detectType(bytes, 'archive.docx')).toEqual({ kind: 'unsupported', reason: 'ZIP archive (not a Word document)' });
  });

  it('hands a damaged file named .docx to the DOCX parser', async () => {
    const docx = await makeReportDocx();
    expect((await detectType(docx.subarray(0, 300), 'cut.docx')).kind).toBe('docx');
  });

  it('detects images for OCR by their bytes, and names archives and executables', async () => {
    expect(await detectType(PNG, 'photo.txt')).toEqual({ kind: 'image', mimeType: 'image/png' });
    expect(await detectType(gzipSync(Buffer.from('hello world')), 'a.gz')).toEqual({ kind: 'unsupported', reason: 'gzip archive' });
    const elf = new Uint8Array(64);
    elf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]);
    expect(await detectType(elf, 'tool')).toEqual({ kind: 'unsupported', reason: 'ELF executable' });
  });

  it('recognises password-protected Office files', async () => {
    const cfb = Buffer.alloc(2048);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(cfb);
    Buffer.from('EncryptedPackage', 'utf16le').copy(cfb, 1200);
    expect(await detectType(cfb, 'secret.docx')).toMatchObject({ kind: 'unsupported', encrypted: true });
  });
});

describe('detectType: text formats', () => {
  it('sniffs HTML from the content even when named .txt', async () => {
    expect((await detectType(utf8('<!DOCTYPE html><html><body>x</body></html>'), 'page.txt')).kind).toBe('html');
    expect((await detectType(utf8('\uFEFF  <!-- saved -->\n<html lang="en">'), 'page.txt')).kind).toBe('html');
    expect((await detectType(utf8('<?xml version="1.0"?>\n<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0//EN">'), 'a')).kind).toBe('html');
    expect((await detectType(utf8('<body><p>x</p></body>'), 'fragment')).kind).toBe('html');
  });

  it('uses extensions for HTML fragments, Markdown and JSON Lines', async () => {
    expect((await detectType(utf8('<p>Only a fragment</p>'), 'frag.htm')).kind).toBe('html');
    expect((await detectType(utf8('<div align="center">Logo</div>\n\n# Readme'), 'README.md')).kind).toBe('markdown');
    expect((await detectType(utf8('# Title'), 'a.markdown')).kind).toBe('markdown');
    expect((await detectType(utf8('# Title'), 'a.MDX')).kind).toBe('markdown');
    expect((await detectType(utf8('{"id":1,"text":"x"}\n'), 'data.jsonl')).kind).toBe('jsonl');
    expect((await detectType(utf8('{"id":1,"text":"x"}\n'), 'data.ndjson')).kind).toBe('jsonl');
    expect((await detectType(utf8('plain words'), 'notes.txt')).kind).toBe('text');
    expect((await detectType(utf8('plain words'), 'LICENSE')).kind).toBe('text');
  });

  it('uses the declared MIME type of a URL', async () => {
    expect((await detectType(utf8('<p>Hi</p>'), 'https://example.com/docs/page', 'text/html; charset=utf-8')).kind).toBe('html');
    expect((await detectType(utf8('# Hi'), 'https://example.com/raw', 'text/markdown')).kind).toBe('markdown');
    expect((await detectType(utf8('{"text":"x"}'), 'https://example.com/feed', 'application/x-ndjson')).kind).toBe('jsonl');
    expect((await detectType(utf8('# Hi'), 'https://example.com/README.md?raw=1', 'text/plain')).kind).toBe('markdown');
  });

  it('reads the encoding from the BOM', async () => {
    const le = Uint8Array.from([0xff, 0xfe, ...Buffer.from('Grüße', 'utf16le')]);
    const be = Uint8Array.from([0xfe, 0xff, ...Buffer.from('Grüße', 'utf16le').swap16()]);
    expect(await detectType(le, 'a.txt')).toEqual({ kind: 'text', mimeType: 'text/plain', encoding: 'utf-16le' });
    expect(await detectType(be, 'a.txt')).toEqual({ kind: 'text', mimeType: 'text/plain', encoding: 'utf-16be' });
    expect(decodeText(le, 'utf-16le', 'a.txt')).toBe('Grüße');
    expect(decodeText(be, 'utf-16be', 'a.txt')).toBe('Grüße');
    expect(decodeText(utf8('\uFEFFhello'), 'utf-8', 'a.txt')).toBe('hello');
  });

  it('calls binary data binary: NUL bytes or many control characters', async () => {
    expect(await detectType(junk(4096), 'junk.bin')).toEqual({ kind: 'unsupported', reason: 'binary data' });
    expect(await detectType(utf8('text\u0000with a NUL'), 'a.txt')).toEqual({ kind: 'unsupported', reason: 'binary data' });
    expect((await detectType(utf8('\u0001\u0002\u0003abc\u0004\u0005'), 'a.txt')).kind).toBe('unsupported');
  });

  it('lets text in a legacy 8-bit encoding through to decoding, which fails with BAD_ENCODING', async () => {
    const latin1 = Uint8Array.from([...Buffer.from('Caf'), 0xe9, ...Buffer.from(' au lait\n')]);
    const detected = await detectType(latin1, 'latin1.txt');
    expect(detected).toEqual({ kind: 'text', mimeType: 'text/plain', encoding: 'utf-8' });
    const error = (() => {
      try {
        decodeText(latin1, 'utf-8', '/tmp/latin1.txt');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(LoadError);
    expect(error).toMatchObject({ code: 'BAD_ENCODING' });
    expect((error as LoadError).message).toMatch(/not valid UTF-8 text; convert it to UTF-8/);
  });

  it('honours a declared or <meta> charset for HTML', async () => {
    const page = Uint8Array.from([...Buffer.from('<html><head><meta charset="windows-1252"></head><body>Caf'), 0xe9, ...Buffer.from('</body></html>')]);
    const detected = await detectType(page, 'page.html');
    expect(detected).toEqual({ kind: 'html', mimeType: 'text/html', encoding: 'windows-1252' });
    expect(decodeText(page, 'windows-1252', 'page.html')).toContain('Café');
    const fromHeader = await detectType(Uint8Array.from([0x43, 0x61, 0x66, 0xe9]), 'https://x.test/t', 'text/plain; charset=ISO-8859-1');
    expect(fromHeader).toMatchObject({ kind: 'text', encoding: 'windows-1252' });
  });

  it('refuses RTF, SVG and plain XML', async () => {
    expect(await detectType(utf8('{\\rtf1\\ansi Hello}'), 'a.rtf')).toMatchObject({ kind: 'unsupported', reason: expect.stringContaining('RTF') });
    expect(await detectType(utf8('<svg xmlns="http://www.w3.org/2000/svg"></svg>'), 'a.svg')).toEqual({ kind: 'unsupported', reason: 'SVG image' });
    expect(await detectType(utf8('<?xml version="1.0"?><feed></feed>'), 'a.xml')).toMatchObject({ kind: 'unsupported' });
  });
});

describe('helpers', () => {
  it('takes extensions from paths and URLs', () => {
    expect(extensionOf('/a/b/Report.PDF')).toBe('pdf');
    expect(extensionOf('https://x.test/docs/guide.md?download=1#top')).toBe('md');
    expect(extensionOf('https://x.test/docs/')).toBe('');
    expect(extensionOf('.bashrc')).toBe('');
  });

  it('parses MIME types with parameters', () => {
    expect(parseMimeType('Text/HTML; Charset="UTF-8"')).toEqual({ essence: 'text/html', charset: 'UTF-8' });
    expect(parseMimeType(undefined)).toEqual({ essence: '', charset: undefined });
  });
});
