import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocument, type ChunkOptions } from '../../src/chunking/chunker.ts';
import { documentText, embeddingInput, type Block, type ChunkDraft } from '../../src/domain/types.ts';
import { createEmbedder, type Embedder } from '../../src/embedding/embedder.ts';
import { FakeEmbedder } from '../../src/embedding/fake.ts';
import { ChunkingError } from '../../src/errors.ts';
import { silentLogger } from '../../src/logging.ts';
import { requireModelDir } from '../model.ts';
import { loadConfig } from '../../src/config/index.ts';


// ---------------------------------------------------------------------------------------------
// Document builders

const h = (text: string, level: number, headingPath: string[], page?: number): Block => ({
  kind: 'heading',
  text,
  level,
  headingPath,
  ...(page === undefined ? {} : { page }),
});
const p = (text: string, headingPath: string[], page?: number): Block => ({
  kind: 'paragraph',
  text,
  headingPath,
  ...(page === undefined ? {} : { page }),
});
const block = (kind: Block['kind'], text: string, headingPath: string[]): Block => ({ kind, text, headingPath });

const WORDS = (
  'graph retrieval answers questions with citations while the database keeps documents chunks ' +
  'entities and relationships consistent across collections embeddings measure semantic similarity ' +
  'internationalization unbelievable tokenization'
).split(' ');

/** Deterministic pseudo-random sentences, 6..20 words, so boundaries vary. */
function sentences(count: number, seed: number): string {
  const out: string[] = [];
  let x = seed;
  for (let s = 0; s < count; s++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    const length = 6 + (x % 15);
    const words = Array.from({ length }, (_, k) => WORDS[(x + k * 7) % WORDS.length]!);
    out.push(`${words.join(' ').replace(/^./, (c) => c.toUpperCase())}.`);
  }
  return out.join(' ');
}

const LONG_URL = `https://example.org/${Array.from({ length: 120 }, (_, k) => `segment${k}`).join('/')}?q=${'x'.repeat(40)}`;
const BASE64 = Buffer.from(Array.from({ length: 4000 }, (_, k) => (k * 37) % 256)).toString('base64');
const CJK_SENTENCES = ['東京は日本の首都であり', '大阪の人口は多いです'];
const CJK = `${Array.from({ length: 150 }, (_, k) => CJK_SENTENCES[k % 3 === 0 ? 0 : 1]).join('。')}。`;

