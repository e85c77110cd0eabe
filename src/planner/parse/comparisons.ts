/**
 * Comparisons in a question: "more than 40 hours", "before 2000", "between A and B", "in 2021",
 * "less than two years ago", "next month", and the property each applies to.
 */
import type { PropertyInfo } from '../../graph/catalog.ts';
import type { CompareOp, Condition, NodeSpec } from '../compile.ts';
import type { Grounding, PropertyMention, Span } from '../grounding.ts';
import { MONTHS, NUMBER_WORDS, nameWords, parseIsoDate, parseNumber, stem, type Token } from '../lexicon.ts';

export interface Comparison {
  op: CompareOp;
  value: number | string;
  /** Second bound of "between". */
  upper?: number | string;
  /** The value is a year (1900–2100) or an ISO date. */
  year: boolean;
  date: boolean;
  /** The value is a sum of money ("$2 million", "500,000 USD"). */
  money?: boolean;
  /** "greater than the average": compared with the property's average over the label, not with `value`. */
  average?: boolean;
  /** Tokens used by the comparison, and where its property should be looked for. */
  span: Span;
}

const GT = [['more', 'than'], ['greater', 'than'], ['higher', 'than'], ['larger', 'than'], ['bigger', 'than'], ['over'], ['above'], ['exceeding'], ['exceeds'], ['after'], ['later', 'than'], ['>']];
const LT = [['less', 'than'], ['fewer', 'than'], ['lower', 'than'], ['smaller', 'than'], ['under'], ['below'], ['before'], ['earlier', 'than'], ['prior', 'to'], ['<']];
const GTE = [['at', 'least'], ['on', 'or', 'after'], ['since'], ['no', 'less', 'than'], ['minimum', 'of']];
const LTE = [['at', 'most'], ['on', 'or', 'before'], ['up', 'to'], ['no', 'more', 'than'], ['maximum', 'of']];
const TRAILING_GTE = [['or', 'more'], ['or', 'above'], ['or', 'higher'], ['or', 'later'], ['and', 'above'], ['and', 'up'], ['or', 'greater']];
const TRAILING_LTE = [['or', 'less'], ['or', 'below'], ['or', 'fewer'], ['or', 'earlier'], ['or', 'lower'], ['and', 'below']];

function matchAt(words: string[], i: number, phrases: string[][]): number {
  for (const p of phrases) if (p.every((w, j) => words[i + j] === w)) return p.length;
  return 0;
}

function literal(t: Token | undefined): { value: number | string; year: boolean; date: boolean } | undefined {
  if (!t) return undefined;
  const iso = parseIsoDate(t);
  if (iso) return { value: iso, year: false, date: true };
  const n = parseNumber(t);
  if (n === undefined) return undefined;
  const year = Number.isInteger(n) && n >= 1900 && n <= 2100 && !/[,.$]/.test(t.raw);
  return { value: n, year, date: false };
}

/** Currency words written after an amount ("500,000 USD", "20 dollars"). */
const CURRENCY_WORDS = new Set(['usd', 'eur', 'gbp', 'cny', 'rmb', 'jpy', 'dollar', 'dollars', 'euro', 'euros', 'pound', 'pounds', 'yuan']);

/**
 * Comparisons with their value's kind; an amount of money ("over $1 million", "500,000 USD") is
 * marked, and a currency word after it belongs to the comparison.
 */
export function comparisons(T: Token[], asOf: string): Comparison[] {
  return findComparisons(T, asOf).map((c) => {
    const last = T[c.span.end - 1];
    const currencyAfter = CURRENCY_WORDS.has(T[c.span.end]?.text ?? '');
    if (!last || typeof c.value !== 'number' || !(/^\$/.test(last.raw) || currencyAfter)) return c;
    return { ...c, money: true, span: currencyAfter ? { start: c.span.start, end: c.span.end + 1 } : c.span };
  });
}

