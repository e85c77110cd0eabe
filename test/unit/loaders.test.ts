import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Block, LoadedDocument } from '../../src/domain/types.ts';
import type { KgragError } from '../../src/errors.ts';
import { expandInputs, loadSource, titleFromName } from '../../src/ingest/load.ts';
import type { LoadOptions, LoadOutcome } from '../../src/ingest/load.ts';
import { loadHtml } from '../../src/ingest/loaders/html.ts';
import { canonicalJson, loadJsonl } from '../../src/ingest/loaders/jsonl.ts';
import { loadMarkdown, splitFrontMatter } from '../../src/ingest/loaders/markdown.ts';
import { loadText } from '../../src/ingest/loaders/text.ts';
import { REPORT_DOCX, makePlainDocx, makeReportDocx } from '../fixtures/docx.ts';

// The PDF parser is another module's job; here only the dispatch to it is tested.
vi.mock('../../src/ingest/loaders/pdf.ts', () => ({
  loadPdf: vi.fn(async (bytes: Uint8Array, options: { source: string; fallbackTitle: string }) => {
    if (Buffer.from(bytes).includes('CRASH')) throw new Error('unexpected token in xref table');
    return {
      title: options.fallbackTitle,
      blocks: [{ kind: 'paragraph', text: 'Text of page one.', page: 1, headingPath: [] }],
      metadata: { producer: 'stub' },
      pageCount: 1,
    };
  }),
}));

const OPTIONS: LoadOptions = { maxFileBytes: 1024 * 1024, fetchTimeoutMs: 5000, allowPrivateUrls: false };

let dir: string;
function file(name: string, content: string | Uint8Array): string {
  const full = path.join(dir, name);
  mkdirSync(path.dirname(full), { recursive: true });
  writeFileSync(full, content);
  return full;
}

async function loadAll(source: string, options: LoadOptions = OPTIONS): Promise<LoadOutcome[]> {
  const outcomes: LoadOutcome[] = [];
  for await (const outcome of loadSource(source, options)) outcomes.push(outcome);
  return outcomes;
}

async function loadOne(source: string, options: LoadOptions = OPTIONS): Promise<LoadedDocument> {
  const [outcome, ...rest] = await loadAll(source, options);
  expect(rest).toEqual([]);
  if (!outcome?.ok) throw new Error(`expected a document, got ${outcome ? outcome.error.message : 'nothing'}`);
  return outcome.doc;
}

async function loadFailure(source: string, options: LoadOptions = OPTIONS): Promise<KgragError> {
  const [outcome, ...rest] = await loadAll(source, options);
  expect(rest).toEqual([]);
  if (!outcome || outcome.ok) throw new Error('expected a failure');
  expect(outcome.source).toBe(path.resolve(source));
  return outcome.error;
}