function longDocument(): { title: string; blocks: Block[] } {
  const intro = ['Introduction'];
  const giant = ['Introduction', 'Giant paragraph'];
  return {
    title: 'Generated handbook',
    blocks: [
      h('Introduction', 1, []),
      p(sentences(2, 1), intro),
      p('', intro),
      p(sentences(1, 2), intro),
      p('   ', intro),
      p(sentences(3, 3), intro),
      h('Giant paragraph', 2, intro),
      p(sentences(400, 4), giant),
      h('Links and blobs', 2, intro),
      p(`See ${LONG_URL} for details. The payload follows: ${BASE64} and that is all.`, ['Introduction', 'Links and blobs']),
      h('A long list', 1, []),
      block(
        'list',
        Array.from({ length: 150 }, (_, k) => `- item ${k}: ${sentences(1, 100 + k)}`).join('\n'),
        ['A long list'],
      ),
      h('A table', 1, []),
      block(
        'table',
        ['| id | name | description |', '| --- | --- | --- |']
          .concat(Array.from({ length: 120 }, (_, k) => `| ${k} | name ${k} | ${sentences(1, 500 + k)} |`))
          .join('\n'),
        ['A table'],
      ),
      h('日本語', 1, []),
      p(CJK, ['日本語']),
      h('Code', 1, []),
      block('code', Array.from({ length: 200 }, (_, k) => `const v${k} = compute(${k}, "text ${k}");`).join('\n'), [
        'Code',
      ]),
      p('', ['Code']),
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Invariants shared by all cases

const LATIN_WORD_CHAR = /[\p{Script=Latin}\p{N}]/u;

function splitsWord(text: string, at: number): boolean {
  const before = text[at - 1];
  const after = text[at];
  return before !== undefined && after !== undefined && LATIN_WORD_CHAR.test(before) && LATIN_WORD_CHAR.test(after);
}

function expectValidChunks(doc: { title: string; blocks: Block[] }, chunks: ChunkDraft[], options: ChunkOptions): void {
  const full = documentText(doc.blocks);
  chunks.forEach((chunk, i) => {
    expect(chunk.index).toBe(i);
    expect(chunk.text).toBe(full.slice(chunk.start, chunk.end));
    expect(chunk.text).toBe(chunk.text.trim());
    expect(chunk.text.length).toBeGreaterThan(0);
    const counted = options.countTokens(embeddingInput(doc.title, chunk.headingPath, chunk.text));
    expect(chunk.tokenCount).toBe(counted);
    expect(counted + 2, `chunk ${i} over the window: ${chunk.text.slice(0, 80)}`).toBeLessThanOrEqual(options.maxTokens);
  });
  // Every non-blank character of the document is in some chunk.
  const covered = new Uint8Array(full.length);
  for (const c of chunks) covered.fill(1, c.start, c.end);
  for (let i = 0; i < full.length; i++) {
    if (!covered[i] && !/\s/.test(full[i]!)) {
      throw new Error(`character ${i} (${JSON.stringify(full.slice(i, i + 20))}) is in no chunk`);
    }
  }
}

/** Offsets of blocks in documentText, aligned with `blocks`. */
function blockOffsets(blocks: readonly Block[]): number[] {
  let offset = 0;
  return blocks.map((b) => {
    const start = offset;
    offset += b.text.length + 2;
    return start;
  });
}

// ---------------------------------------------------------------------------------------------

describe('chunkDocument with the real tokenizer', () => {
  let embedder: Embedder;
  let options: ChunkOptions;
  const doc = longDocument();
  let chunks: ChunkDraft[];

  beforeAll(async () => {
    embedder = await createEmbedder({ model: loadConfig().embedding.model, modelDir: requireModelDir(), modelId: 'unused', dtype: 'fp32', batchSize: 8 }, silentLogger());
    options = { maxTokens: embedder.maxTokens, overlapTokens: 32, countTokens: (t) => embedder.countTokens(t) };
    chunks = chunkDocument(doc, options);
  }, 120_000);

  afterAll(async () => {
    await embedder?.dispose();
  });

  it('keeps every chunk within the window, with exact offsets, covering all text', () => {
    expect(chunks.length).toBeGreaterThan(20);
    expectValidChunks(doc, chunks, options);
  });

  it('never cuts inside a word', () => {
    const full = documentText(doc.blocks);
    for (const c of chunks) {
      expect(splitsWord(full, c.start), `start of ${JSON.stringify(c.text.slice(0, 40))}`).toBe(false);
      expect(splitsWord(full, c.end), `end of ${JSON.stringify(c.text.slice(-40))}`).toBe(false);
    }
  });

  it('starts a chunk at every heading and labels chunks with their section', () => {
    const full = documentText(doc.blocks);
    const offsets = blockOffsets(doc.blocks);
    const starts = new Set(chunks.map((c) => c.start));
    doc.blocks.forEach((b, i) => {
      if (b.kind === 'heading') expect(starts.has(offsets[i]!), `heading ${b.text}`).toBe(true);
    });
    for (const c of chunks) {
      // Non-heading blocks inside the chunk all belong to the chunk's section.
      doc.blocks.forEach((b, i) => {
        const start = offsets[i]!;
        const end = start + b.text.length;
        if (b.kind !== 'heading' && b.text.trim() && start < c.end && end > c.start) {
          expect(c.headingPath).toEqual(b.headingPath);
        }
      });
      expect(full.slice(c.start, c.end)).toBe(c.text);
    }
    expect(chunks[0]!.text.startsWith('Introduction\n\n')).toBe(true);
    expect(chunks[0]!.headingPath).toEqual(['Introduction']);
  });

  it('overlaps consecutive chunks of a section by at most overlapTokens, never across headings', () => {
    const full = documentText(doc.blocks);
    let overlaps = 0;
    for (let i = 1; i < chunks.length; i++) {
      const prev = chunks[i - 1]!;
      const next = chunks[i]!;
      const startsSection = doc.blocks.some((b, k) => b.kind === 'heading' && blockOffsets(doc.blocks)[k] === next.start);
      if (startsSection) {
        expect(next.start).toBeGreaterThanOrEqual(prev.end);
        continue;
      }
      if (next.start < prev.end) {
        overlaps++;
        expect(embedder.countTokens(full.slice(next.start, prev.end))).toBeLessThanOrEqual(options.overlapTokens);
      }
    }
    const giant = chunks.filter((c) => c.headingPath.join('/') === 'Introduction/Giant paragraph');
    expect(giant.length).toBeGreaterThan(10);
    for (let i = 1; i < giant.length; i++) expect(giant[i]!.start).toBeLessThan(giant[i - 1]!.end);
    expect(overlaps).toBeGreaterThan(giant.length);
  });

  it('splits the giant paragraph at sentence boundaries', () => {
    const giant = chunks.filter((c) => c.headingPath.join('/') === 'Introduction/Giant paragraph').slice(1);
    for (const c of giant) {
      expect(c.text).toMatch(/^[A-Z]/);
      expect(c.text).toMatch(/\.$/);
    }
  });

  it('keeps list items and table rows whole', () => {
    const list = chunks.filter((c) => c.headingPath[0] === 'A long list');
    const table = chunks.filter((c) => c.headingPath[0] === 'A table');
    expect(list.length).toBeGreaterThan(2);
    expect(table.length).toBeGreaterThan(2);
    for (const c of list.slice(1)) expect(c.text).toMatch(/^- item \d+: [^]*\.$/);
    for (const c of table.slice(1)) expect(c.text).toMatch(/^\| \d+ \|[^]*\|$/);
  });

  it('handles CJK text without spaces within the window', () => {
    const cjk = chunks.filter((c) => c.headingPath[0] === '日本語');
    expect(cjk.length).toBeGreaterThan(1);
    for (const c of cjk.slice(1)) expect(c.text).toMatch(/^(東京|大阪)/);
  });

  it('is deterministic', () => {
    expect(chunkDocument(doc, options)).toEqual(chunks);
  });
});

describe('chunkDocument structure (fake token counter)', () => {
  const fake = new FakeEmbedder();
  const options = (maxTokens: number, overlapTokens = 0): ChunkOptions => ({
    maxTokens,
    overlapTokens,
    countTokens: (t) => fake.countTokens(t),
  });

  it('packs small blocks of one section into one chunk, separators included', () => {
    const doc = { title: 'Doc', blocks: [h('A', 1, []), p('One two.', ['A']), p('Three four.', ['A']), p('Five.', ['A'])] };
    const chunks = chunkDocument(doc, options(64));
    expect(chunks).toEqual([
      {
        index: 0,
        text: 'A\n\nOne two.\n\nThree four.\n\nFive.',
        start: 0,
        end: 31,
        headingPath: ['A'],
        tokenCount: fake.countTokens('Doc > A\nA\n\nOne two.\n\nThree four.\n\nFive.'),
      },
    ]);
  });

  it('starts a new chunk at each heading, never leaving one at the end of a chunk', () => {
    const doc = {
      title: 'Doc',
      blocks: [
        p('Preamble text.', []),
        h('A', 1, []),
        p('Alpha text.', ['A']),
        h('B', 2, ['A']),
        p('Beta text.', ['A', 'B']),
        h('C', 1, []),
        h('C1', 2, ['C']),
        p('Gamma text.', ['C', 'C1']),
      ],
    };
    const chunks = chunkDocument(doc, options(64, 8));
    expect(chunks.map((c) => [c.text, c.headingPath])).toEqual([
      ['Preamble text.', []],
      ['A\n\nAlpha text.', ['A']],
      ['B\n\nBeta text.', ['A', 'B']],
      // A heading with nothing under it but a subheading shares the subheading's chunk.
      ['C\n\nC1\n\nGamma text.', ['C', 'C1']],
    ]);
    expectValidChunks(doc, chunks, options(64, 8));
  });

  it('splits a long section at sentences with whole-sentence overlap, none across headings', () => {
    const text = Array.from({ length: 30 }, (_, k) => `Sentence number ${k} has exactly eight tokens.`).join(' ');
    const doc = { title: 'T', blocks: [h('S', 1, []), p(text, ['S']), h('U', 1, []), p(text, ['U'])] };
    const opts = options(40, 10);
    const chunks = chunkDocument(doc, opts);
    expectValidChunks(doc, chunks, opts);
    const s = chunks.filter((c) => c.headingPath[0] === 'S');
    const u = chunks.filter((c) => c.headingPath[0] === 'U');
    expect(s.length).toBeGreaterThan(3);
    for (let i = 1; i < s.length; i++) {
      const overlap = documentText(doc.blocks).slice(s[i]!.start, s[i - 1]!.end);
      // One whole 8-token sentence fits the 10-token allowance; two do not.
      expect(overlap).toMatch(/^Sentence number \d+ has exactly eight tokens\.$/);
    }
    expect(u[0]!.start).toBeGreaterThanOrEqual(s.at(-1)!.end);
    expect(u[0]!.text.startsWith('U\n\n')).toBe(true);
  });

  it('falls back to trailing words for overlap when no whole sentence fits', () => {
    const sentence = (k: number): string => `This rather long sentence number ${k} goes on and on for many words.`;
    const text = Array.from({ length: 12 }, (_, k) => sentence(k)).join(' ');
    const doc = { title: 'T', blocks: [p(text, [])] };
    const opts = options(40, 5);
    const chunks = chunkDocument(doc, opts);
    expectValidChunks(doc, chunks, opts);
    for (let i = 1; i < chunks.length; i++) {
      const overlap = text.slice(chunks[i]!.start, chunks[i - 1]!.end);
      expect(overlap.length).toBeGreaterThan(0);
      expect(fake.countTokens(overlap)).toBeLessThanOrEqual(5);
      expect(splitsWord(text, chunks[i]!.start)).toBe(false);
    }
  });

  it('keeps a table whole when it fits and splits it by rows when not', () => {
    const rows = Array.from({ length: 40 }, (_, k) => `| ${k} | v${k} |`);
    const small = { title: 'T', blocks: [block('table', rows.slice(0, 3).join('\n'), [])] };
    expect(chunkDocument(small, options(64)).map((c) => c.text)).toEqual([rows.slice(0, 3).join('\n')]);
    const big = { title: 'T', blocks: [block('table', rows.join('\n'), [])] };
    const chunks = chunkDocument(big, options(40));
    expectValidChunks(big, chunks, options(40));
    expect(chunks.length).toBeGreaterThan(3);
    for (const c of chunks) {
      for (const line of c.text.split('\n')) expect(rows).toContain(line);
    }
  });

  it('splits a list by items, keeping continuation lines with their item', () => {
    const items = Array.from({ length: 30 }, (_, k) => `${k + 1}. item ${k} first line\n   continued ${k}`);
    const doc = { title: 'T', blocks: [block('list', items.join('\n'), [])] };
    const chunks = chunkDocument(doc, options(30));
    expectValidChunks(doc, chunks, options(30));
    for (const c of chunks) {
      expect(c.text).toMatch(/^\d+\. item/);
      expect(c.text).toMatch(/continued \d+$/);
    }
  });

  it('splits a sentence longer than the budget at words, never inside one', () => {
    const text = `${Array.from({ length: 200 }, (_, k) => `word${k}`).join(' ')}.`;
    const doc = { title: 'T', blocks: [p(text, [])] };
    const chunks = chunkDocument(doc, options(32, 4));
    expectValidChunks(doc, chunks, options(32, 4));
    for (const c of chunks) {
      expect(splitsWord(text, c.start)).toBe(false);
      expect(splitsWord(text, c.end)).toBe(false);
    }
  });

  it('cuts an unbreakable run by characters only as a last resort', () => {
    // A counter that charges per 4 characters, so one long "word" exceeds any budget.
    const perChars: ChunkOptions = {
      maxTokens: 24,
      overlapTokens: 0,
      countTokens: (t) => t.split(/\s+/).filter(Boolean).reduce((n, w) => n + Math.ceil(w.length / 4), 0),
    };
    const blob = `${'Q'.repeat(1000)}\u{1F600}${'Z'.repeat(300)}`;
    const doc = { title: 'T', blocks: [p(`before ${blob} after`, [])] };
    const chunks = chunkDocument(doc, perChars);
    expectValidChunks(doc, chunks, perChars);
    expect(chunks.map((c) => c.text).join('').replace(/\s+/g, '')).toBe(`before${blob}after`);
    // Never between the two halves of a surrogate pair.
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (const c of chunks) expect(c.text).not.toMatch(loneSurrogate);
  });

  it('ignores empty blocks', () => {
    expect(chunkDocument({ title: 'T', blocks: [p('', []), p('  \n ', [])] }, options(64))).toEqual([]);
    const doc = { title: 'T', blocks: [p('', []), p('Only text.', []), p(' ', [])] };
    expect(chunkDocument(doc, options(64)).map((c) => [c.text, c.start, c.end])).toEqual([['Only text.', 2, 12]]);
  });

  it('takes the page of the first block in the chunk', () => {
    const doc = { title: 'T', blocks: [p('First page text.', [], 1), p('Second page text.', [], 2), p('x '.repeat(50), [], 3)] };
    const chunks = chunkDocument(doc, options(40));
    // Blocks of one section are packed, so the second page's text joins the first chunk.
    expect(chunks.map((c) => c.page)).toEqual([1, 3]);
    expect(chunks[1]!.start).toBeGreaterThan(documentText(doc.blocks).indexOf('x'));
  });

  it('drops outer headings when the context would take more than half the window', () => {
    const long = 'very long heading text '.repeat(8).trim();
    const doc = { title: 'T', blocks: [p('Body text.', [long, 'Inner'])] };
    const chunks = chunkDocument(doc, options(40));
    expect(chunks[0]!.headingPath).toEqual(['Inner']);
    expectValidChunks(doc, chunks, options(40));
  });

  it('rejects a title longer than half the window and bad options', () => {
    const doc = { title: 'word '.repeat(30), blocks: [p('Body.', [])] };
    expect(() => chunkDocument(doc, options(40))).toThrow(ChunkingError);
    expect(() => chunkDocument({ title: 'T', blocks: [] }, options(2))).toThrow(ChunkingError);
    expect(() => chunkDocument({ title: 'T', blocks: [] }, { ...options(64), overlapTokens: -1 })).toThrow(ChunkingError);
  });
});
