/**
 * Structured answers in Chinese, for Chinese questions: the same rows as the English sentence,
 * said in Chinese. Labels and properties are named with the general Chinese word whose gloss
 * matches them (Task → 任务, salary → 工资), else by their own name.
 */
import type { Row } from '../../graph/executor.ts';
import { format } from '../../answer/structured.ts';
import type { Condition, QuerySpec } from '../compile.ts';
import { nameWords, stem, synonymsOf } from '../lexicon.ts';
import { ZH_WORDS } from './lexicon.ts';

const FN = { count: '数量', sum: '总', avg: '平均', min: '最低', max: '最高' } as const;

export const zhMessages = {
  notFound: '知识库中没有找到这个问题的答案。',
  unmapped: (reason: string) => `无法根据知识图谱回答这个问题。${reason}`,
};

/** The Chinese general word for a schema name: the first lexicon word whose gloss names it, exactly or by synonym. */
function zhName(name: string): string {
  const words = nameWords(name);
  const key = words.join(' ');
  const stems = words.map(stem);
  let synonym: string | undefined;
  for (const [zh, w] of Object.entries(ZH_WORDS)) {
    if (w.kind !== 'word') continue;
    const gloss = w.en.split(' ').map(stem);
    if (w.en === key || gloss.join(' ') === stems.join(' ')) return zh;
    if (!synonym && gloss.length === 1 && stems.length === 1 && synonymsOf(stems[0]!).includes(gloss[0]!)) synonym = zh;
  }
  // "salaryUsd": its first word names it when no gloss has both.
  if (!synonym && stems.length > 1) {
    for (const [zh, w] of Object.entries(ZH_WORDS)) if (w.kind === 'word' && w.en.split(' ').map(stem).join(' ') === stems[0]) return zh;
  }
  return synonym ?? words.join(' ');
}

function list(items: string[]): string {
  return items.join('、');
}

function condition(c: Condition): string {
  const p = zhName(c.property);
  if (c.average) return `${p}${c.op === '<' ? '低于' : '高于'}平均值`;
  const v = Array.isArray(c.value) ? c.value.map(format).join(' 或 ') : format(c.value);
  const date = c.kind === 'date';
  switch (c.op) {
    case '=':
      return c.kind === 'boolean' ? (c.value ? p : `非${p}`) : `${p}为${v}`;
    case 'in':
      return `${p}为${v}`;
    case '<>':
    case 'notIn':
      return `${p}不为${v}`;
    case 'contains':
      return `${p}包含“${v}”`;
    case 'startsWith':
      return `${p}以“${v}”开头`;
    case 'endsWith':
      return `${p}以“${v}”结尾`;
    case 'isNull':
      return `没有${p}`;
    case 'isNotNull':
      return `有${p}`;
    case '<':
      return `${p}${date ? '早于' : '低于'}${v}`;
    case '<=':
      return `${p}${date ? '不晚于' : '不超过'}${v}`;
    case '>':
      return `${p}${date ? '晚于' : '超过'}${v}`;
    case '>=':
      return `${p}${date ? '不早于' : '至少'}${v}`;
  }
}

/** "（状态为受阻；与张伟相关）": what the target was filtered by. */
function describe(spec: QuerySpec, withNames = true): string {
  const target = spec.nodes[0]!;
  const parts: string[] = [];
  if (target.conditions.length) parts.push(target.conditions.map(condition).join('，'));
  if (target.names && withNames) parts.push(`名为${list(target.names)}`);
  for (const n of spec.nodes.slice(1).filter((x) => x.ids || x.conditions.length)) {
    const who = n.names ? list(n.names) : `${n.conditions.map(condition).join('，')}的${zhName(n.label)}`;
    const via = spec.edges.filter((e) => e.to === n.v || e.from === n.v).map((e) => e.type);
    parts.push(`与${who}相关${via.length ? `（${via.join('、')}）` : ''}`);
  }
  for (const e of spec.exists) {
    const other = e.nodes[e.nodes.length - 1]!;
    parts.push(`${e.negated ? '没有' : '有'}${zhName(other.label)}（${e.edges.map((x) => x.type).join('、')}）`);
  }
  return parts.length ? `（${parts.join('；')}）` : '';
}

