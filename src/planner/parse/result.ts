/**
 * What a question asks to return: a count, a list, an aggregate, a ranking (by a property, by
 * how many related nodes, by an aggregate), a grouping.
 */
import type { PropertyInfo } from '../../graph/catalog.ts';
import type { Aggregate, NodeSpec, ResultSpec } from '../compile.ts';
import type { Grounding, PropertyMention } from '../grounding.ts';
import { NUMBER_WORDS, nameWords, parseNumber } from '../lexicon.ts';
import { looksLikeDateString } from './comparisons.ts';
import { TYPE_LABEL_PREFIX } from '../../graph/names.ts';

export const AGGREGATE_WORDS: Record<string, Aggregate> = {
  average: 'avg', mean: 'avg', avg: 'avg',
  total: 'sum', sum: 'sum', combined: 'sum', overall: 'sum', payroll: 'sum',
  highest: 'max', maximum: 'max', max: 'max', largest: 'max', biggest: 'max', greatest: 'max', most: 'max', latest: 'max', top: 'max', longest: 'max',
  lowest: 'min', minimum: 'min', min: 'min', smallest: 'min', least: 'min', fewest: 'min', cheapest: 'min', earliest: 'min', shortest: 'min',
};
export const DESCENDING = new Set(['highest', 'largest', 'biggest', 'greatest', 'most', 'top', 'latest', 'newest', 'recent', 'recently', 'expensive', 'longest', 'best', 'richest', 'descending']);
export const ASCENDING = new Set(['lowest', 'smallest', 'least', 'fewest', 'cheapest', 'earliest', 'oldest', 'first', 'shortest', 'ascending']);
/** Aggregates a question asks for one value of per group ("the average price of products in each category"). */
export const PER_GROUP_AGGREGATES = new Set(['average', 'mean', 'total', 'sum', 'maximum', 'minimum']);

/** Whole numbers that are all years (1000–2100): a year kept as a plain number ("born", "released"). */
export function holdsYears(p: PropertyInfo): boolean {
  const numbers = p.samples.filter((x): x is number => typeof x === 'number');
  return p.types[0] === 'INTEGER' && numbers.length > 0 && numbers.length === p.samples.length && numbers.every((x) => Number.isInteger(x) && x >= 1000 && x <= 2100);
}

/** "most common", "least frequent": how many nodes share a value. */
export const COMMON_WORDS = new Set(['common', 'frequent']);
/** Superlatives whose meaning flips on dates and years ("oldest" = smallest founding year). */
export const AGE_WORDS = new Set(['oldest', 'newest', 'youngest', 'recent', 'recently', 'latest', 'earliest']);

export interface ResultContext {
  /** Binds a relationship of the type to a variable (adding the edge if needed). */
  bindRel: (type: string) => string | undefined;
  /** Joins a node of the label to the target by the one best path (none when paths compete); its variable. */
  joinLabel: (label: string, at: number) => string | undefined;
  words: string[];
  target: NodeSpec;
  countOf: { node: NodeSpec; at: number } | undefined;
  howIdx: number;
  used: Set<number>;
  nodes: NodeSpec[];
  personLabel: string | undefined;
}

