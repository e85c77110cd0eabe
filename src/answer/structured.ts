/**
 * Structured answers: the rows of an exact query rendered as one direct sentence. The rows
 * themselves travel with the answer; the sentence only says what they mean.
 */
import type { Row } from '../graph/executor.ts';
import type { Condition, QuerySpec } from '../planner/compile.ts';

const FN_WORDS = { count: 'number', sum: 'total', avg: 'average', min: 'lowest', max: 'highest' } as const;

export function renderStructured(spec: QuerySpec, rows: Row[], truncated = false): string {
  const target = spec.nodes[0]!;
  const r = spec.result;
  const what = describe(spec);
  switch (r.kind) {
    case 'count': {
      const n = Number(rows[0]?.count ?? 0);
      return `${n === 1 ? 'There is' : 'There are'} ${n} ${noun(target.label, n)}${what}.`;
    }
    case 'chain': {
      const who = target.names ? join(target.names) : noun(target.label, 1);
      if (rows.length === 0) return `${who} has no ${words(r.type)} relationship to follow.`;
      return `${who} → ${rows.map((row) => format(row.name)).join(' → ')} (${words(r.type)}, nearest first).`;
    }
    case 'check': {
      const who = target.names ? join(target.names) : `a ${noun(target.label, 1)}`;
      const conditions = describe(spec, false).trim();
      return rows[0]?.answer === true ? `Yes: ${who} — ${conditions}.` : `No: not ${who} — ${conditions}.`;
    }
    case 'aggregate': {
      const value = rows[0]?.value;
      const over = Number(rows[0]?.over ?? 0);
      if (value === null || value === undefined || over === 0) return `No ${noun(target.label, 2)}${what} have a ${words(r.property)}, so there is nothing to compute.`;
      return `The ${FN_WORDS[r.fn]} ${words(r.property)} is ${format(value)} (over ${over} ${noun(target.label, over)}${what}).`;
    }
    case 'value': {
      if (rows.length === 0) return `The knowledge graph has no ${words(r.property)} for ${describeIds(spec)}.`;
      return rows
        .map((row) => {
          if (r.temporal === 'years') return `${row.name}: ${format(row.years)} years (${words(r.property)} ${format(row.value)}, as of ${r.asOf}).`;
          if (r.temporal === 'days') return `${row.name}: ${format(row.days)} days (${words(r.property)} ${format(row.value)}, as of ${r.asOf}).`;
          if (r.temporal === 'until-days') return `${row.name}: ${format(row.days)} days until ${format(row.value)} (as of ${r.asOf}).`;
          return `${row.name}: ${words(r.property)} is ${format(row.value)}.`;
        })
        .join(' ');
    }
    case 'list': {
      if (rows.length === 0) return `No ${noun(target.label, 1)}${what} was found.`;
      if (r.byName) {
        const total = rows.reduce((n, row) => n + Number(row.nodes ?? 0), 0);
        const more = truncated ? ' (the first names only)' : '';
        return `${truncated ? 'At least ' : ''}${total} ${noun(target.label, total)}${what}, under ${rows.length} ${rows.length === 1 ? 'name' : 'names'}${more}: ${listed(rows.map((row) => `${format(row.name)} (${format(row.nodes)})`))}.`;
      }
      const names = rows.map((row) => format(row.name));
      // Cut at the row cap: the number is a floor, not the count.
      const count = truncated ? `More than ${rows.length}` : String(rows.length);
      const more = truncated ? ` (the first ${rows.length} are listed)` : '';
      // "… and what year was it released?": the named node's property, asked for beside the list.
      const asked = (r.related ?? []).filter((x) => x.property).map((x) => {
        const values = [...new Set(rows.flatMap((row) => (Array.isArray(row[x.column]) ? (row[x.column] as unknown[]) : [row[x.column]])).map(format))];
        return ` ${capitalise(words(x.property!))}: ${listed(values)}.`;
      });
      return `${count} ${noun(target.label, rows.length)}${what}${more}: ${listed(names)}.${asked.join('')}`;
    }
    case 'rank':
    case 'group': {
      if (rows.length === 0) return `No ${noun(target.label, 1)}${what} was found.`;
      const by = r.kind === 'group' ? `${FN_WORDS[r.fn]} per ${words(r.groupBy)}` : rankBasis(r);
      return `${join(rows.map((row) => `${format(row.name)} (${format(row.value)})`))}, by ${by}.`;
    }
  }
}

