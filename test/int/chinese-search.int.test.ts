import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import { retrieverOf } from '../../src/app.ts';
import type { SearchMode } from '../../src/domain/types.ts';
import { reembed } from '../../src/embedding/reembed.ts';
import type { Embedder } from '../../src/embedding/embedder.ts';
import { EmbeddingError, ModelMismatchError } from '../../src/errors.ts';
import { getDocument } from '../../src/graph/documents.ts';
import { applySchema } from '../../src/graph/schema.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

// Three Chinese articles on different subjects, one with English terms, one with compatibility
// characters (Kangxi radical U+2F46 for 无, full-width letters and punctuation) as PDFs give them.
const RRF_MD = `# 倒数排序融合

倒数排序融合（Reciprocal Rank Fusion，RRF）是一种把多个检索结果列表合并成一个列表的方法。每个文档的得分是它在各个列表中排名的倒数之和，常数k通常取60。混合检索把向量检索和BM25全文检索的结果用RRF融合，不需要调整分数的尺度。
`;
const TEA_TXT = `龙井茶的制作

龙井茶产于杭州西湖一带，是中国著名的绿茶。采摘嫩芽以后，茶农要在铁锅里手工炒制，经过杀青、理条和辉锅等步骤，茶叶变得扁平光滑，颜色翠绿，香气清高。
`;
const GRAPH_TXT = `知识图谱与ＲＡＧ

知识图谱把实体和关系存储在图数据库中，例如Neo4j。ＲＡＧ系统可以沿着关系查询结构化数据⽆需大模型生成Cypher，从而回答计数和筛选问题！
`;

describe('Chinese documents: ingest and search in every mode', () => {
  let app: Kgrag;
  const ZH = uniqueCollection('zh');
  const files = tempFiles({ 'rrf.md': RRF_MD, 'tea.txt': TEA_TXT, 'graph.txt': GRAPH_TXT });

  beforeAll(async () => {
    app = await openTestApp();
    const summary = await ingestInto(app, [files.dir], { collection: ZH });
    expect(summary.failed).toBe(0);
    expect(summary.documents).toBe(3);
  }, 300_000);
  afterAll(async () => {
    await dropCollections(app, [ZH]);
    await app.close();
    files.cleanup();
  });

  const top = async (query: string, mode: SearchMode) =>
    (await retrieverOf(app).search(query, { collections: [ZH], k: 3, mode }))[0]?.title;

  it.each(['vector', 'fulltext', 'hybrid'] as const)('finds each article by a Chinese question (%s)', async (mode) => {
    expect(await top('什么是倒数排序融合?', mode)).toBe('倒数排序融合');
    expect(await top('龙井茶是怎么炒制的？', mode)).toBe('龙井茶的制作');
    expect(await top('知识图谱如何帮助处理结构化数据', mode)).toBe('知识图谱与RAG');
  });

  it.each(['fulltext', 'hybrid'] as const)('matches English terms inside Chinese text, and full-width forms (%s)', async (mode) => {
    expect(await top('Reciprocal Rank Fusion', mode)).toBe('倒数排序融合');
    expect(await top('Neo4j 图数据库', mode)).toBe('知识图谱与RAG');
    expect(await top('ＢＭ２５全文检索', mode)).toBe('倒数排序融合');
  });

  it('stores NFKC text: compatibility characters and full-width forms are folded', async () => {
    const hits = await retrieverOf(app).search('无需大模型', { collections: [ZH], k: 1, mode: 'fulltext' });
    expect(hits[0]?.title).toBe('知识图谱与RAG');
    const doc = await getDocument(app.db, hits[0]!.documentId, [ZH]);
    const text = doc!.chunks.map((c) => c.text).join('\n');
    expect(text).toContain('无需');
    expect(text).not.toContain('\u2F46');
    expect(text).toContain('RAG系统');
    expect(text).toContain('问题!');
  });

  it('re-embedding with the configured model is a no-op on a database already on it', async () => {
    const summary = await reembed(app.db, app.embedder!, app.logger, { collections: [ZH] });
    expect(summary).toMatchObject({ documents: 0, chunks: 0, remaining: 0, switched: true });
  });

  it('re-embeds documents of another model resumably; searches are refused until none is left', async () => {
    await app.db.write("MATCH (d:Document) WHERE d.collection = $c SET d.embeddingModel = 'an-older-model'", { c: ZH });
    const identity = { model: app.embedder!.modelId, dimension: app.embedder!.dimension };
    await expect(applySchema(app.db, identity, app.logger)).rejects.toThrow(ModelMismatchError);
    await expect(applySchema(app.db, identity, app.logger)).rejects.toThrow(/kgrag reembed/);

    // The first run dies after one batch of one document: that document stays done.
    let calls = 0;
    const failing: Embedder = Object.assign(Object.create(app.embedder!) as Embedder, {
      embedDocuments: (texts: string[]) => (++calls > 1 ? Promise.reject(new EmbeddingError('interrupted')) : app.embedder!.embedDocuments(texts)),
    });
    await expect(reembed(app.db, failing, app.logger, { collections: [ZH], batchDocuments: 1 })).rejects.toThrow('interrupted');
    await expect(applySchema(app.db, identity, app.logger)).rejects.toThrow(ModelMismatchError);

    const summary = await reembed(app.db, app.embedder!, app.logger, { collections: [ZH], batchDocuments: 1 });
    expect(summary).toMatchObject({ documents: 2, remaining: 0, switched: true });
    await applySchema(app.db, identity, app.logger);
    expect(await top('龙井茶是怎么炒制的？', 'vector')).toBe('龙井茶的制作');
  });
});