export function resultSpec(g: Grounding, ctx: ResultContext): ResultSpec | { reason: string } {
  const { target } = ctx;
  // "at least one", "at most 5": comparisons, not superlatives.
  const words = ctx.words.map((w, i) => ((w === 'least' || w === 'most') && ctx.words[i - 1] === 'at' ? '' : w));
  const numeric = (p: PropertyInfo) => ['INTEGER', 'FLOAT'].includes(p.types[0] ?? '') || (p.types[0] === 'STRING' && /^-?\d+(\.\d+)?$/.test(String(p.samples[0] ?? '')));
  const orderable = (p: PropertyInfo) => numeric(p) || p.types[0] === 'DATE' || looksLikeDateString(p);
  const idLike = (p: PropertyInfo) => /(?:^id|Id|ID|_id)$/.test(p.name) && !words.includes('id');
  // A word that names a label ("category") is not also a property of the target ("categoryID").
  const onLabel = (m: PropertyMention) => g.labels.some((l) => l.span.start <= m.span.start && m.span.end <= l.span.end) && nameWords(m.property.name).length > 1;
  const targetProps = (f: (p: PropertyInfo) => boolean) =>
    g.properties
      .filter((m) => m.label === target.label && f(m.property) && !idLike(m.property) && !onLabel(m) && !ctx.used.has(m.span.start))
      .sort((a, b) => b.score - a.score || a.span.start - b.span.start);
  const textNumber = (p: PropertyInfo) => p.types[0] === 'STRING' && !looksLikeDateString(p);

  // "order" is a sorting word only as "order by" / "in order of", not as a noun ("the order IDs").
  const topIdx = words.findIndex((w, i) => w === 'top' || w === 'first' || w === 'rank' || w === 'ranked' || (w === 'order' && (words[i + 1] === 'by' || words[i - 1] === 'in')) || w === 'sort' || w === 'sorted');
  let n: number | undefined;
  for (let i = 0; i < words.length; i++) {
    const t = g.tokens[i]!;
    if (ctx.used.has(i) || t.quoted) continue;
    const v = parseNumber(t) ?? (NUMBER_WORDS[words[i]!] !== undefined && !['first', 'second', 'third', 'single'].includes(words[i]!) ? NUMBER_WORDS[words[i]!] : undefined);
    const nextIsNoun = g.labels.some((m) => m.span.start === i + 1) || g.properties.some((m) => m.span.start === i + 1 && !m.label.startsWith('REL:'));
    const next = words[i + 1] ?? '';
    if (v !== undefined && Number.isInteger(v) && v > 0 && v <= 1000 && (i === topIdx + 1 || DESCENDING.has(next) || ASCENDING.has(next) || AGE_WORDS.has(next) || /-/.test(next) || ['the', 'top', 'first', 'which', 'what', 'last'].includes(words[i - 1] ?? '') || nextIsNoun)) {
      n = v;
      // The number is placed: a limit, not a value left over.
      ctx.used.add(i);
      break;
    }
  }
  const superIdx = words.findIndex((w, i) => (DESCENDING.has(w) || ASCENDING.has(w) || AGE_WORDS.has(w)) && !ctx.used.has(i) && w !== 'first' && w !== 'top');
  const explicitOrder = words.includes('descending') || seq(words, 'largest', 'to') >= 0 || seq(words, 'highest', 'to') >= 0 || seq(words, 'most', 'to') >= 0 ? 'desc'
    : words.includes('ascending') || seq(words, 'smallest', 'to') >= 0 || seq(words, 'lowest', 'to') >= 0 || seq(words, 'least', 'to') >= 0 ? 'asc' : undefined;
  const aggIdx = words.findIndex((w, i) => AGGREGATE_WORDS[w] !== undefined && !ctx.used.has(i) && !(w === 'top') && !(w === 'most' && ctx.countOf));

  // "the average unit price of products in each category": per group, an average or total of a
  // property of the related nodes (one hop: through another node it would count values twice).
  const perAgg = ctx.countOf && (words.includes('each') || words.includes('per') || words.includes('every'))
    ? words.findIndex((w, i) => !ctx.used.has(i) && PER_GROUP_AGGREGATES.has(w))
    : -1;
  if (ctx.countOf && perAgg >= 0) {
    const m = g.properties.find((p) => p.label === ctx.countOf!.node.label && p.span.start > perAgg && p.span.start <= perAgg + 4 && numeric(p.property) && !idLike(p.property) && !ctx.used.has(p.span.start));
    const v = m ? ctx.joinLabel(m.label, m.span.start) : undefined;
    if (!m || !v) return { reason: `The question asks for ${words[perAgg]} per ${target.label} of something no related node holds.` };
    for (const i of [perAgg, ...Array.from({ length: m.span.end - m.span.start }, (_, k) => m.span.start + k)]) ctx.used.add(i);
    return { kind: 'rank', by: { node: v, property: m.property.name, fn: AGGREGATE_WORDS[words[perAgg]!]!, asNumber: textNumber(m.property) }, descending: true, limit: 1000, withTies: false };
  }
  // Ranking by how many related nodes ("the most tasks", "by number of open tasks", "by headcount").
  if (ctx.countOf) {
    const desc = explicitOrder ? explicitOrder === 'desc' : !words.some((w) => w === 'fewest' || w === 'least');
    const singular = n === undefined;
    const groupBy = groupingProperty(g, ctx);
    return {
      kind: 'rank',
      by: { count: { negated: false, edges: [], nodes: [ctx.countOf.node] } },
      descending: desc,
      // "for each category": every group, not the first.
      limit: n ?? (topIdx >= 0 || words.includes('rank') || words.includes('each') || words.includes('per') || words.includes('every') ? 1000 : 1),
      withTies: singular && topIdx < 0,
      ...(groupBy ? { groupBy } : {}),
    };
  }

  // "the 3 most common ship countries": the values of a property, by how many nodes hold each.
  const commonIdx = words.findIndex((w, i) => COMMON_WORDS.has(w) && (words[i - 1] === 'most' || words[i - 1] === 'least'));
  const common = commonIdx >= 0 ? targetProps(() => true).find((m) => m.span.start > commonIdx && m.span.start <= commonIdx + 3) : undefined;
  if (common && ctx.howIdx < 0) {
    for (const i of [commonIdx - 1, commonIdx]) ctx.used.add(i);
    for (let i = common.span.start; i < common.span.end; i++) ctx.used.add(i);
    return { kind: 'group', groupBy: common.property.name, fn: 'count', limit: n ?? 1, ascending: words[commonIdx - 1] === 'least' };
  }

  const howMany = ctx.howIdx >= 0;
  if (howMany) {
    // "How many desks ..." asks for the sum of a numeric property, not a count of nodes.
    const next = g.properties.find((m) => m.span.start === ctx.howIdx + 2 && m.label === target.label && numeric(m.property));
    if (next && !g.labels.some((l) => l.span.start === ctx.howIdx + 2)) return { kind: 'aggregate', fn: 'sum', node: target.v, property: next.property.name };
    return { kind: 'count' };
  }
  if (words[0] === 'count' || seq(words, 'number', 'of') === 0 || seq(words, 'what', 'is', 'the', 'number', 'of') === 0) return { kind: 'count' };

  const groupBy = groupingProperty(g, ctx);
  // "the first 3 orders" lists; "the top 3 orders by freight" ranks.
  const ranked = aggIdx >= 0 || superIdx >= 0 || (topIdx >= 0 && words[topIdx] !== 'first') || (n !== undefined && words.includes('by'));
  if (ranked) {
    const word = words[aggIdx >= 0 ? aggIdx : superIdx] ?? '';
    const fn = AGGREGATE_WORDS[word];
    const props = targetProps((p) => orderable(p) && p.name !== groupBy);
    // "the top 5 products with a reorder level above 20": with no other criterion, the compared property orders them.
    const compared = props.length === 0 && aggIdx < 0 && superIdx < 0 && topIdx >= 0 && words[topIdx] === 'top'
      ? ctx.target.conditions.filter((c) => ['>', '>=', '<', '<='].includes(c.op)).map((c) => c.property)[0]
      : undefined;
    const comparedMention = compared ? g.properties.find((m) => m.label === target.label && m.property.name === compared) : undefined;
    const prop = props.find((m) => m.span.start > (aggIdx >= 0 ? aggIdx : superIdx)) ?? props[0] ?? comparedMention;
    const related = ctx.nodes.slice(1).filter((x) => !x.ids);
    // "the highest average unit price": the superlative ranks, the average or total is what is ranked.
    const inner = words.map((w, i) => (!ctx.used.has(i) && (AGGREGATE_WORDS[w] === 'avg' || AGGREGATE_WORDS[w] === 'sum') ? AGGREGATE_WORDS[w] : undefined)).find(Boolean) ?? fn;
    const relatedProp = !prop && inner && (inner === 'avg' || inner === 'sum') && rankingAsked(words, n, topIdx)
      ? g.properties.filter((m) => related.some((x) => x.label === m.label) && numeric(m.property) && !idLike(m.property) && !ctx.used.has(m.span.start)).sort((a, b) => b.score - a.score)[0]
      : undefined;
    if (relatedProp) {
      // "the suppliers with the highest average unit price across their products".
      const node = related.find((x) => x.label === relatedProp.label)!;
      const desc = explicitOrder ? explicitOrder === 'desc' : !words.some((w) => w === 'lowest' || w === 'smallest' || w === 'least');
      return { kind: 'rank', by: { node: node.v, property: relatedProp.property.name, fn: inner, asNumber: textNumber(relatedProp.property) }, descending: desc, limit: n ?? 1, withTies: n === undefined };
    }
    if (!prop && !groupBy) {
      // "the highest quantity ordered", "the average discount": a property of the target's relationships.
      const rel = g.properties
        .filter((m) => m.label.startsWith('REL:') && numeric(m.property) && !idLike(m.property) && !ctx.used.has(m.span.start) && g.relationships.some((r) => `REL:${r.type}` === m.label && (r.from === target.label || r.to === target.label)))
        .sort((a, b) => b.score - a.score)[0];
      const v = rel ? ctx.bindRel(rel.label.slice(4)) : undefined;
      if (rel && v) {
        const fnWord = words[aggIdx >= 0 ? aggIdx : superIdx] ?? '';
        const fnRel = AGGREGATE_WORDS[fnWord];
        const rankWanted = n !== undefined || topIdx >= 0 || ['which', 'who', 'list', 'name', 'show', 'find'].includes(words[0] ?? '');
        if (fnRel && !rankWanted) return { kind: 'aggregate', fn: fnRel, node: v, property: rel.property.name, asNumber: textNumber(rel.property) };
        const desc = explicitOrder ? explicitOrder === 'desc' : !words.some((w) => w === 'lowest' || w === 'smallest' || w === 'least');
        // "the book with the highest average rating": the superlative ranks, the average over each
        // target's relationships is what is ranked.
        const innerAt = words.findIndex((w, i) => !ctx.used.has(i) && i !== (aggIdx >= 0 ? aggIdx : superIdx) && (AGGREGATE_WORDS[w] === 'avg' || AGGREGATE_WORDS[w] === 'sum'));
        if (innerAt >= 0 && rankWanted) {
          ctx.used.add(innerAt);
          return { kind: 'rank', by: { node: v, property: rel.property.name, fn: AGGREGATE_WORDS[words[innerAt]!]!, asNumber: textNumber(rel.property) }, descending: desc, limit: n ?? 1, withTies: n === undefined };
        }
        return { kind: 'rank', by: { node: v, property: rel.property.name, asNumber: textNumber(rel.property) }, descending: desc, limit: n ?? 1, withTies: n === undefined };
      }
    }
    // "Which cities have the most customers?": a property of the target asked for right after
    // which/what, ranked by how many targets hold each of its values.
    const mostAt = words.findIndex((w, i) => ['most', 'fewest', 'least'].includes(w) && !ctx.used.has(i));
    const ownNoun = mostAt >= 0 && !prop ? g.labels.find((l) => l.label === target.label && l.span.start > mostAt && l.span.start <= mostAt + 2) : undefined;
    const byValue = ownNoun
      ? g.properties.find((m) => m.label === target.label && ['which', 'what'].includes(words[m.span.start - 1] ?? '') && m.property.types[0] === 'STRING' && !ctx.used.has(m.span.start) && !g.labels.some((l) => l.span.start === m.span.start))
      : undefined;
    if (byValue) {
      for (let i = byValue.span.start; i < byValue.span.end; i++) ctx.used.add(i);
      ctx.used.add(mostAt);
      return { kind: 'group', groupBy: byValue.property.name, fn: 'count', limit: n ?? 1, ascending: words[mostAt] !== 'most' };
    }
    const asks = words[0] === 'what' && ['is', 'was', "what's"].includes(words[1] ?? '') || words[0] === 'how';
    const rankWanted = n !== undefined || topIdx >= 0 || words[0] === 'which' || words[0] === 'who' || words.includes('rank') || (words[0] === 'what' && words[1] === 'are') || words[0] === 'list' || words[0] === 'name';
    if (prop && groupBy && (fn === 'sum' || fn === 'avg' || words.includes('total'))) {
      const agg: Aggregate = words.includes('average') || words.includes('mean') ? 'avg' : 'sum';
      const desc = explicitOrder ? explicitOrder === 'desc' : !words.some((w) => ASCENDING.has(w) && w !== 'first');
      return { kind: 'rank', by: { node: target.v, property: prop.property.name, fn: agg, asNumber: textNumber(prop.property) }, descending: desc, limit: n ?? 1, withTies: n === undefined, groupBy };
    }
    if (prop && fn && !rankWanted && (asks || fn === 'avg' || fn === 'sum')) {
      return { kind: 'aggregate', fn, node: target.v, property: prop.property.name, asNumber: textNumber(prop.property) };
    }
    if (prop && fn && (fn === 'avg' || fn === 'sum') && !n) {
      return { kind: 'aggregate', fn, node: target.v, property: prop.property.name, asNumber: textNumber(prop.property) };
    }
    if (prop) {
      const sword = words[superIdx] ?? word;
      const isTime = prop.property.types[0] === 'DATE' || looksLikeDateString(prop.property) || /year/i.test(prop.property.name);
      let desc = DESCENDING.has(sword) || (AGGREGATE_WORDS[sword] === 'max');
      if (AGE_WORDS.has(sword) && isTime) desc = sword !== 'oldest' && sword !== 'earliest';
      if (explicitOrder) desc = explicitOrder === 'desc';
      if (superIdx < 0 && !explicitOrder) desc = !words.some((w) => w === 'lowest' || w === 'smallest' || w === 'least' || w === 'ascending');
      return { kind: 'rank', by: { node: target.v, property: prop.property.name, asNumber: textNumber(prop.property) }, descending: desc, limit: n ?? (words.includes('rank') ? 1000 : 1), withTies: n === undefined && !words.includes('rank'), ...(groupBy ? { groupBy } : {}) };
    }
    if (AGE_WORDS.has(word) || ['longest', 'shortest'].includes(word)) {
      // "worked here the longest", "the oldest companies": the label's date or year property.
      const time = (g.labelInfo.get(target.label)?.properties.filter((p) => p.types[0] === 'DATE' || /year/i.test(p.name) || holdsYears(p)) ?? []).sort((a, b) => b.count - a.count);
      const byCue = time.find((p) => g.properties.some((m) => m.property === p));
      // Otherwise the date or year most nodes have (a founding year, not a rare acquisition date);
      // two that every node has alike (born, died) leave "the oldest" open.
      const chosen = byCue ?? (time.length > 1 && time[1]!.count === time[0]!.count ? undefined : time[0]);
      if (chosen) {
        const desc = word === 'newest' || word === 'latest' || word === 'recent' || word === 'recently' || word === 'youngest' || word === 'shortest';
        return { kind: 'rank', by: { node: target.v, property: chosen.name }, descending: desc, limit: n ?? 1, withTies: n === undefined };
      }
    }
    if (fn && !prop && n === undefined && aggIdx >= 0 && ['avg', 'sum'].includes(fn)) {
      return { reason: `The question asks for ${word} of something that is not a number property of ${target.label}.` };
    }
    // "the first 3 countries by the number of banks": a measure after "by" that nothing placed is the
    // ranking the question asks for; listing the first three without it would answer another question.
    const by = words.indexOf('by');
    const measure = by >= 0 ? words.slice(by + 1, by + 3).find((w) => w !== 'the' && w !== 'their' && w !== 'its') : undefined;
    // "the top 5 customers by total freight": a total or average of a number property that only
    // another label has, over the nodes of that label related to each target (one clear path).
    const fnBy = measure === 'total' || measure === 'sum' ? 'sum' : measure === 'average' || measure === 'mean' ? 'avg' : undefined;
    const relatedTotal = (from: number, fn: Aggregate, desc: boolean, within = 4): ResultSpec | undefined => {
      const after = g.properties.filter((m) => m.span.start > from && m.span.start <= from + within && !m.label.startsWith('REL:') && m.label !== target.label && m.score >= 0.8 && numeric(m.property) && !idLike(m.property) && !ctx.used.has(m.span.start));
      const owners = [...new Set(after.map((m) => m.label))];
      const v = owners.length === 1 ? ctx.joinLabel(owners[0]!, after[0]!.span.start) : undefined;
      if (!v) return undefined;
      const m = after[0]!;
      for (let i = m.span.start; i < m.span.end; i++) ctx.used.add(i);
      return { kind: 'rank', by: { node: v, property: m.property.name, fn, asNumber: textNumber(m.property) }, descending: explicitOrder ? explicitOrder === 'desc' : desc, limit: n ?? 1, withTies: n === undefined };
    };
    if (fnBy && rankingAsked(words, n, topIdx)) {
      const total = relatedTotal(by, fnBy, !words.some((w) => w === 'lowest' || w === 'smallest' || w === 'least' || w === 'bottom'));
      if (total) return total;
    }
    // "the suppliers with the most units on order": "most" before a quantity that only a related
    // label has is the largest total of it over the related nodes.
    if (mostAt >= 0 && words[mostAt + 1] !== 'number' && rankingAsked(words, n, topIdx)) {
      // The quantity right after it: "the most expensive products" is a superlative, not a total.
      const total = relatedTotal(mostAt, 'sum', words[mostAt] === 'most', 1);
      if (total) {
        ctx.used.add(mostAt);
        return total;
      }
    }
    if (measure && ['number', 'count', 'total', 'amount', 'sum', 'average', 'size'].includes(measure)) {
      return { reason: `The question ranks ${target.label} by ${measure === 'number' || measure === 'count' ? 'a count' : `a ${measure}`} that could not be placed in the graph.` };
    }
  }
  if (groupBy && (words.includes('each') || words.includes('per'))) {
    return { kind: 'group', groupBy, fn: 'count' };
  }
  const nameProp = g.labelInfo.get(target.label)?.nameProperty;
  const shown = [...new Set(ctx.nodes[0]!.conditions.map((c) => c.property))].filter((p) => p !== nameProp);
  // "machines and their types", "the start times of services": properties the question names are columns asked for.
  for (const m of targetProps(() => true)) {
    if (m.score < 0.8 || m.property.name === nameProp || shown.includes(m.property.name)) continue;
    shown.push(m.property.name);
    for (let i = m.span.start; i < m.span.end; i++) ctx.used.add(i);
  }
  // A record's own key ("productID") identifies it beside its display name (kgrag's ids are bookkeeping).
  const key = keyProperty(g, target.label);
  if (key && key !== nameProp && !shown.includes(key)) shown.unshift(key);
  const own = ownProperty(g, target.label);
  if (own && !shown.includes(own)) shown.push(own);
  // Nodes with no key whose display name repeats ("crm" on a thousand application instances) can be
  // told apart by nothing the answer shows: each name once, with how many bear it.
  const display = g.labelInfo.get(target.label)?.properties.find((p) => p.name === nameProp);
  const byName = shown.length === 0 && display?.distinct !== undefined && display.distinct < display.count;
  return { kind: 'list', properties: shown, ...(n !== undefined ? { first: n } : {}), ...(byName ? { byName } : {}) };
}