function findComparisons(T: Token[], asOf: string): Comparison[] {
  const words = T.map((t) => t.text);
  const out: Comparison[] = [];
  for (let i = 0; i < T.length; i++) {
    if (words[i] === 'between') {
      const a = literal(T[i + 1]);
      const b = words[i + 2] === 'and' ? literal(T[i + 3]) : undefined;
      if (a && b) {
        out.push({ op: '>=', value: a.value, upper: b.value, year: a.year, date: a.date, span: { start: i, end: i + 4 } });
        i += 3;
        continue;
      }
    }
    const ops: Array<[CompareOp, string[][]]> = [['>=', GTE], ['<=', LTE], ['>', GT], ['<', LT]];
    let matched = false;
    for (const [op, phrases] of ops) {
      const len = matchAt(words, i, phrases);
      if (!len) continue;
      // "a reorder level greater than the average (reorder level)": the property named before it, against its own average.
      const the = words[i + len] === 'the' ? 1 : 0;
      if ((op === '>' || op === '<') && (words[i + len + the] === 'average' || words[i + len + the] === 'mean')) {
        out.push({ op, value: 0, year: false, date: false, average: true, span: { start: i, end: i + len + the + 1 } });
        i += len + the;
        matched = true;
        break;
      }
      const lit = literal(T[i + len]);
      if (!lit) continue;
      const ago = agoDate(words, i + len + 1, lit.value, asOf);
      if (ago) {
        // "less than two years ago" is a date after the day two years back.
        const flipped: CompareOp = op === '<' ? '>' : op === '>' ? '<' : op === '<=' ? '>=' : '<=';
        out.push({ op: flipped, value: ago, year: false, date: true, span: { start: i, end: i + len + 3 } });
        i += len + 2;
        matched = true;
        break;
      }
      out.push({ op, value: lit.value, year: lit.year, date: lit.date, span: { start: i, end: i + len + 1 } });
      i += len;
      matched = true;
      break;
    }
    if (matched) continue;
    // "level 8 or above", "in 2021", "hired in March 2024".
    const lit = literal(T[i]);
    if (lit && !T[i]!.quoted) {
      const trailing = matchAt(words, i + 1, TRAILING_GTE) ? '>=' : matchAt(words, i + 1, TRAILING_LTE) ? '<=' : undefined;
      if (trailing) {
        out.push({ op: trailing, value: lit.value, year: lit.year, date: lit.date, span: { start: i, end: i + 3 } });
        i += 2;
        continue;
      }
      if (!lit.year && !lit.date && (words[i - 1] === 'of' || words[i - 1] === 'equals' || words[i - 1] === 'exactly' || words[i - 1] === '=')) {
        // "a reorder level of 10": equality with the property named before it.
        out.push({ op: '=', value: lit.value, year: false, date: false, span: { start: i - 1, end: i + 1 } });
        continue;
      }
      // "in the 1960s": the ten years of a decade.
      if (lit.year && typeof lit.value === 'number' && lit.value % 10 === 0 && T[i + 1]?.text === 's' && T[i + 1]!.start === T[i]!.end) {
        const from = words[i - 1] === 'the' && ['in', 'during', 'from'].includes(words[i - 2] ?? '') ? i - 2 : words[i - 1] === 'the' ? i - 1 : i;
        out.push({ op: '>=', value: lit.value, upper: lit.value + 9, year: true, date: false, span: { start: from, end: i + 2 } });
        i += 1;
        continue;
      }
      if (lit.year && ['in', 'during', 'of', 'year'].includes(words[i - 1] ?? '')) {
        out.push({ op: '=', value: lit.value, year: true, date: false, span: { start: i - 1, end: i + 1 } });
        continue;
      }
      const month = MONTHS.indexOf(words[i - 1] ?? '');
      if (lit.year && month >= 0) {
        const from = `${lit.value}-${String(month + 1).padStart(2, '0')}-01`;
        out.push({ op: '>=', value: from, upper: endOfMonth(from), year: false, date: true, span: { start: i - 1, end: i + 1 } });
        continue;
      }
      if (lit.date && (words[i - 1] === 'on' || words[i - 1] === 'due')) {
        out.push({ op: '=', value: lit.value, year: false, date: true, span: { start: i, end: i + 1 } });
      }
    }
  }
  return out;
}

/** "2 years ago" at `at` (unit, then "ago"): the date that long before the reference date. */
export function agoDate(words: string[], at: number, n: number | string, asOf: string): string | undefined {
  const unit = words[at]?.replace(/s$/, '');
  if (typeof n !== 'number' || words[at + 1] !== 'ago' || !unit || !['day', 'week', 'month', 'year'].includes(unit)) return undefined;
  const d = new Date(`${asOf}T00:00:00Z`);
  if (unit === 'year') d.setUTCFullYear(d.getUTCFullYear() - n);
  else if (unit === 'month') d.setUTCMonth(d.getUTCMonth() - n);
  else d.setUTCDate(d.getUTCDate() - n * (unit === 'week' ? 7 : 1));
  return d.toISOString().slice(0, 10);
}

