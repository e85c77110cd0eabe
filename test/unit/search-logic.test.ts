import { describe, expect, it } from 'vitest';
import type { SearchResult } from '../../src/domain/types.ts';
import { embeddingInput } from '../../src/domain/types.ts';
import { chunkFulltextIndex, toLuceneQuery } from '../../src/graph/search.ts';
import { scoreFusion } from '../../src/retrieval/search.ts';

const hit = (chunkId: string, score = 1): SearchResult => ({
  chunkId, documentId: 'd', title: 't', source: 's', page: null, text: chunkId, score, collection: 'c',
});

describe('fulltext query escaping', () => {
  it('escapes every Lucene operator so user text is never query syntax', () => {
    expect(toLuceneQuery('C++ AND (x OR y) title:secret "quoted" wild* fuzzy~2 a/b')).toBe(
      'C\\+\\+ and \\(x or y\\) title\\:secret \\"quoted\\" wild\\* fuzzy\\~2 a\\/b',
    );
  });
  it('drops tokens that are only punctuation and returns empty for no words', () => {
    expect(toLuceneQuery('  -- !! ?? ')).toBe('');
    expect(toLuceneQuery('what is - the  answer ?')).toBe('what is the answer');
  });
  it('keeps non-Latin words', () => {
    expect(toLuceneQuery('東京 Zürich')).toBe('東京 Zürich');
  });
});

describe('hybrid score fusion', () => {
  it('ranks a passage found high by both lists above passages found by one', () => {
    const fused = scoreFusion([
      [hit('a', 0.9), hit('both', 0.8), hit('b', 0.1)],
      [hit('c', 12), hit('both', 11), hit('d', 2)],
    ]);
    expect(fused[0]?.chunkId).toBe('both');
    expect(fused[0]?.score).toBeCloseTo((0.7 / 0.8 + 9 / 10) / 2);
    expect(fused.map((h) => h.chunkId).sort()).toEqual(['a', 'b', 'both', 'c', 'd']);
  });
  it('keeps the margin that ranks lose: a clear lexical winner beats a near tie of vectors', () => {
    // Mirrored ranks: reciprocal rank fusion would tie x and y exactly.
    const fused = scoreFusion([
      [hit('y', 0.900), hit('x', 0.899), hit('z', 0.5)],
      [hit('x', 20), hit('y', 8), hit('z', 2)],
    ]);
    expect(fused.map((h) => h.chunkId)).toEqual(['x', 'y', 'z']);
  });
  it('counts a list of one hit, or of equal scores, as all best; ties are deterministic', () => {
    expect(scoreFusion([[hit('only', 0.3)], []]).map((h) => [h.chunkId, h.score])).toEqual([['only', 0.5]]);
    const fused = scoreFusion([[hit('y', 2), hit('w', 2)], [hit('x', 5)]]);
    expect(fused.map((h) => h.chunkId)).toEqual(['x', 'y', 'w']);
  });
});

describe('embedding input', () => {
  it('prefixes title and headings, dropping a heading equal to the title', () => {
    expect(embeddingInput('Guide', ['Guide', 'Setup'], 'Install it.')).toBe('Guide > Setup\nInstall it.');
    expect(embeddingInput('', [], 'Bare text')).toBe('Bare text');
  });
});

describe('chunkFulltextIndex', () => {
  it('uses the bigram index for Chinese, Japanese and Korean, also mixed with English', () => {
    expect(chunkFulltextIndex('什么是倒数排序融合?')).toBe('chunk_fulltext_cjk');
    expect(chunkFulltextIndex('RAG相比微调有哪些优点')).toBe('chunk_fulltext_cjk');
    expect(chunkFulltextIndex('東京の人口')).toBe('chunk_fulltext_cjk');
    expect(chunkFulltextIndex('서울')).toBe('chunk_fulltext_cjk');
    expect(chunkFulltextIndex('reciprocal rank fusion')).toBe('chunk_fulltext');
    expect(chunkFulltextIndex('Zürich café')).toBe('chunk_fulltext');
  });

  it('folds full-width forms in the query as ingest does', () => {
    expect(toLuceneQuery('ＲＡＧ　检索')).toBe('RAG 检索');
  });
});
