import { describe, expect, it } from 'vitest';
import { MAX_SENTENCE_CHARS, splitSentences } from '../../src/answer/sentences.ts';

const texts = (s: string) => splitSentences(s).map((x) => x.text);

describe('splitSentences', () => {
  it('ends Chinese sentences at 。！？； and …… with or without a following space', () => {
    expect(texts('知识图谱是什么？它是一种图结构。真好！第一；第二……然后呢')).toEqual([
      '知识图谱是什么？',
      '它是一种图结构。',
      '真好！',
      '第一；',
      '第二……',
      '然后呢',
    ]);
  });

  it('keeps closing quotes and brackets with the sentence they close', () => {
    expect(texts('他说：“我们明天出发。”然后离开了。（这是注释。）最后一句。')).toEqual([
      '他说：“我们明天出发。”',
      '然后离开了。',
      '（这是注释。）',
      '最后一句。',
    ]);
  });

  it('ends a sentence at the ASCII ! ? ; that NFKC makes of full-width forms, after Chinese only', () => {
    expect(texts('RAG有哪些优点?检索更准确!成本更低;部署简单')).toEqual(['RAG有哪些优点?', '检索更准确!', '成本更低;', '部署简单']);
    expect(texts('Use a; b and c. Then stop')).toEqual(['Use a; b and c.', 'Then stop']);
  });

  it('handles mixed Chinese and English with English rules for English sentences', () => {
    expect(texts('Dr. Smith met Mr. Jones in the U.S. Army. 他们在北京见面。The end.')).toEqual([
      'Dr. Smith met Mr. Jones in the U.S. Army.',
      '他们在北京见面。',
      'The end.',
    ]);
  });

  it('returns offsets that slice the original text', () => {
    const text = '  第一句。 Second one! 第三句？\n\n- item';
    for (const s of splitSentences(text)) expect(text.slice(s.start, s.end)).toBe(s.text);
  });

  it('splits a huge unbroken input into bounded pieces that cover it', () => {
    const run = '数据'.repeat(60_000);
    const spans = splitSentences(run);
    expect(spans.length).toBeGreaterThanOrEqual(Math.ceil(run.length / MAX_SENTENCE_CHARS));
    for (const s of spans) expect(s.text.length).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
    expect(spans.map((s) => s.text).join('')).toBe(run);
  });

  it('cuts an over-long sentence at a space or comma when there is one', () => {
    const text = Array.from({ length: 400 }, (_, i) => `word${i}`).join(' ');
    for (const s of splitSentences(text)) {
      expect(s.text.length).toBeLessThanOrEqual(MAX_SENTENCE_CHARS);
      expect(s.text).toMatch(/^word\d+(?: word\d+)*$/);
    }
  });

  it('splits 400 KB of short English sentences into each sentence', () => {
    const text = 'It rained. '.repeat(40_000);
    expect(splitSentences(text)).toHaveLength(40_000);
  });
});