function rankBasis(r: Extract<QuerySpec['result'], { kind: 'rank' }>): string {
  const order = r.descending ? 'highest first' : 'lowest first';
  if ('count' in r.by) {
    const counted = r.by.count.nodes[r.by.count.nodes.length - 1]!;
    return `number of ${noun(counted.label, 2)}${counted.conditions.length ? ` (${counted.conditions.map(condition).join(', ')})` : ''}, ${order}`;
  }
  const basis = r.by.fn ? `${FN_WORDS[r.by.fn]} ${words(r.by.property)}` : words(r.by.property);
  return `${basis}${r.groupBy ? ` per ${words(r.groupBy)}` : ''}, ${order}`;
}

/** " with status blocked, linked to Initech (founded)": what the target was filtered by. */
function describe(spec: QuerySpec, withNames = true): string {
  const target = spec.nodes[0]!;
  const parts: string[] = [];
  if (target.conditions.length) parts.push(`with ${target.conditions.map(condition).join(' and ')}`);
  if (target.names && withNames) parts.push(`named ${join(target.names)}`);
  for (const n of spec.nodes.slice(1).filter((x) => x.ids || x.conditions.length)) {
    const via = spec.edges.filter((e) => e.to === n.v || e.from === n.v).map((e) => words(e.type));
    const who = n.names ? join(n.names) : `${noun(n.label, 2)} with ${n.conditions.map(condition).join(' and ')}`;
    parts.push(`linked to ${who}${via.length ? ` (${via.join(', ')})` : ''}`);
  }
  for (const e of spec.exists) {
    const other = e.nodes[e.nodes.length - 1]!;
    parts.push(`${e.negated ? 'without' : 'with'} a ${noun(other.label, 1)} (${e.edges.map((x) => words(x.type)).join(', ')})`);
  }
  return parts.length ? ` ${parts.join(', ')}` : '';
}

function describeIds(spec: QuerySpec): string {
  const n = spec.nodes[0]!;
  return n.names ? join(n.names) : `the named ${noun(n.label, n.ids?.length ?? 1)}`;
}

function condition(c: Condition): string {
  const p = words(c.property);
  if (c.average) return `${p} ${c.op === '<' ? 'below' : 'above'} the average`;
  const v = Array.isArray(c.value) ? c.value.map(format).join(' or ') : format(c.value);
  switch (c.op) {
    case '=':
      return c.kind === 'boolean' ? (c.value ? p : `not ${p}`) : `${p} ${v}`;
    case 'in':
      return `${p} ${v}`;
    case '<>':
    case 'notIn':
      return `${p} not ${v}`;
    case 'contains':
      return `${p} containing "${v}"`;
    case 'startsWith':
      return `${p} starting with "${v}"`;
    case 'endsWith':
      return `${p} ending with "${v}"`;
    case 'isNull':
      return `no ${p}`;
    case 'isNotNull':
      return `a ${p}`;
    case '<':
      return `${p} ${c.kind === 'date' ? 'before' : 'below'} ${v}`;
    case '<=':
      return `${p} ${c.kind === 'date' ? 'on or before' : 'at most'} ${v}`;
    case '>':
      return `${p} ${c.kind === 'date' ? 'after' : 'above'} ${v}`;
    case '>=':
      return `${p} ${c.kind === 'date' ? 'on or after' : 'at least'} ${v}`;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "salaryUsd" → "salary usd", "PART_OF" → "part of". */
function words(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/_/g, ' ')
    .toLowerCase();
}

function noun(label: string, n: number): string {
  const w = words(label);
  if (n === 1) return w;
  if (/(s|x|ch|sh)$/.test(w)) return `${w}es`;
  if (/[^aeiou]y$/.test(w)) return `${w.slice(0, -1)}ies`;
  if (w === 'person') return 'people';
  return `${w}s`;
}

/** Items a sentence names at most; the rows beside it hold them all. */
const NAMED_IN_TEXT = 20;

/** A long list named in part: "a, b, … and 180 more (all in the rows)". */
function listed(items: string[]): string {
  if (items.length <= NAMED_IN_TEXT) return join(items);
  return `${items.slice(0, NAMED_IN_TEXT).join(', ')} and ${items.length - NAMED_IN_TEXT} more (all in the rows)`;
}

function join(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

export function format(value: unknown): string {
  if (value === null || value === undefined) return 'unknown';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Math.round(value * 100) / 100);
  if (Array.isArray(value)) return value.map(format).join(', ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
