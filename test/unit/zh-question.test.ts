import { describe, expect, it } from 'vitest';
import { extractiveAnswer } from '../../src/answer/extractive.ts';
import type { RetrievedContext } from '../../src/planner/types.ts';
import { arabicNumerals, chineseNumber, isFinishedState, valueVariants } from '../../src/planner/zh/lexicon.ts';
import { fineWords, isChinese } from '../../src/planner/zh/segment.ts';

const context = (text: string, title = '常见问题'): RetrievedContext => ({
  passages: [{ chunkId: 'c1', documentId: 'd1', title, source: 'faq.md', page: null, text, score: 1, via: 'search' }],
  facts: [],
  entities: [],
  cypher: [],
});

describe('Chinese question words', () => {
  it('reads Chinese numerals where they count or rank, and leaves other characters alone', () => {
    expect(chineseNumber('三')).toBe(3);
    expect(chineseNumber('十二')).toBe(12);
    expect(chineseNumber('二十五')).toBe(25);
    expect(arabicNumerals('工资最高的三名员工')).toBe('工资最高的3名员工');
    expect(arabicNumerals('预算前五的项目')).toBe('预算前5的项目');
    expect(arabicNumerals('哪一个项目')).toBe('哪一个项目');
    expect(isChinese('Which employees report to 张伟?')).toBe(true);
    expect(isChinese('Which employees report to Jane?')).toBe(false);
  });

  it('finds a stored state however the question says it', () => {
    expect(valueVariants('受阻')).toContain('已阻塞');
    expect(valueVariants('被阻塞')).toContain('阻塞');
    expect(valueVariants('完成')).toContain('已完成');
    expect(valueVariants('Atlas')).toEqual([]);
    expect(isFinishedState('已完成')).toBe(true);
    expect(isFinishedState('进行中')).toBe(false);
  });

  it('cuts a compound the same way wherever it stands', () => {
    expect(fineWords('知识图谱如何帮助RAG')).toEqual(expect.arrayContaining(['知识', '图谱']));
    expect(fineWords('知识图谱通过三种方式')).toEqual(expect.arrayContaining(['知识', '图谱']));
  });
});

describe('extractive answers from Chinese passages', () => {
  it('quotes the whole sentence that defines what is asked, cited', async () => {
    const r = await extractiveAnswer('什么是向量检索？', context('向量检索是一种按语义相似度查找段落的方法。它依赖嵌入模型。全文检索则按关键词查找。'));
    expect(r.found).toBe(true);
    expect(r.answer).toBe('向量检索是一种按语义相似度查找段落的方法。 [1]');
    expect(r.citations[0]!.quote).toBe('向量检索是一种按语义相似度查找段落的方法。');
  });

  it('answers from the sentences under a heading that asks the question, never with the heading', async () => {
    const text = '混合检索有哪些优点？\n\n- 对同义表达和精确术语都有较好的召回；\n- 合并简单稳定。\n\n什么是分词？\n\n分词是把句子切成词语。';
    const r = await extractiveAnswer('混合检索有哪些优点?', context(text));
    expect(r.found).toBe(true);
    expect(r.citations[0]!.quote).toContain('同义表达和精确术语');
    expect(r.answer).not.toContain('？');
    expect(r.answer).not.toContain('分词');
  });

  it('says it does not know when the asked word is nowhere in the passages', async () => {
    const r = await extractiveAnswer('东方银行的行长是谁？', context('东方银行首席风险官赵国华对阶段成果表示满意。'));
    expect(r.found).toBe(false);
  });
});