export function endOfMonth(isoFirst: string): string {
  const d = new Date(`${isoFirst}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
}

/** Text that holds dates ("1996-07-04 00:00:00.000"), allowing for a few placeholders such as "NULL". */
export function looksLikeDateString(p: PropertyInfo): boolean {
  if (p.types[0] !== 'STRING' || p.samples.length === 0) return false;
  const dates = p.samples.filter((s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}/.test(s)).length;
  return dates >= Math.max(1, p.samples.length * 0.8);
}

export interface FoundProperty {
  holder: NodeSpec;
  property: string;
  kind: Condition['kind'];
  mention?: PropertyMention;
}

export function propertyKind(p: PropertyInfo): Condition['kind'] | undefined {
  const t = p.types[0];
  if (t === 'INTEGER' || t === 'FLOAT') return 'number';
  if (t === 'DATE') return 'date';
  if (t === 'STRING') return looksLikeDateString(p) ? 'string' : /^-?\d+(\.\d+)?$/.test(String(p.samples[0] ?? '')) ? 'string' : undefined;
  return undefined;
}

/** The property a comparison applies to: named just before it (or just after its number). */
export function comparisonProperty(g: Grounding, c: Comparison, holders: NodeSpec[], used: Set<number>): FoundProperty | undefined {
  const fits = (p: PropertyInfo) => {
    const kind = propertyKind(p);
    if (!kind) return false;
    if (c.average) return kind === 'number' || (kind === 'string' && !looksLikeDateString(p));
    if (c.date) return kind === 'date' || looksLikeDateString(p);
    if (c.year) return kind === 'date' || looksLikeDateString(p) || (kind === 'number' && /year/i.test(p.name)) || kind === 'number';
    // A sum of money is never compared with a latitude or a count.
    if (c.money) return kind === 'number' && isMoney(p);
    return kind === 'number' || (kind === 'string' && !looksLikeDateString(p));
  };
  // "orders" names the label Order, not its orderDate.
  const onLabel = (m: PropertyMention) => g.labels.some((l) => l.span.start <= m.span.start && m.span.end <= l.span.end) && nameWords(m.property.name).length > 1;
  const candidates = g.properties
    .filter((m) => holders.some((h) => h.label === m.label) && fits(m.property) && !used.has(m.span.start) && !onLabel(m))
    .map((m) => {
      const distance = m.span.end <= c.span.start ? c.span.start - m.span.end : m.span.start >= c.span.end ? (m.span.start - c.span.end) * 1.5 : 0;
      // A year compared with a date property reads naturally ("hired after 2020"); prefer it.
      const typeBonus = c.year && (propertyKind(m.property) === 'date' || /year/i.test(m.property.name)) ? 2 : 0;
      return { m, rank: distance - m.score * 2 - typeBonus };
    })
    .filter((x) => x.rank < 10)
    .sort((a, b) => a.rank - b.rank);
  const best = candidates[0]?.m;
  if (best) {
    const holder = holders.find((h) => h.label === best.label)!;
    return { holder, property: best.property.name, kind: propertyKind(best.property) === 'date' ? 'date' : looksLikeDateString(best.property) ? 'string' : propertyKind(best.property)!, mention: best };
  }
  // "above the average" says of what only by naming it.
  if (c.average) return undefined;
  // Nothing named: a single numeric (or date) property of the target that fits is unambiguous;
  // among several dates, the one named after the label itself ("orders in 1996": orderDate).
  const target = holders[0]!;
  const props = g.labelInfo.get(target.label)?.properties.filter((p) => fits(p) && !['id', 'createdAt', 'updatedAt'].includes(p.name) && !/(?:Id|ID|_id)$/.test(p.name)) ?? [];
  const own = nameWords(target.label).map(stem);
  const chosen = props.length === 1 ? props[0] : (c.year || c.date) ? props.find((p) => nameWords(p.name).map(stem).some((w) => own.includes(w))) : undefined;
  if (chosen) return { holder: target, property: chosen.name, kind: propertyKind(chosen) === 'date' ? 'date' : looksLikeDateString(chosen) ? 'string' : propertyKind(chosen)! };
  return c.money ? moneyProperty(g, holders) : undefined;
}

/** English nouns for a sum of money, as property names use them. */
const MONEY_WORDS = new Set(['amount', 'price', 'cost', 'total', 'value', 'revenue', 'salary', 'budget', 'fee', 'payment', 'balance', 'income', 'spend', 'spending', 'sales', 'fare', 'charge', 'wage', 'pay'].map(stem));

function isMoney(p: PropertyInfo): boolean {
  return nameWords(p.name).some((w) => MONEY_WORDS.has(stem(w)));
}

/**
 * "filings involving transactions over $2 million": an amount of money compared without naming
 * what holds it is the one number property of the question's nodes whose name is a word for money.
 * Two or more such properties (price and cost) leave it unplaced.
 */
function moneyProperty(g: Grounding, holders: NodeSpec[]): FoundProperty | undefined {
  const found = holders.flatMap((holder) =>
    (g.labelInfo.get(holder.label)?.properties ?? [])
      .filter((p) => propertyKind(p) === 'number' && isMoney(p))
      .map((p) => ({ holder, property: p.name, kind: 'number' as const })),
  );
  const labels = new Set(found.map((f) => `${f.holder.label}.${f.property}`));
  return labels.size === 1 ? found[0] : undefined;
}

/** A relationship property a comparison applies to ("a quantity greater than 100"), on a type touching a holder. */
export function relComparisonProperty(g: Grounding, c: Comparison, holders: NodeSpec[], used: Set<number>): { type: string; mention: PropertyMention } | undefined {
  const near = g.properties
    .filter((m) => m.label.startsWith('REL:') && !used.has(m.span.start) && propertyKind(m.property) !== undefined)
    .filter((m) => g.relationships.some((r) => `REL:${r.type}` === m.label && holders.some((h) => h.label === r.from || h.label === r.to)))
    .map((m) => ({ m, d: m.span.end <= c.span.start ? c.span.start - m.span.end : (m.span.start - c.span.end) * 1.5 }))
    .filter((x) => x.d >= 0 && x.d < 6)
    .sort((a, b) => a.d - b.d || b.m.score - a.m.score)[0];
  return near ? { type: near.m.label.slice(4), mention: near.m } : undefined;
}

export function toConditions(c: Comparison, found: FoundProperty): Condition[] {
  const kind = found.kind;
  if (c.average) return [{ property: found.property, op: c.op, value: 0, kind: kind === 'number' ? 'number' : 'numericText', average: true }];
  const asDate = (v: number | string, bound: 'start' | 'end'): string =>
    typeof v === 'number' ? (bound === 'start' ? `${v}-01-01` : `${v}-12-31`) : v;
  if (kind === 'number') {
    const n = (v: number | string) => (typeof v === 'number' ? v : Number(String(v).slice(0, 4)));
    if (c.upper !== undefined) return [{ property: found.property, op: '>=', value: n(c.value), kind }, { property: found.property, op: '<=', value: n(c.upper), kind }];
    return [{ property: found.property, op: c.op, value: n(c.value), kind }];
  }
  if (kind === 'string' && !c.year && !c.date) {
    // Numbers stored as text (CSV-loaded graphs): compared as numbers.
    const n = (v: number | string) => Number(v);
    if (c.upper !== undefined) return [{ property: found.property, op: '>=', value: n(c.value), kind: 'numericText' }, { property: found.property, op: '<=', value: n(c.upper), kind: 'numericText' }];
    return [{ property: found.property, op: c.op, value: n(c.value), kind: 'numericText' }];
  }
  // Dates (DATE values, or ISO text on foreign graphs). A year is a range of days.
  const year = c.year && typeof c.value === 'number';
  if (c.upper !== undefined) {
    return [
      { property: found.property, op: '>=', value: asDate(c.value, 'start'), kind },
      { property: found.property, op: '<=', value: kind === 'string' ? `${asDate(c.upper, 'end')}~` : asDate(c.upper, 'end'), kind },
    ];
  }
  if (year) {
    const y = c.value as number;
    switch (c.op) {
      case '=':
        return kind === 'string'
          ? [{ property: found.property, op: 'startsWith', value: String(y), kind }]
          : [{ property: found.property, op: '>=', value: `${y}-01-01`, kind }, { property: found.property, op: '<=', value: `${y}-12-31`, kind }];
      case '>':
        return [{ property: found.property, op: '>=', value: `${y + 1}-01-01`, kind }];
      case '>=':
        return [{ property: found.property, op: '>=', value: `${y}-01-01`, kind }];
      case '<':
        return [{ property: found.property, op: '<', value: `${y}-01-01`, kind }];
      case '<=':
        return [{ property: found.property, op: '<', value: `${y + 1}-01-01`, kind }];
      default:
        return [];
    }
  }
  if (kind === 'string' && c.op === '=') return [{ property: found.property, op: 'startsWith', value: String(c.value), kind }];
  if (kind === 'string' && (c.op === '<=' || c.op === '>')) return [{ property: found.property, op: c.op, value: `${c.value}~`, kind }];
  return [{ property: found.property, op: c.op, value: String(c.value), kind }];
}

export function nearestProperty(
  g: Grounding,
  at: number,
  holders: NodeSpec[],
  fits: (p: PropertyInfo) => boolean,
  window = 6,
): { holder: NodeSpec; property: string; kind: Condition['kind'] } | undefined {
  const best = g.properties
    .filter((m) => holders.some((h) => h.label === m.label) && fits(m.property) && Math.abs(m.span.start - at) <= window)
    // A property the question names outright beats a word that only shares a root with one
    // ("containing" ~ contactName) however close that word stands.
    .sort((a, b) => Number(b.score >= 0.8) - Number(a.score >= 0.8) || Math.abs(a.span.start - at) - Math.abs(b.span.start - at) || b.score - a.score)[0];
  if (!best) return undefined;
  const kind: Condition['kind'] = best.property.types.includes('DATE') ? 'date' : 'string';
  return { holder: holders.find((h) => h.label === best.label)!, property: best.property.name, kind };
}

export function relativeRange(words: string[], asOf: string): { at: number; span: Span; conditions: Array<{ op: CompareOp; value: string }> } | undefined {
  const ref = new Date(`${asOf}T00:00:00Z`);
  const iso = (d: Date) => d.toISOString().slice(0, 10);
  const shift = (months: number, days = 0) => {
    const d = new Date(ref);
    d.setUTCMonth(d.getUTCMonth() + months);
    d.setUTCDate(d.getUTCDate() + days);
    return d;
  };
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const next = words[i + 1];
    if ((w === 'next' || w === 'last' || w === 'this' || w === 'past' || w === 'previous' || w === 'coming') && next) {
      let n = 1;
      let unitAt = i + 1;
      const count = NUMBER_WORDS[next] ?? (Number.isFinite(Number(next)) ? Number(next) : undefined);
      if (count !== undefined) {
        n = count;
        unitAt = i + 2;
      }
      const unit = words[unitAt]?.replace(/s$/, '');
      if (!unit || !['day', 'week', 'month', 'year', 'quarter'].includes(unit)) continue;
      const span = { start: i, end: unitAt + 1 };
      const months = unit === 'year' ? 12 * n : unit === 'quarter' ? 3 * n : unit === 'month' ? n : 0;
      const days = unit === 'day' ? n : unit === 'week' ? 7 * n : 0;
      if (w === 'this') {
        const start = unit === 'year' ? `${asOf.slice(0, 4)}-01-01` : `${asOf.slice(0, 7)}-01`;
        const end = unit === 'year' ? `${asOf.slice(0, 4)}-12-31` : endOfMonth(start);
        return { at: i, span, conditions: [{ op: '>=', value: start }, { op: '<=', value: end }] };
      }
      if (w === 'next' || w === 'coming') {
        if (unit === 'month' && count === undefined) {
          // "next month" is the calendar month after the reference date.
          const start = iso(new Date(Date.UTC(ref.getUTCFullYear(), ref.getUTCMonth() + 1, 1)));
          return { at: i, span, conditions: [{ op: '>=', value: start }, { op: '<=', value: endOfMonth(start) }] };
        }
        return { at: i, span, conditions: [{ op: '>', value: asOf }, { op: '<=', value: iso(shift(months, days)) }] };
      }
      return { at: i, span, conditions: [{ op: '>', value: iso(shift(-months, -days)) }, { op: '<=', value: asOf }] };
    }
  }
  return undefined;
}

