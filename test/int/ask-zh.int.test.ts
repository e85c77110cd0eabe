import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askKgrag, type Kgrag } from '../../src/app.ts';
import type { AskResult } from '../../src/planner/types.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';
import { writeZhGraph } from '../support/zh-graph.ts';

const ARTICLE = `# 检索增强生成中的融合方法

检索增强生成（RAG）系统通常同时使用向量检索和关键词检索。倒数排序融合（Reciprocal Rank Fusion，RRF）是一种把多个检索结果列表合并为一个列表的方法，它按照每个文档在各列表中的排名倒数求和来打分。这种方法不需要对不同检索器的分数进行归一化。

知识图谱可以帮助RAG处理结构化数据：实体和关系被存储为节点和边，计数和筛选类问题可以直接用图查询精确回答。相比微调，RAG的优点是知识可以随时更新，而且每个回答都能给出引用来源。
`;

/**
 * Chinese questions over a small Chinese company graph (records with Chinese names and values) and
 * a Chinese article: exact answers in Chinese, abstention when a word maps onto nothing, and an
 * open question answered by quoting a whole Chinese sentence with its citation.
 */
describe('ask in Chinese', () => {
  let app: Kgrag;
  const c = uniqueCollection('ask-zh');
  const files = tempFiles({ 'rag.md': ARTICLE });
  const ask = (question: string): Promise<AskResult> => askKgrag(app, question, { collections: [c], asOf: '2025-06-30' });
  const names = (r: AskResult) => r.rows.map((row) => row.name).sort();

  beforeAll(async () => {
    app = await openTestApp();
    await writeZhGraph(app, c);
    await ingestInto(app, [files.path('rag.md')], { collection: c });
    app.catalogs.invalidate();
  }, 240_000);
  afterAll(async () => {
    await dropCollections(app, [c]);
    await app.close();
    files.cleanup();
  });

  it('counts, with a value looked up in the graph, and answers in Chinese', async () => {
    const r = await ask('研发部有多少名员工？');
    expect(r.plan.strategy).toBe('structured');
    expect(r.rows).toEqual([{ count: 3 }]);
    expect(r.answer).toMatch(/^共有 3 个.*研发部/);
    expect(Object.values(r.cypher.find((x) => x.origin === 'parser')!.params)).toContain('研发部');
    expect((await ask('2023年之后入职的员工有多少个？')).rows).toEqual([{ count: 1 }]);
  });

  it('lists by a stored Chinese value, a comparison and a date', async () => {
    expect(names(await ask('状态为进行中的项目有哪些？'))).toEqual(['北斗', '天枢'].sort());
    expect(names(await ask('哪些任务受阻？'))).toEqual(['性能测试', '编写接口文档'].sort());
    expect(names(await ask('工资超过30000的员工有哪些？'))).toEqual(['张伟', '王芳', '陈静'].sort());
    expect(names(await ask('截止日期在2025年6月之前的任务有哪些？'))).toEqual(['合同评审', '编写接口文档', '设计数据模型'].sort());
  });

  it('keeps a value with the property word it follows, and a negated value with its own property', async () => {
    // 优先级为高 owns 高; 完成 is a status, not a second priority.
    const r = await ask('哪些优先级为高的任务尚未完成？');
    expect(r.plan.strategy).toBe('structured');
    expect(names(r)).toEqual(['性能测试', '搭建数据管道'].sort());
  }, 60_000);

  it('ranks and aggregates', async () => {
    const top = await ask('工资最高的三名员工是谁？');
    expect(top.rows.map((r) => r.name)).toEqual(['王芳', '张伟', '陈静']);
    expect(top.answer).toContain('从高到低');
    expect((await ask('最早入职的员工是谁？')).rows.map((r) => r.name)).toEqual(['王芳']);
    expect((await ask('员工的平均工资是多少？')).rows[0]!.value).toBeCloseTo(42166.67, 1);
    expect((await ask('李娜的工资是多少？')).answer).toBe('李娜的工资是 30000。');
  });

  it('follows relationships both ways', async () => {
    expect(names(await ask('向张伟汇报的员工有哪些？'))).toEqual(['刘洋', '李娜'].sort());
    expect(names(await ask('张伟向谁汇报？'))).toEqual(['王芳']);
    expect(names(await ask('张伟负责哪些项目？'))).toEqual(['天枢', '灯塔'].sort());
    expect(names(await ask('谁负责北斗项目？'))).toEqual(['陈静']);
  });

  it('reads an English question naming Chinese records, and answers it in English', async () => {
    const r = await ask('Which employees report to 张伟?');
    expect(names(r)).toEqual(['刘洋', '李娜'].sort());
    expect(r.answer).toMatch(/^2 people/);
  });

  it('does not run a parse with a word the graph has nothing for, and says so in Chinese', async () => {
    const r = await ask('张伟的电话号码是多少？');
    expect(r.plan.strategy).not.toBe('structured');
    expect(r.found).toBe(false);
    expect(r.rows).toEqual([]);
    expect(r.answer).toMatch(/^(知识库中没有找到|无法根据知识图谱回答)/);
  });

  it('answers an open question by quoting a whole Chinese sentence with a citation', async () => {
    const r = await ask('什么是倒数排序融合？');
    expect(r.found).toBe(true);
    expect(r.citations.length).toBeGreaterThan(0);
    // Text is NFKC-normalised at ingest: the full-width brackets and comma of the source become ASCII.
    expect(r.citations[0]!.quote).toMatch(/^倒数排序融合\(Reciprocal Rank Fusion,RRF\)是一种.*方法,.*打分。$/);
    expect(r.answer).toContain('[1]');
  });
});