/** The property that identifies a node of the label: `id`, or the label's own name + Id ("productID" of Product), on every node. */
export function keyProperty(g: Grounding, label: string): string | undefined {
  const info = g.labelInfo.get(label);
  // kgrag's own entities: their `id` is bookkeeping, not a key anyone asked for.
  if (!info || info.stored?.some((s) => s.startsWith(TYPE_LABEL_PREFIX))) return undefined;
  const own = nameWords(label).join('');
  return info.properties.find((p) => p.count >= info.sampled && (p.name === 'id' || p.name.toLowerCase() === `${own}id` || p.name.toLowerCase() === `${own}_id`))?.name;
}

/**
 * The property named like its label (a Grade's `grade`: "gold" beside the name "g-7/2"), on every
 * node, when the label also has a display name: what the node is as one of its kind, which a
 * question about those nodes ("which grades …") asks for as much as the name.
 */
export function ownProperty(g: Grounding, label: string): string | undefined {
  const info = g.labelInfo.get(label);
  if (!info?.nameProperty) return undefined;
  const own = nameWords(label).join('');
  return info.properties.find((p) => p.count >= info.sampled && p.name !== info.nameProperty && nameWords(p.name).join('') === own)?.name;
}

/** A ranking is asked for ("top 3", "which 3", "which suppliers have the highest …"). */
export function rankingAsked(words: string[], n: number | undefined, topIdx: number): boolean {
  return n !== undefined || topIdx >= 0 || ['which', 'who', 'list', 'name', 'show', 'find'].includes(words[0] ?? '');
}

export function seq(words: string[], ...ws: string[]): number {
  return words.findIndex((_, i) => ws.every((w, j) => words[i + j] === w));
}

/** "Which three departments …": a property of the target named as a noun, not a label. */
function groupingProperty(g: Grounding, ctx: ResultContext): string | undefined {
  const first = ctx.words.findIndex((w) => w === 'which' || w === 'what' || w === 'rank' || w === 'top');
  if (first < 0) return undefined;
  const m = g.properties.find(
    (p) => p.label === ctx.target.label && p.span.start > first && p.span.start <= first + 3 && p.property.types[0] === 'STRING' && (p.property.distinct ?? 999) <= 50 && !ctx.used.has(p.span.start) && !g.labels.some((l) => l.span.start === p.span.start)
      // "the names of the top 5 filings" asks for each node's name, not a grouping by some name property.
      && !['name', 'names'].includes(g.tokens[p.span.start]!.text),
  );
  return m?.property.name;
}