const texts = (blocks: readonly Block[]): string => blocks.map((b) => b.text).join('\n');
const find = (blocks: readonly Block[], text: string): Block | undefined => blocks.find((b) => b.text.includes(text));

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kgrag-loaders-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const NEWS_PAGE = `<!doctype html>
<html lang="en-GB"><head>
  <title>Harbour crane upgrade</title>
  <meta name="description" content="The port replaces its cranes.">
  <meta name="author" content="Jane Reporter">
  <meta property="og:title" content="Crane upgrade (og)">
  <link rel="canonical" href="/news/cranes">
  <script>var tracking = "SCRIPT-TEXT";</script>
  <style>.x { color: red } STYLE-TEXT</style>
</head><body class="has-sidebar">
  <header class="site-header"><a href="/">Port News</a> SITE-HEADER-TEXT</header>
  <nav><ul><li><a href="/a">NAV-LINK-ONE</a></li><li><a href="/b">NAV-LINK-TWO</a></li></ul></nav>
  <div id="cookie-consent">We use cookies COOKIE-TEXT <button>Accept</button></div>
  <div class="CookieBanner_root">CAMEL-COOKIE-TEXT</div>
  <form role="search"><input name="q"> SEARCH-FORM-TEXT</form>
  <main>
    <article>
      <header><h1>Harbour crane upgrade</h1><p class="byline">By Jane Reporter</p></header>
      <p>The port authority   will replace
        its three <b>container cranes</b> this&nbsp;year.<br>Work starts in May.</p>
      <div style="display: none">HIDDEN-STYLE-TEXT</div>
      <p hidden>HIDDEN-ATTR-TEXT</p>
      <h2>Timeline</h2>
      <ul>
        <li>Tender in <em>March</em></li>
        <li>Delivery in June
          <ol><li>Crane one</li><li>Crane two</li></ol>
        </li>
      </ul>
      <h3>Costs</h3>
      <table>
        <caption>Budget</caption>
        <thead><tr><th>Item</th><th>Cost</th></tr></thead>
        <tbody><tr><td>Cranes</td><td>30 M</td></tr><tr><td>Training</td><td>1 M</td></tr></tbody>
      </table>
      <pre><code>crane.lift(  40 );
  done();</code></pre>
      <div class="share-buttons">SHARE-TEXT</div>
      <section class="related-posts"><h2>Related</h2><p>RELATED-TEXT</p></section>
      <div class="content">A loose line of text <a href="#">with a link</a>.</div>
    </article>
  </main>
  <aside>ASIDE-TEXT</aside>
  <div role="contentinfo">CONTENTINFO-TEXT</div>
  <footer>FOOTER-TEXT Copyright</footer>
  <template>TEMPLATE-TEXT</template><noscript>NOSCRIPT-TEXT</noscript>
  <iframe src="x">IFRAME-TEXT</iframe><svg><text>SVG-TEXT</text></svg>
</body></html>`;

