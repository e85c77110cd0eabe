import { describe, expect, it } from 'vitest';
import { chineseSentences, OfflineExtractor } from '../../src/extraction/offline.ts';
import { parsePatternFile } from '../../src/extraction/offline/patterns.ts';
import { viterbi } from '../../src/extraction/offline/zh/lac.ts';
import type { ChunkExtraction, ExtractedRelation } from '../../src/extraction/types.ts';
import { ConfigError } from '../../src/errors.ts';
import { matchNames } from '../../src/resolution/matching.ts';
import { normalizeName } from '../../src/resolution/normalize.ts';

// Sentences here are fresh: none of them is in test/gold/extraction-zh*.jsonl. The Chinese tagger
// (LAC) is the one `npm run setup` prepares under .kgrag/models-extra/lac.

const extractor = new OfflineExtractor();

async function run(text: string): Promise<ChunkExtraction> {
  const result = await extractor.extract([{ chunkId: 'c1', text, documentTitle: 'test' }]);
  expect(result.failures).toEqual([]);
  return result.extractions[0]!;
}
const show = (r: ExtractedRelation) => `${r.type} ${r.source.name} > ${r.target.name}`;
async function relations(text: string): Promise<string[]> {
  return (await run(text)).relations.map(show).sort();
}
async function entities(text: string): Promise<string[]> {
  return (await run(text)).entities.map((e) => `${e.type}:${e.name}`).sort();
}