export function renderStructuredZh(spec: QuerySpec, rows: Row[], truncated = false): string {
  const target = spec.nodes[0]!;
  const label = zhName(target.label);
  const r = spec.result;
  const what = describe(spec);
  switch (r.kind) {
    case 'count':
      return `共有 ${Number(rows[0]?.count ?? 0)} 个${label}${what}。`;
    case 'chain': {
      const who = target.names ? list(target.names) : label;
      if (rows.length === 0) return `${who}没有可以追溯的 ${r.type} 关系。`;
      return `${who} → ${rows.map((row) => format(row.name)).join(' → ')}（${r.type}，由近及远）。`;
    }
    case 'check': {
      const who = target.names ? list(target.names) : label;
      const conditions = describe(spec, false);
      return rows[0]?.answer === true ? `是：${who}${conditions}。` : `否：${who}不符合${conditions}。`;
    }
    case 'aggregate': {
      const value = rows[0]?.value;
      const over = Number(rows[0]?.over ?? 0);
      if (value === null || value === undefined || over === 0) return `没有${label}${what}有${zhName(r.property)}，无法计算。`;
      return `${FN[r.fn]}${zhName(r.property)}为 ${format(value)}（共 ${over} 个${label}${what}）。`;
    }
    case 'value': {
      if (rows.length === 0) return `知识图谱中没有${target.names ? list(target.names) : label}的${zhName(r.property)}。`;
      return rows
        .map((row) => {
          if (r.temporal === 'years') return `${format(row.name)}：${format(row.years)} 年（${zhName(r.property)} ${format(row.value)}，截至 ${r.asOf}）。`;
          if (r.temporal === 'days') return `${format(row.name)}：${format(row.days)} 天（${zhName(r.property)} ${format(row.value)}，截至 ${r.asOf}）。`;
          if (r.temporal === 'until-days') return `${format(row.name)}：距 ${format(row.value)} 还有 ${format(row.days)} 天（截至 ${r.asOf}）。`;
          return `${format(row.name)}的${zhName(r.property)}是 ${format(row.value)}。`;
        })
        .join('');
    }
    case 'list': {
      if (rows.length === 0) return `没有找到符合条件的${label}${what}。`;
      if (r.byName) {
        // Names that repeat: each once, with how many nodes bear it.
        const total = rows.reduce((n, row) => n + Number(row.nodes ?? 0), 0);
        return `${truncated ? '至少' : '共'} ${total} 个${label}${what}，${rows.length} 个名称：${list(rows.map((row) => `${format(row.name)}（${format(row.nodes)}）`))}。`;
      }
      // Cut at the row cap: the number is a floor, not the count.
      const head = truncated ? `超过 ${rows.length} 个${label}${what}（仅列出前 ${rows.length} 个）` : `共 ${rows.length} 个${label}${what}`;
      return `${head}：${list(rows.map((row) => format(row.name)))}。`;
    }
    case 'rank':
    case 'group': {
      if (rows.length === 0) return `没有找到符合条件的${label}${what}。`;
      let basis: string;
      if (r.kind === 'group') basis = `每个${zhName(r.groupBy)}的${FN[r.fn]}`;
      else if ('count' in r.by) basis = `${zhName(r.by.count.nodes[r.by.count.nodes.length - 1]!.label)}数量`;
      else basis = `${r.by.fn ? FN[r.by.fn] : ''}${zhName(r.by.property)}${r.groupBy ? `（按${zhName(r.groupBy)}）` : ''}`;
      const order = r.kind === 'rank' ? (r.descending ? '，从高到低' : '，从低到高') : '';
      return `${list(rows.map((row) => `${format(row.name)}（${format(row.value)}）`))}，按${basis}${order}。`;
    }
  }
}