describe('HTML loader', () => {
  const page = loadHtml(NEWS_PAGE, { source: 'https://port.example/news/123', fallbackTitle: '123' });
  const all = texts(page.blocks);

  it('drops scripts, styles, navigation, banners, forms, footers, hidden elements and boilerplate', () => {
    for (const marker of [
      'SCRIPT-TEXT',
      'STYLE-TEXT',
      'SITE-HEADER-TEXT',
      'NAV-LINK',
      'COOKIE-TEXT',
      'CAMEL-COOKIE-TEXT',
      'SEARCH-FORM-TEXT',
      'HIDDEN-STYLE-TEXT',
      'HIDDEN-ATTR-TEXT',
      'SHARE-TEXT',
      'RELATED-TEXT',
      'ASIDE-TEXT',
      'CONTENTINFO-TEXT',
      'FOOTER-TEXT',
      'TEMPLATE-TEXT',
      'NOSCRIPT-TEXT',
      'IFRAME-TEXT',
      'SVG-TEXT',
    ]) {
      expect(all, marker).not.toContain(marker);
    }
  });

  it('keeps headings with their heading paths, and the header of the article', () => {
    const headings = page.blocks.filter((b) => b.kind === 'heading').map((b) => [b.level, b.text, b.headingPath]);
    expect(headings).toEqual([
      [1, 'Harbour crane upgrade', []],
      [2, 'Timeline', ['Harbour crane upgrade']],
      [3, 'Costs', ['Harbour crane upgrade', 'Timeline']],
    ]);
    expect(find(page.blocks, 'By Jane Reporter')?.kind).toBe('paragraph');
  });

  it('collapses whitespace in paragraphs and keeps <br> line breaks', () => {
    expect(find(page.blocks, 'port authority')).toEqual({
      kind: 'paragraph',
      text: 'The port authority will replace its three container cranes this year.\nWork starts in May.',
      headingPath: ['Harbour crane upgrade'],
    });
    expect(find(page.blocks, 'loose line')?.text).toBe('A loose line of text with a link.');
  });

  it('turns lists into "- item" lines, nested lists indented', () => {
    expect(page.blocks.find((b) => b.kind === 'list')).toEqual({
      kind: 'list',
      text: '- Tender in March\n- Delivery in June\n  1. Crane one\n  2. Crane two',
      headingPath: ['Harbour crane upgrade', 'Timeline'],
    });
  });

  it('turns tables into rows of cells, keeps the caption and preformatted code', () => {
    expect(page.blocks.find((b) => b.kind === 'table')?.text).toBe('Item | Cost\nCranes | 30 M\nTraining | 1 M');
    expect(find(page.blocks, 'Budget')?.kind).toBe('paragraph');
    expect(page.blocks.find((b) => b.kind === 'code')?.text).toBe('crane.lift(  40 );\n  done();');
  });

  it('takes the title from <title> and metadata from the head', () => {
    expect(page.title).toBe('Harbour crane upgrade');
    expect(page.metadata).toEqual({
      description: 'The port replaces its cranes.',
      author: 'Jane Reporter',
      lang: 'en-GB',
      canonicalUrl: 'https://port.example/news/cranes',
    });
  });

  it('falls back to og:title, then the first h1, then the given title', () => {
    const og = loadHtml('<html><head><meta property="og:title" content="From OG"></head><body><h1>H</h1><p>x</p></body></html>', {
      source: 'a.html',
      fallbackTitle: 'a',
    });
    expect(og.title).toBe('From OG');
    expect(loadHtml('<body><h1>First heading</h1><p>x</p></body>', { source: 'a.html', fallbackTitle: 'a' }).title).toBe('First heading');
    expect(loadHtml('<p>x</p>', { source: 'a.html', fallbackTitle: 'a' }).title).toBe('a');
  });

  it('uses the whole body when there is no <main> or single <article>, without its page header and footer', () => {
    const result = loadHtml(
      '<body><header><h1>Site</h1></header><div class="post"><h2>Post</h2><p>Body text.</p></div><footer>Foot</footer></body>',
      { source: 'a.html', fallbackTitle: 'a' },
    );
    expect(texts(result.blocks)).toBe('Post\nBody text.');
  });

  it('keeps a page whose only content looks like boilerplate rather than dropping everything', () => {
    const result = loadHtml('<body><nav><p>Only navigation text here.</p></nav></body>', { source: 'a.html', fallbackTitle: 'a' });
    expect(texts(result.blocks)).toBe('Only navigation text here.');
  });

  it('keeps a form that wraps the whole page (ASP.NET)', () => {
    const result = loadHtml('<body><form id="aspnetForm"><h1>Annual report</h1><p>Revenue grew by four percent.</p></form></body>', {
      source: 'a.html',
      fallbackTitle: 'a',
    });
    expect(texts(result.blocks)).toContain('Revenue grew');
  });

  it('walks inline elements that wrap block elements as containers', () => {
    const result = loadHtml('<body><a href="/x"><div>Card title</div><div>Card text</div></a></body>', { source: 'a', fallbackTitle: 'a' });
    expect(result.blocks.map((b) => b.text)).toEqual(['Card title', 'Card text']);
  });
});