describe('Chinese offline extraction', () => {
  it('types people, organisations, places and values', async () => {
    const found = await entities('2023年5月,王丽华在杭州加入了蓝湾科技有限公司,年薪为45万元,团队有120名员工,增长了15%。');
    expect(found).toEqual(
      expect.arrayContaining(['Person:王丽华', 'Place:杭州', 'Organization:蓝湾科技有限公司', 'Date:2023年5月', 'Money:45万元', 'Quantity:120名员工', 'Percent:15%']),
    );
    const date = (await run('会议定于2024年3月8日举行。')).entities.find((e) => e.type === 'Date');
    expect(date?.properties).toEqual({ value: '2024-03-08' });
  });

  it('finds the relations of the pattern file in several phrasings', async () => {
    expect(await relations('赵明轩担任银河证券的首席执行官。')).toContain('WORKS_FOR 赵明轩 > 银河证券');
    expect(await relations('潮汐软件由孙嘉怡于2014年创办。')).toContain('FOUNDED 孙嘉怡 > 潮汐软件');
    expect(await relations('青峰集团以3亿元收购了白杨数据。')).toContain('ACQUIRED 青峰集团 > 白杨数据');
    expect(await relations('白杨数据被青峰集团收购。')).toContain('ACQUIRED 青峰集团 > 白杨数据');
    expect(await relations('远航物流总部位于天津。')).toContain('HEADQUARTERED_IN 远航物流 > 天津');
    expect(await relations('宋雨薇向技术总监石磊汇报。')).toContain('REPORTS_TO 宋雨薇 > 石磊');
    expect(await relations('星海银行与南方大学签署了合作协议。')).toContain('PARTNERS_WITH 星海银行 > 南方大学');
  });

  it('gives the role, the date and the price as properties', async () => {
    const works = (await run('钱美玲是蓝湾科技有限公司的首席财务官。')).relations.find((r) => r.type === 'WORKS_FOR');
    expect(works?.properties).toEqual({ role: 'CFO' });
    const acquired = (await run('2022年6月,青峰集团以3亿元收购了白杨数据。')).relations.find((r) => r.type === 'ACQUIRED');
    expect(acquired?.properties).toEqual({ price: '3亿元', date: '2022-06' });
  });

  it('keeps role words out of names and descriptions out of company names', async () => {
    const found = await run('资深软件工程师周岚在蓝湾科技有限公司工作。');
    expect(found.entities.filter((e) => e.type === 'Organization').map((e) => e.name)).toEqual(['蓝湾科技有限公司']);
    expect(found.relations.map(show)).toEqual(['WORKS_FOR 周岚 > 蓝湾科技有限公司']);
    expect(found.relations[0]!.properties).toEqual({ role: '资深软件工程师' });
    expect(await relations('青峰集团收购了荷兰芯片公司阿斯卡。')).toEqual(['ACQUIRED 青峰集团 > 阿斯卡']);
  });

  it('takes nothing from negated, hedged, planned statements or questions', async () => {
    expect(await relations('赵明轩不再担任银河证券的首席执行官。')).toEqual([]);
    expect(await relations('据传青峰集团可能会收购白杨数据。')).toEqual([]);
    expect(await relations('青峰集团计划与南方大学合作。')).toEqual([]);
    expect(await relations('赵明轩是银河证券的首席执行官吗?')).toEqual([]);
  });

  it('keeps an English name given in brackets as an alias of the organisation', async () => {
    const found = await run('潮汐软件有限公司(Tide Software)总部位于厦门。');
    const org = found.entities.find((e) => e.type === 'Organization');
    expect(org).toMatchObject({ name: '潮汐软件有限公司', aliases: ['Tide Software'] });
    expect(found.relations.map(show)).toEqual(['HEADQUARTERED_IN 潮汐软件有限公司 > 厦门']);
  });

  it('reads English and Chinese sentences of one chunk each with its own rules', async () => {
    const found = await run('Maria Chen is the CEO of Harbor Labs. 赵明轩担任银河证券的首席执行官。');
    expect(found.relations.map(show).sort()).toEqual(['WORKS_FOR Maria Chen > Harbor Labs', 'WORKS_FOR 赵明轩 > 银河证券']);
  });

  it('splits Chinese sentences at full-width and half-width ends, leaving English sentences out', () => {
    const text = 'Hello there. 第一句。第二句!第三句;\nEnglish only.';
    expect(chineseSentences(text).map(([a, b]) => text.slice(a, b))).toEqual(['第一句。', '第二句!', '第三句;']);
  });

  it('decodes the best tag path with the CRF transitions', () => {
    // Two tags; tag 1 is likelier per step, but 1 → 1 is forbidden by the transitions.
    const emissions = Float32Array.from([0, 1, 0, 1, 0, 1]);
    const transitions = Float32Array.from([0, 0, 0, -10]);
    expect(viterbi(emissions, 3, 2, transitions)).toEqual([1, 0, 1]);
  });

  it('rejects a Chinese template with a syntax error, naming the pattern', () => {
    const file = { patterns: [{ id: 'zh-broken', language: 'zh', relation: 'WORKS_FOR', subject: 'Person', object: 'Organization', match: ['$subject 在 $obj 工作'] }] };
    expect(() => parsePatternFile(file, 'user.json')).toThrow(ConfigError);
    expect(() => parsePatternFile(file, 'user.json')).toThrow(/zh-broken/);
  });
});

describe('Chinese name normalisation', () => {
  it('drops Chinese legal forms from organisation names but keeps the industry word', () => {
    expect(normalizeName('云杉数据科技有限公司', 'Organization')).toBe('云杉数据科技');
    expect(normalizeName('东方银行股份有限公司', 'Organization')).toBe('东方银行');
    expect(normalizeName('华夏零售集团', 'Organization')).toBe('华夏零售');
    // Nothing is left of a name that is only a legal form: it stays as it is.
    expect(normalizeName('集团公司', 'Organization')).toBe('集团公司');
    expect(matchNames('华夏零售集团', '华夏零售', 'Organization')?.method).toBe('exact');
  });

  it('folds full-width forms and compatibility characters', () => {
    expect(normalizeName('Ａｃｍｅ　Ａｎａｌｙｔｉｃｓ', 'Organization')).toBe('acme analytics');
    expect(normalizeName('⽆锡', 'Place')).toBe('无锡');
    expect(normalizeName('张伟先生', 'Person')).toBe('张伟');
  });

  it('never merges two different Chinese people who share a surname', () => {
    expect(matchNames('张伟', '张敏', 'Person')).toBeNull();
    expect(matchNames('张伟', '张伟', 'Person')?.method).toBe('exact');
  });
});