describe('DOCX loader', () => {
  it('keeps headings with heading paths, bulleted lists and tables', async () => {
    const doc = await loadOne(file('report.docx', await makeReportDocx()));
    expect(doc.title).toBe(REPORT_DOCX.title);
    expect(doc.mimeType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(doc.metadata).toMatchObject({ author: REPORT_DOCX.author });
    expect(doc.blocks.filter((b) => b.kind === 'heading').map((b) => [b.level, b.text])).toEqual([
      [1, REPORT_DOCX.title],
      [2, REPORT_DOCX.section],
      [3, REPORT_DOCX.subsection],
      [2, 'Costs'],
    ]);
    expect(doc.blocks.find((b) => b.kind === 'list')).toEqual({
      kind: 'list',
      text: REPORT_DOCX.bullets.map((b) => `- ${b}`).join('\n'),
      headingPath: [REPORT_DOCX.title, REPORT_DOCX.section, REPORT_DOCX.subsection],
    });
    expect(doc.blocks.find((b) => b.kind === 'table')).toEqual({
      kind: 'table',
      text: REPORT_DOCX.tableRows.map((r) => r.join(' | ')).join('\n'),
      headingPath: [REPORT_DOCX.title, 'Costs'],
    });
    expect(find(doc.blocks, REPORT_DOCX.paragraph)?.headingPath).toEqual([REPORT_DOCX.title]);
  });

  it('takes the title from the core properties when the document has no heading', async () => {
    const doc = await loadOne(file('minutes.docx', await makePlainDocx()));
    expect(doc.title).toBe('Minutes of the March meeting');
    expect(doc.metadata).toMatchObject({ author: 'Grace Hopper' });
  });

  it('reports a truncated or garbled .docx as CORRUPT_FILE', async () => {
    const docx = await makeReportDocx();
    const cut = await loadFailure(file('cut.docx', docx.subarray(0, Math.floor(docx.length / 2))));
    expect(cut).toMatchObject({ code: 'CORRUPT_FILE' });
    expect(cut.message).toMatch(/not a readable Word document/);
    const garbled = new Uint8Array(3000).map((_, i) => (i * 31 + 7) % 256);
    expect(await loadFailure(file('garbled.docx', garbled))).toMatchObject({ code: 'CORRUPT_FILE' });
  });
});

const GUIDE_MD = `---
title: "Field Guide"
author: Sam
version: 3
draft: false
tags: [birds, coast]
nested:
  key: skipped
---

# Birds of the coast

Gulls &amp; terns *nest* on the **cliffs**; see [the map](http://x.test/map) ![icon](i.png).
Second line of the same paragraph.

## Identification

- Herring gull
  - pink legs
- Common tern
- [x] photographed

1. Look
2. Listen

| Bird | Size |
|------|-----:|
| Gull | 60 cm |
| Tern | \`35\` cm |

\`\`\`python
def count(birds):
    return len(birds)
\`\`\`

> Quoted advice: keep your distance.

<h2 align="center">Seasons</h2>

<p>Raw <b>HTML</b> paragraph.</p>

### Spring

Eggs hatch.
`;

describe('Markdown loader', () => {
  const result = loadMarkdown(GUIDE_MD, { fallbackTitle: 'guide' });

  it('takes the title and scalar metadata from the front matter', () => {
    expect(result.title).toBe('Field Guide');
    expect(result.metadata).toEqual({ author: 'Sam', version: 3, draft: false, tags: 'birds, coast' });
    expect(texts(result.blocks)).not.toContain('skipped');
  });

  it('falls back to the first H1, then to the file name', () => {
    expect(loadMarkdown('Intro\n\n# Real title\n\ntext', { fallbackTitle: 'f' }).title).toBe('Real title');
    expect(loadMarkdown('just text', { fallbackTitle: 'f' }).title).toBe('f');
  });

  it('keeps heading levels and paths, including headings in raw HTML', () => {
    const headings = result.blocks.filter((b) => b.kind === 'heading').map((b) => [b.level, b.text, b.headingPath]);
    expect(headings).toEqual([
      [1, 'Birds of the coast', []],
      [2, 'Identification', ['Birds of the coast']],
      [2, 'Seasons', ['Birds of the coast']],
      [3, 'Spring', ['Birds of the coast', 'Seasons']],
    ]);
    expect(find(result.blocks, 'Eggs hatch')?.headingPath).toEqual(['Birds of the coast', 'Seasons', 'Spring']);
  });

  it('reduces inline markup to text and decodes entities', () => {
    expect(find(result.blocks, 'Gulls')).toEqual({
      kind: 'paragraph',
      text: 'Gulls & terns nest on the cliffs; see the map . Second line of the same paragraph.',
      headingPath: ['Birds of the coast'],
    });
  });

  it('renders lists, tables, code, quotes and HTML blocks', () => {
    const lists = result.blocks.filter((b) => b.kind === 'list').map((b) => b.text);
    expect(lists).toEqual(['- Herring gull\n  - pink legs\n- Common tern\n- [x] photographed', '1. Look\n2. Listen']);
    expect(result.blocks.find((b) => b.kind === 'table')?.text).toBe('Bird | Size\nGull | 60 cm\nTern | 35 cm');
    expect(result.blocks.find((b) => b.kind === 'code')).toEqual({
      kind: 'code',
      text: 'def count(birds):\n    return len(birds)',
      headingPath: ['Birds of the coast', 'Identification'],
    });
    expect(find(result.blocks, 'Quoted advice')?.kind).toBe('paragraph');
    expect(find(result.blocks, 'Raw HTML paragraph.')?.kind).toBe('paragraph');
  });

  it('parses TOML front matter too', () => {
    expect(splitFrontMatter('+++\ntitle = "Hugo page"\nweight = 10\n+++\nbody').fields).toEqual({ title: 'Hugo page', weight: 10 });
  });
});

describe('plain text loader', () => {
  it('takes a short first line standing alone as the title', () => {
    const result = loadText('Honeybee colonies\n\nA colony has one queen and\nthousands of workers.\n', { fallbackTitle: 'bees' });
    expect(result.title).toBe('Honeybee colonies');
    expect(result.blocks).toEqual([
      { kind: 'heading', text: 'Honeybee colonies', level: 1, headingPath: [] },
      { kind: 'paragraph', text: 'A colony has one queen and thousands of workers.', headingPath: ['Honeybee colonies'] },
    ]);
  });

  it('otherwise uses the file name', () => {
    expect(loadText('A sentence that ends.\n\nMore.', { fallbackTitle: 'notes' }).title).toBe('notes');
    expect(loadText('Only one line', { fallbackTitle: 'notes' }).title).toBe('notes');
  });
});

describe('JSON Lines loader', () => {
  const lines = [
    '{"id": "a1", "title": "First", "text": "Alpha text\\nwrapped here.\\n\\nSecond paragraph.", "year": 2020, "tags": ["x"], "ok": true}',
    '',
    '{"id": "a2", "text": "No title here."}',
    '{not json',
    '{"id": "a4", "title": "No text"}',
    '[1, 2]',
    '{"id": "a1", "text": "duplicate"}',
    '{"id": 7, "title": "Numeric id", "text": ["Sentence one.", "Sentence two."]}',
    '{"id": "a9", "text": "   "}',
  ].join('\n');

  it('loads good lines and reports bad ones with their line numbers', async () => {
    const outcomes = await loadAll(file('corpus.jsonl', lines));
    const corpus = path.join(dir, 'corpus.jsonl');
    const good = outcomes.flatMap((o) => (o.ok ? [o.doc] : []));
    const bad = outcomes.flatMap((o) => (o.ok ? [] : [[o.source, o.error.code, o.error.message]]));
    expect(good.map((d) => [d.id, d.source, d.title])).toEqual([
      ['a1', `${corpus}#a1`, 'First'],
      ['a2', `${corpus}#a2`, 'corpus #a2'],
      ['7', `${corpus}#7`, 'Numeric id'],
    ]);
    expect(bad).toEqual([
      [`${corpus}#L4`, 'INVALID_INPUT', expect.stringMatching(/line 4: not valid JSON/)],
      [`${corpus}#L5`, 'INVALID_INPUT', expect.stringMatching(/line 5: missing "text" field/)],
      [`${corpus}#L6`, 'INVALID_INPUT', expect.stringMatching(/line 6: expected a JSON object/)],
      [`${corpus}#L7`, 'INVALID_INPUT', expect.stringMatching(/line 7: duplicate id "a1" \(first on line 1\)/)],
      [`${corpus}#L9`, 'EMPTY_DOCUMENT', expect.stringMatching(/line 9/)],
    ]);
    const first = good[0]!;
    expect(first.blocks.map((b) => b.text)).toEqual(['Alpha text wrapped here.', 'Second paragraph.']);
    expect(first.metadata).toEqual({ year: 2020, ok: true });
    expect(first.mimeType).toBe('application/x-ndjson');
    expect(good[2]?.blocks[0]?.text).toBe('Sentence one. Sentence two.');
  });

  it('hashes each record by its canonical JSON, independent of key order', () => {
    const one = [...loadJsonl('{"id":"x","text":"t","b":1,"a":2}', { file: 'f', fileTitle: 'f', mimeType: 'm' })][0];
    const two = [...loadJsonl('{"a":2,"text":"t","b":1,"id":"x"}', { file: 'f', fileTitle: 'f', mimeType: 'm' })][0];
    const expected = createHash('sha256').update('{"a":2,"b":1,"id":"x","text":"t"}').digest('hex');
    expect(one?.ok && one.doc.sha256).toBe(expected);
    expect(two?.ok && two.doc.sha256).toBe(expected);
    expect(canonicalJson({ z: [{ b: 1, a: null }], a: 'é' })).toBe('{"a":"é","z":[{"a":null,"b":1}]}');
  });

  it('uses configured field names', async () => {
    const source = file('beir.jsonl', '{"_id": "d1", "heading": "Doc one", "abstract": "Body text.", "title": "kept as metadata"}\n');
    const [outcome] = await loadAll(source, { ...OPTIONS, jsonl: { idField: '_id', titleField: 'heading', textField: 'abstract' } });
    expect(outcome?.ok && [outcome.doc.id, outcome.doc.title, outcome.doc.metadata]).toEqual(['d1', 'Doc one', { title: 'kept as metadata' }]);
  });

  it('reports a file without records as empty', async () => {
    expect(await loadFailure(file('blank.jsonl', '\n\n  \n'))).toMatchObject({ code: 'EMPTY_DOCUMENT' });
  });
});

describe('loadSource', () => {
  it('loads a text file with its absolute path, raw-byte hash and file-name title', async () => {
    const content = 'A sentence that ends.\n\nAnother one.\n';
    const source = file('plain notes.txt', content);
    const doc = await loadOne(path.relative(process.cwd(), source));
    expect(doc.source).toBe(source);
    expect(doc.title).toBe('plain notes');
    expect(doc.mimeType).toBe('text/plain');
    expect(doc.sha256).toBe(createHash('sha256').update(content).digest('hex'));
    expect(doc.blocks.map((b) => b.text)).toEqual(['A sentence that ends.', 'Another one.']);
  });

  it('decodes UTF-8 with a BOM and UTF-16 in both byte orders', async () => {
    const text = 'Grüße aus Köln.\r\nZweite Zeile.';
    const bom8 = file('bom8.txt', Uint8Array.from([0xef, 0xbb, 0xbf, ...Buffer.from(text, 'utf8')]));
    const le = file('le.txt', Uint8Array.from([0xff, 0xfe, ...Buffer.from(text, 'utf16le')]));
    const be = file('be.txt', Uint8Array.from([0xfe, 0xff, ...Buffer.from(text, 'utf16le').swap16()]));
    for (const source of [bom8, le, be]) {
      expect((await loadOne(source)).blocks.map((b) => b.text)).toEqual(['Grüße aus Köln. Zweite Zeile.']);
    }
  });

  it('refuses text that is not valid UTF-8 with BAD_ENCODING', async () => {
    const error = await loadFailure(file('latin1.txt', Uint8Array.from([...Buffer.from('Caf'), 0xe9, ...Buffer.from(' au lait\n')])));
    expect(error.code).toBe('BAD_ENCODING');
    expect(error.message).toContain('is not valid UTF-8 text; convert it to UTF-8');
  });

  it('refuses binary data with UNSUPPORTED_TYPE, and an image it cannot decode with CORRUPT_FILE', async () => {
    const junk = new Uint8Array(4096).map((_, i) => (i * 7919 + 13) % 256);
    const binary = await loadFailure(file('junk.bin', junk));
    expect(binary.code).toBe('UNSUPPORTED_TYPE');
    expect(binary.message).toContain('binary data');
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
    expect(await loadFailure(file('picture.png', png))).toMatchObject({ code: 'CORRUPT_FILE', message: expect.stringContaining('is not a readable image') });
  });

  it('reports empty files and files without text as EMPTY_DOCUMENT', async () => {
    expect(await loadFailure(file('empty.txt', ''))).toMatchObject({ code: 'EMPTY_DOCUMENT' });
    expect(await loadFailure(file('blank.md', '\n   \n\t\n'))).toMatchObject({ code: 'EMPTY_DOCUMENT' });
    expect(await loadFailure(file('shell.html', '<html><body><script>x()</script></body></html>'))).toMatchObject({ code: 'EMPTY_DOCUMENT' });
  });

  it('refuses a file over the size limit before reading it, naming the limit', async () => {
    const error = await loadFailure(file('big.txt', 'x'.repeat(5000)), { ...OPTIONS, maxFileBytes: 4000 });
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toMatch(/4\.9 KB, over the 3\.9 KB limit/);
  });

  it('names an unsupported type rather than the size when an oversized file could never be loaded', async () => {
    const junk = new Uint8Array(8192).map((_, i) => (i * 7919 + 13) % 256);
    expect(await loadFailure(file('big-junk.bin', junk), { ...OPTIONS, maxFileBytes: 4000 })).toMatchObject({ code: 'UNSUPPORTED_TYPE' });
    expect(await loadFailure(file('big-junk.pdf', junk), { ...OPTIONS, maxFileBytes: 4000 })).toMatchObject({ code: 'TOO_LARGE' });
  });

  it('reports a missing file as NOT_FOUND and a directory as invalid input', async () => {
    expect(await loadFailure(path.join(dir, 'nope.txt'))).toMatchObject({ code: 'NOT_FOUND' });
    mkdirSync(path.join(dir, 'adir'), { recursive: true });
    expect(await loadFailure(path.join(dir, 'adir'))).toMatchObject({ code: 'INVALID_INPUT' });
  });

  it('loads HTML saved as .txt as HTML', async () => {
    const doc = await loadOne(file('saved.txt', '<!DOCTYPE html><title>Saved</title><nav>Menu</nav><p>Body.</p>'));
    expect([doc.mimeType, doc.title, texts(doc.blocks)]).toEqual(['text/html', 'Saved', 'Body.']);
  });

  it('hands PDFs to the PDF loader and records the page count', async () => {
    const doc = await loadOne(file('scan.pdf', '%PDF-1.7\nfake'));
    expect(doc.title).toBe('scan');
    expect(doc.mimeType).toBe('application/pdf');
    expect(doc.metadata).toEqual({ producer: 'stub', pageCount: 1 });
    expect(doc.blocks[0]?.page).toBe(1);
  });

  it('turns an unexpected parser exception into CORRUPT_FILE with the cause attached', async () => {
    const error = await loadFailure(file('crash.pdf', '%PDF-1.7\nCRASH'));
    expect(error.code).toBe('CORRUPT_FILE');
    expect(error.message).toContain('unexpected token in xref table');
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('reports a URL with an unsupported scheme without throwing', async () => {
    const [outcome] = await loadAll('ftp://files.example/a.txt');
    expect(outcome).toMatchObject({ ok: false, source: 'ftp://files.example/a.txt', error: { code: 'INVALID_INPUT' } });
  });

  it('derives titles from file names and URLs', () => {
    expect(titleFromName('/x/y/Annual Report 2023.final.pdf')).toBe('Annual Report 2023.final');
    expect(titleFromName('https://example.com/docs/getting%20started.html')).toBe('getting started');
    expect(titleFromName('https://example.com/')).toBe('example.com');
    expect(titleFromName('/x/.env')).toBe('.env');
  });
});

describe('expandInputs', () => {
  it('expands directories recursively, skipping hidden files and node_modules, and globs; keeps URLs; reports missing paths', async () => {
    const root = path.join(dir, 'tree');
    for (const name of ['b.md', 'a.txt', 'sub/c.html', 'sub/deeper/d.pdf', '.hidden.txt', '.git/config', 'node_modules/pkg/readme.md']) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), 'x');
    }
    const { sources, missing } = await expandInputs(
      ['tree', 'https://example.com/page', 'tree/sub/*.html', 'tree/a.txt', 'nothing-here.md', 'tree/**/*.docx'],
      dir,
    );
    expect(sources).toEqual([
      path.join(root, 'a.txt'),
      path.join(root, 'b.md'),
      path.join(root, 'sub/c.html'),
      path.join(root, 'sub/deeper/d.pdf'),
      'https://example.com/page',
    ]);
    expect(missing).toEqual(['nothing-here.md', 'tree/**/*.docx']);
  });
});
