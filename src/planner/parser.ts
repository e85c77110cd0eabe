/**
 * The schema-driven semantic parser: a grounded question (see grounding.ts) becomes a QuerySpec —
 * the node asked about, filters on it and on related nodes, the relationship paths that connect
 * them, and what to return (list, count, aggregate, ranking, one value). It uses nothing but the
 * catalog of the live graph and general English, so it works on graphs kgrag did not build. When
 * a question cannot be mapped with confidence it says why instead of guessing.
 */
import type { PropertyInfo, RelationshipInfo } from '../graph/catalog.ts';
import type { Aggregate, CompareOp, Condition, EdgeSpec, ExistsSpec, NodeSpec, QuerySpec, ResultSpec } from './compile.ts';
import type { Grounding, LabelMention, PropertyMention, Span, ValueMention } from './grounding.ts';
import { FUNCTION_WORDS, MONTHS, NEGATIONS, isStopword, NUMBER_WORDS, PERSON_LABEL_STEMS, VALUE_SYNONYMS, nameWords, parseIsoDate, parseNumber, stem, type Token } from './lexicon.ts';

export interface ParseOptions {
  /** Reference date for relative expressions ("next month", "how long"), YYYY-MM-DD. */
  asOf: string;
  /** Row cap of list answers. */
  limit: number;
}

export type ParseOutcome =
  /** `unexplained`: words of the question the parse did not use; the caller decides whether to trust it. */
  | { ok: true; spec: QuerySpec; notes: string[]; unexplained: string[] }
  | { ok: false; reason: string; notes: string[] };

interface Slot {
  span: Span;
  alternatives: ValueMention[];
}

const AGGREGATE_WORDS: Record<string, Aggregate> = {
  average: 'avg', mean: 'avg', avg: 'avg',
  total: 'sum', sum: 'sum', combined: 'sum', overall: 'sum', payroll: 'sum',
  highest: 'max', maximum: 'max', max: 'max', largest: 'max', biggest: 'max', greatest: 'max', most: 'max', latest: 'max', top: 'max', longest: 'max',
  lowest: 'min', minimum: 'min', min: 'min', smallest: 'min', least: 'min', fewest: 'min', cheapest: 'min', earliest: 'min', shortest: 'min',
};
const DESCENDING = new Set(['highest', 'largest', 'biggest', 'greatest', 'most', 'top', 'latest', 'newest', 'recent', 'recently', 'expensive', 'longest', 'best', 'richest', 'descending']);
const ASCENDING = new Set(['lowest', 'smallest', 'least', 'fewest', 'cheapest', 'earliest', 'oldest', 'first', 'shortest', 'ascending']);
/** Superlatives whose meaning flips on dates and years ("oldest" = smallest founding year). */
const AGE_WORDS = new Set(['oldest', 'newest', 'youngest', 'recent', 'recently', 'latest', 'earliest']);
const LIST_WORDS = new Set(['which', 'what', 'who', 'list', 'show', 'name', 'find', 'give', 'get', 'display', 'identify', 'return']);

interface Comparison {
  op: CompareOp;
  value: number | string;
  /** Second bound of "between". */
  upper?: number | string;
  /** The value is a year (1900–2100) or an ISO date. */
  year: boolean;
  date: boolean;
  /** Tokens used by the comparison, and where its property should be looked for. */
  span: Span;
}

export function parseQuestion(g: Grounding, opts: ParseOptions): ParseOutcome {
  const notes: string[] = [];
  const T = g.tokens;
  const words = T.map((t) => t.text);
  if (T.length === 0) return { ok: false, reason: 'The question is empty.', notes };
  const has = (...ws: string[]) => ws.some((w) => words.includes(w));
  const seq = (...ws: string[]) => words.findIndex((_, i) => ws.every((w, j) => words[i + j] === w));

  const slots = selectSlots(g.values);
  const used = new Set<number>();
  const markUsed = (s: Span) => {
    for (let i = s.start; i < s.end; i++) used.add(i);
  };
  const nameSlots = slots.filter((s) => s.alternatives.some((a) => a.isName));

  // ---------------------------------------------------------------- target
  const personLabel = findPersonLabel(g);
  const labelMentions = g.labels.filter((m) => {
    // Inside a longer name ("Project Atlas") the word is part of the name.
    if (slots.some((s) => s.alternatives.every((a) => a.isName) && overlaps(s.span, m.span) && s.span.end - s.span.start > m.span.end - m.span.start)) return false;
    // "the HL7 feed connector task": the noun belongs to the name next to it.
    if (slots.some((s) => s.alternatives.some((a) => a.isName && a.label === m.label) && (s.span.end === m.span.start || m.span.end === s.span.start))) return false;
    // "customer companies": a stored value of a label that another noun already names is a filter.
    const asValue = slots.some((s) => overlaps(s.span, m.span) && s.alternatives.some((a) => !a.isName && a.label === m.label));
    return !(asValue && g.labels.some((o) => o !== m && o.label === m.label && !overlaps(o.span, m.span)));
  });
  const first = [...labelMentions].sort((a, b) => a.span.start - b.span.start)[0];
  const whoFirst = words[0] === 'who' || words[0] === 'whom' || (words[0] !== undefined && ['and', 'so'].includes(words[0]) && words[1] === 'who');
  let target: { label: string; subset?: string; mention?: LabelMention } | undefined;
  if (whoFirst && personLabel) {
    // "Who are the highest-paid employees": the noun is the target; "who manages the person…": it is not.
    const m = ['are', 'were', 'is', 'was'].includes(words[1] ?? '') ? labelMentions.find((x) => x.label === personLabel && x.span.start <= 6) : undefined;
    target = { label: personLabel, subset: m?.subset, mention: m ?? { label: personLabel, span: { start: 0, end: 1 } } };
  } else if (first) {
    target = { label: first.label, subset: first.subset, mention: first };
  }

  const howIdx = seq('how', 'many') >= 0 ? seq('how', 'many') : seq('how', 'much');
  // "Was Tom Harris hired less than two years ago?": a condition checked on named nodes.
  const yesNo = ['is', 'was', 'are', 'were', 'does', 'did', 'do', 'has', 'have', 'had'].includes(words[0]!);
  const durationUnit = durationAsked(words);
  // "How long has X worked here?", "What is the salary of X?": a property of one named node.
  const valueQuestion = !yesNo && (!target || (target && durationUnit && nameSlots.length > 0));
  if (yesNo && !target) {
    // The node the question names is what the condition is checked on.
    const named = nameSlots[0]?.alternatives.filter((a) => a.isName).sort((a, b) => b.degree - a.degree)[0];
    if (named) target = { label: named.label };
  }
  // "X's chain of command", "the reporting line above X": a walk up a hierarchy from a named node.
  if (words.some((w) => w === 'chain' || w === 'hierarchy' || w === 'ancestors') || seq('up', 'to', 'the', 'top') >= 0) {
    const outcome = chainSpec(g, nameSlots, opts, notes);
    if (outcome) return outcome;
  }
  if (valueQuestion) {
    const anchor = pickValueQuestion(g, slots, durationUnit ? undefined : target?.label, durationUnit !== undefined);
    if (anchor) {
      const outcome = valueSpec(g, slots, anchor.mention, anchor.property, durationUnit, opts, notes);
      if (outcome) return outcome;
    }
  }
  if (!target) {
    // No noun names the target: the label whose properties and values the question uses.
    const label = inferLabel(g, slots);
    if (label) target = { label };
    else if (whoFirst && personLabel) target = { label: personLabel };
  }
  if (!target) {
    const unknown = unexplainedWords(g, new Set());
    const words = unknown.length ? ` (not found in the graph: ${unknown.join(', ')})` : '';
    return { ok: false, reason: `No label of the graph matches what the question asks about${words}.`, notes };
  }
  if (target.mention) markUsed(target.mention.span);

  let vars = 0;
  const fresh = () => `n${++vars}`;
  const nodes: NodeSpec[] = [{ v: 'n0', label: target.label, conditions: [], ...(target.subset ? { requires: target.subset } : {}) }];
  const targetNode = nodes[0]!;
  const edges: EdgeSpec[] = [];
  const exists: ExistsSpec[] = [];
  /** Non-target nodes waiting to be connected, in question order. */
  const pending: Array<{ node: NodeSpec; at: number; negated?: boolean; countOnly?: boolean }> = [];
  const secondary = new Map<string, NodeSpec>();

  // ---------------------------------------------------------------- ranking by related counts
  const rankWordIdx = words.findIndex((w, i) => (w === 'most' || w === 'fewest' || w === 'least') && !isPropertyAt(g, i + 1) || (w === 'number' && words[i + 1] === 'of') || w === 'headcount');
  let countOf: { node: NodeSpec; at: number } | undefined;
  if (rankWordIdx >= 0) {
    const after = labelMentions.find((m) => m.span.start > rankWordIdx && m.span.start <= rankWordIdx + 4 && m !== target.mention);
    const counted = words[rankWordIdx] === 'headcount' ? personLabel : after?.label;
    if (counted && !(howIdx >= 0 && words[rankWordIdx] === 'number')) {
      countOf = { node: { v: fresh(), label: counted, conditions: [], ...(after?.subset ? { requires: after.subset } : {}) }, at: after?.span.start ?? rankWordIdx };
      if (after) markUsed(after.span);
      markUsed({ start: rankWordIdx, end: rankWordIdx + 1 });
    }
  }

  // ---------------------------------------------------------------- secondary labels
  for (const m of labelMentions) {
    if (m === target.mention || used.has(m.span.start) || m.label === target.label) continue;
    const negated = negatedBefore(words, m.span.start);
    const node: NodeSpec = { v: fresh(), label: m.label, conditions: [], ...(m.subset ? { requires: m.subset } : {}) };
    pending.push({ node, at: m.span.start, negated });
    secondary.set(m.label, node);
    markUsed(m.span);
  }

  // ---------------------------------------------------------------- values
  const anchorsOfTargetLabel: Array<{ slot: Slot; alt: ValueMention }> = [];
  for (const slot of slots) {
    if ([...Array(slot.span.end - slot.span.start).keys()].some((i) => used.has(slot.span.start + i))) continue;
    if (labelMentions.some((m) => overlaps(m.span, slot.span) && m.span.end - m.span.start >= slot.span.end - slot.span.start)) continue;
    const alt = chooseAlternative(slot, target.label, secondary, countOf?.node, g);
    if (!alt) continue;
    markUsed(slot.span);
    const cond = (a: ValueMention): Condition => ({ property: a.property, op: a.negated ? '<>' : '=', value: a.value, kind: 'string' });
    if (alt.isName) {
      const namesTarget = !target.mention || (target.mention && !/s$/.test(words[target.mention.span.end - 1]!) && Math.abs(target.mention.span.start - slot.span.end) <= 1);
      if (alt.label === target.label && namesTarget && !g.relations.some((r) => isSelfType(g, r.type, target.label))) {
        // The question names the target itself ("the HL7 feed connector task").
        targetNode.ids = alt.ids;
        targetNode.names = [alt.value];
        continue;
      }
      if (alt.label === target.label) {
        anchorsOfTargetLabel.push({ slot, alt });
        continue;
      }
      const node: NodeSpec = { v: fresh(), label: alt.label, conditions: [], ids: alt.ids, names: [alt.value] };
      pending.push({ node, at: slot.span.start });
      continue;
    }
    const holder =
      alt.label === target.label && !(countOf && countOf.node.label === alt.label && slot.span.start > countOf.at - 3)
        ? targetNode
        : countOf?.node.label === alt.label
          ? countOf.node
          : secondary.get(alt.label);
    if (holder) addCondition(holder, cond(alt));
    else {
      const node: NodeSpec = { v: fresh(), label: alt.label, conditions: [cond(alt)] };
      pending.push({ node, at: slot.span.start });
      secondary.set(alt.label, node);
    }
  }

  // ---------------------------------------------------------------- comparisons
  const holders = [targetNode, ...secondary.values(), ...(countOf ? [countOf.node] : [])];
  /** Counts of related nodes compared with a number, connected once the paths are known. */
  const countFilters: Array<{ node: NodeSpec; at: number; count: NonNullable<ExistsSpec['count']> }> = [];
  /** Comparisons on relationship properties ("a quantity greater than 100"), bound once the paths are known. */
  const relConditions: Array<{ type: string; conditions: Condition[] }> = [];
  for (const c of comparisons(T, opts.asOf)) {
    // "more than one category": a count of related nodes, when a label follows the number.
    const skipWord = ['different', 'distinct', 'unique', 'separate'].includes(words[c.span.end] ?? '') ? 1 : 0;
    const countNoun = typeof c.value === 'number' && c.upper === undefined
      ? labelMentions.find((m) => m.span.start === c.span.end + skipWord && m.label !== target!.label)
      : undefined;
    if (countNoun) {
      const i = pending.findIndex((p) => p.at === countNoun.span.start);
      const node = i >= 0 ? pending.splice(i, 1)[0]!.node : { v: fresh(), label: countNoun.label, conditions: [], ...(countNoun.subset ? { requires: countNoun.subset } : {}) };
      countFilters.push({ node, at: countNoun.span.start, count: { op: c.op, value: c.value as number, distinct: true } });
      markUsed({ start: c.span.start, end: countNoun.span.end });
      continue;
    }
    const found = comparisonProperty(g, c, holders, used);
    const onRel = found ? undefined : relComparisonProperty(g, c, holders, used);
    if (onRel) {
      markUsed(c.span);
      markUsed(onRel.mention.span);
      relConditions.push({ type: onRel.type, conditions: toConditions(c, { holder: targetNode, property: onRel.mention.property.name, kind: propertyKind(onRel.mention.property) ?? 'number' }) });
      continue;
    }
    if (!found && typeof c.value === 'number' && c.upper === undefined) {
      // "ordered more than 10 times": a count of relationships.
      const cue = words[c.span.end] === 'times' ? g.relations.filter((r) => r.span.start < c.span.start && g.relationships.some((x) => x.type === r.type && (x.from === target!.label || x.to === target!.label))).pop() : undefined;
      const rel = cue ? g.relationships.find((x) => x.type === cue.type && (x.from === target!.label || x.to === target!.label)) : undefined;
      if (cue && rel) {
        const dir: 'out' | 'in' = rel.from === target.label ? 'out' : 'in';
        const other: NodeSpec = { v: fresh(), label: dir === 'out' ? rel.to : rel.from, conditions: [] };
        exists.push({ negated: false, edges: [{ from: 'n0', to: other.v, type: rel.type, dir }], nodes: [other], count: { op: c.op, value: c.value, distinct: false } });
        markUsed({ start: c.span.start, end: c.span.end + 1 });
        markUsed(cue.span);
        continue;
      }
    }
    if (!found) {
      notes.push(`Could not tell which property "${T.slice(c.span.start, c.span.end).map((t) => t.raw).join(' ')}" applies to.`);
      return { ok: false, reason: `The question compares something (${T.slice(c.span.start, c.span.end).map((t) => t.raw).join(' ')}) with no property of the graph it could apply to.`, notes };
    }
    markUsed(c.span);
    markUsed(found.mention?.span ?? c.span);
    for (const cond of toConditions(c, found)) addCondition(found.holder, cond);
  }

  // Quoted text that matched no value: "with 'dashboard' in the title" → contains.
  for (const t of T.filter((x) => x.quoted && !used.has(x.index))) {
    const prop = nearestProperty(g, t.index, [targetNode], (p) => p.types.includes('STRING')) ?? { holder: targetNode, property: nameProperty(g, target.label) };
    if (!prop.property) continue;
    const starts = words.slice(Math.max(0, t.index - 3), t.index).some((w) => w === 'start' || w === 'starts' || w === 'starting' || w === 'begin' || w === 'begins');
    addCondition(prop.holder, { property: prop.property, op: starts ? 'startsWith' : 'contains', value: t.raw, kind: 'string' });
    markUsed({ start: t.index, end: t.index + 1 });
  }

  // Boolean properties named by the question ("remote", "discontinued").
  for (const pm of g.properties) {
    if (!pm.property.types.includes('BOOLEAN') || used.has(pm.span.start)) continue;
    const holder = holders.find((h) => h.label === pm.label);
    if (!holder) continue;
    addCondition(holder, { property: pm.property.name, op: '=', value: !negatedBefore(words, pm.span.start), kind: 'boolean' });
    markUsed(pm.span);
  }

  // Relative time ("next month", "in the last two years") on a date property the question names.
  const relative = relativeRange(words, opts.asOf);
  if (relative) {
    const found = nearestProperty(g, relative.at, holders, (p) => p.types.includes('DATE') || looksLikeDateString(p), 8);
    if (found) {
      for (const c of relative.conditions) addCondition(found.holder, { property: found.property, op: c.op, value: c.value, kind: found.kind });
      markUsed(relative.span);
    }
  }

  // "overdue": due before the reference date and not in a finished state.
  if (words.includes('overdue') || seq('past', 'due') >= 0 || words.includes('late')) {
    const info = g.labelInfo.get(target.label);
    const due = info?.properties.find((p) => p.types[0] === 'DATE' && nameWords(p.name).some((w) => ['due', 'deadline', 'end'].includes(w)));
    if (due) {
      addCondition(targetNode, { property: due.name, op: '<', value: opts.asOf, kind: 'date' });
      const status = info?.properties.find((p) => ['status', 'state'].includes(p.name.toLowerCase()));
      const finished = (status?.samples ?? []).filter((v): v is string => typeof v === 'string' && [...VALUE_SYNONYMS.completed!, 'completed', 'cancelled', 'canceled'].includes(v.toLowerCase()));
      if (status && finished.length) addCondition(targetNode, { property: status.name, op: 'notIn', value: finished, kind: 'string' });
      markUsed({ start: words.indexOf('overdue') >= 0 ? words.indexOf('overdue') : words.indexOf('late'), end: words.indexOf('overdue') + 1 });
    }
  }

  // ---------------------------------------------------------------- paths
  const placed: NodeSpec[] = [targetNode];
  const mentionsAt = [...(target.mention ? [target.mention.span.start] : []), ...pending.map((p) => p.at), ...(countOf ? [countOf.at] : [])];
  for (const p of pending.sort((a, b) => a.at - b.at)) {
    const path = bestPath(g, placed, p.node, p.at, words, used, mentionsAt);
    if (!path) {
      notes.push(`No relationship connects ${target.label} and ${p.node.label}.`);
      return { ok: false, reason: `The graph has no relationship between ${target.label} and ${p.node.label} that the question could mean.`, notes };
    }
    if (path.ambiguous) {
      // Two unrelated ways to connect and no word to choose: leave the node out rather than guess.
      notes.push(`Ignored ${p.node.label} "${describeNode(g, p.node)}": more than one relationship could connect it and the question names none.`);
      continue;
    }
    if (p.negated && !p.node.ids) {
      exists.push({ negated: true, edges: path.edges, nodes: [...path.nodes, p.node] });
      continue;
    }
    edges.push(...path.edges);
    nodes.push(...path.nodes, p.node);
    placed.push(...path.nodes, p.node);
  }
  for (const { alt } of anchorsOfTargetLabel) {
    const self = selfRelation(g, target.label, alt, words);
    if (!self) {
      // "customers of Acme" with no relationship between companies named: Acme is context, not a filter.
      notes.push(`Ignored ${alt.value}: no relationship between two ${target.label} nodes is named.`);
      continue;
    }
    const node: NodeSpec = { v: fresh(), label: target.label, conditions: [], ids: alt.ids, names: [alt.value] };
    nodes.push(node);
    edges.push({ from: 'n0', to: node.v, type: self.type, dir: self.dir, hops: self.hops, variable: self.variable });
  }
  // "tasks that depend on another task", "tasks with no assignee": a relationship named, no node.
  for (const r of g.relations) {
    if (used.has(r.span.start) || edges.some((e) => e.type === r.type) || exists.some((x) => x.edges.some((e) => e.type === r.type))) continue;
    if (countOf && g.relationships.some((x) => x.type === r.type && (x.from === countOf.node.label || x.to === countOf.node.label))) continue;
    const rel = g.relationships.find((x) => x.type === r.type && (x.from === target.label || x.to === target.label));
    if (!rel) continue;
    const negated = negatedBefore(words, r.span.start);
    const hasNoun = /(?:er|ee|or)$/.test(words[r.span.start]!) || words[r.span.start - 1] === 'another' || words[r.span.start + 1] === 'another' || words[r.span.start + 2] === 'another';
    if (!negated && !hasNoun) continue;
    const dir: 'out' | 'in' = rel.from === target.label ? 'out' : 'in';
    const other = { v: fresh(), label: dir === 'out' ? rel.to : rel.from, conditions: [] };
    exists.push({ negated, edges: [{ from: 'n0', to: other.v, type: r.type, dir }], nodes: [other] });
    markUsed(r.span);
  }

  for (const f of countFilters) {
    const path = bestPath(g, placed, f.node, f.at, words, used, mentionsAt);
    if (!path) return { ok: false, reason: `No relationship connects ${target.label} and ${f.node.label}.`, notes };
    exists.push({ negated: false, edges: path.edges, nodes: [...path.nodes, f.node], count: f.count });
  }

  // Relationship variables: an edge the path already has, or a new one from a placed node.
  let relVars = 0;
  const bindRel = (type: string): string | undefined => {
    const existing = edges.find((e) => e.type === type);
    if (existing) return (existing.v ??= `r${++relVars}`);
    for (const node of placed) {
      const rel = g.relationships.find((r) => r.type === type && (r.from === node.label || r.to === node.label));
      if (!rel) continue;
      const dir: 'out' | 'in' = rel.from === node.label ? 'out' : 'in';
      const other: NodeSpec = { v: fresh(), label: dir === 'out' ? rel.to : rel.from, conditions: [] };
      const v = `r${++relVars}`;
      edges.push({ from: node.v, to: other.v, type, dir, v });
      nodes.push(other);
      placed.push(other);
      return v;
    }
    return undefined;
  };
  for (const rc of relConditions) {
    const v = bindRel(rc.type);
    if (!v) return { ok: false, reason: `No ${rc.type} relationship connects to ${target.label}.`, notes };
    const edge = edges.find((e) => e.v === v)!;
    edge.conditions = [...(edge.conditions ?? []), ...rc.conditions];
  }

  // ---------------------------------------------------------------- result
  const result: ResultSpec | { reason: string } = yesNo
    ? { kind: 'check' }
    : resultSpec(g, { words, target: targetNode, countOf, howIdx, used, nodes, personLabel, bindRel }, notes);
  if ('reason' in result) return { ok: false, reason: result.reason, notes };
  if (countOf && result.kind === 'rank' && 'count' in result.by) {
    // The counted node connects to the target through the best path, like any other node.
    const path = bestPath(g, [targetNode], countOf.node, countOf.at, words, used, mentionsAt);
    if (!path) return { ok: false, reason: `No relationship connects ${target.label} and ${countOf.node.label}.`, notes };
    result.by = { count: { negated: false, edges: path.edges, nodes: [...path.nodes, countOf.node] } };
  }

  const nameProps: Record<string, string | undefined> = {};
  for (const [label, info] of g.labelInfo) nameProps[label] = info.nameProperty;
  return {
    ok: true,
    spec: { nodes, edges, exists, result, nameProperty: nameProps, limit: opts.limit },
    notes,
    unexplained: unexplainedWords(g, used),
  };
}

/** Content words no mention covers: unknown names, properties the graph does not have. */
function unexplainedWords(g: Grounding, used: Set<number>): string[] {
  const covered = new Set(used);
  const cover = (s: Span) => {
    for (let i = s.start; i < s.end; i++) covered.add(i);
  };
  g.labels.forEach((m) => cover(m.span));
  g.properties.forEach((m) => cover(m.span));
  g.values.forEach((m) => cover(m.span));
  g.relations.forEach((m) => cover(m.span));
  return g.tokens
    .filter((t) => !covered.has(t.index) && !isStopword(t.text) && !FUNCTION_WORDS.has(t.text) && !FUNCTION_WORDS.has(t.stem) && parseNumber(t) === undefined && !parseIsoDate(t))
    .map((t) => t.raw);
}

// -------------------------------------------------------------------------------------------------
// Slots and alternatives

function overlaps(a: Span, b: Span): boolean {
  return a.start < b.end && b.start < a.end;
}

/** Non-overlapping value spans, longest first; each keeps every reading of its phrase. */
function selectSlots(values: ValueMention[]): Slot[] {
  const bySpan = new Map<string, Slot>();
  for (const v of values) {
    const key = `${v.span.start}:${v.span.end}`;
    const slot = bySpan.get(key) ?? { span: v.span, alternatives: [] };
    slot.alternatives.push(v);
    bySpan.set(key, slot);
  }
  const chosen: Slot[] = [];
  for (const slot of [...bySpan.values()].sort((a, b) => b.span.end - b.span.start - (a.span.end - a.span.start) || a.span.start - b.span.start)) {
    if (!chosen.some((c) => overlaps(c.span, slot.span))) chosen.push(slot);
  }
  return chosen.sort((a, b) => a.span.start - b.span.start);
}

/**
 * Which reading of a phrase the question means: a property value of the target, then of a label
 * the question names, then a named node — a node whose label the phrase itself contains ("Project
 * Atlas") first, then the one most closely connected to the target.
 */
function chooseAlternative(slot: Slot, target: string, secondary: Map<string, NodeSpec>, counted: NodeSpec | undefined, g: Grounding): ValueMention | undefined {
  const phrase = g.tokens.slice(slot.span.start, slot.span.end).map((t) => t.stem);
  const score = (a: ValueMention): number => {
    const distance = hopsBetween(g, target, a.label);
    if (!a.isName && a.label === target) return 100;
    if (!a.isName && (secondary.has(a.label) || counted?.label === a.label)) return 90;
    if (a.isName) {
      // A name read as a node: its label in the phrase, then how close and how connected it is.
      if (distance === undefined && !secondary.has(a.label)) return -1;
      // "Project Atlas", "the 'Meat/Poultry' category": a noun in or beside the phrase names its label.
      const beside = g.labels.some((m) => m.label === a.label && (m.span.start === slot.span.end || m.span.end === slot.span.start));
      const inPhrase = beside || nameWords(a.label).map(stem).some((w) => phrase.includes(w)) ? 30 : 0;
      return 40 + inPhrase + (secondary.has(a.label) ? 10 : 10 - (distance ?? 0) * 5) + 20 * Math.log10(1 + a.degree);
    }
    if (!a.isName && distance !== undefined) return 30 - distance * 5;
    return -1;
  };
  const ranked = slot.alternatives.map((a) => ({ a, s: score(a) })).filter((x) => x.s >= 0).sort((x, y) => y.s - x.s || x.a.count - y.a.count);
  return ranked[0]?.a;
}

/** Relationship hops between two labels in the schema (0 = same label), up to 3. */
function hopsBetween(g: Grounding, a: string, b: string): number | undefined {
  let frontier = new Set([a]);
  const seen = new Set([a]);
  for (let d = 0; d <= 3; d++) {
    if (frontier.has(b)) return d;
    const next = new Set<string>();
    for (const l of frontier) {
      for (const r of g.relationships) {
        const other = r.from === l ? r.to : r.to === l ? r.from : undefined;
        if (other && !seen.has(other)) {
          seen.add(other);
          next.add(other);
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

function addCondition(node: NodeSpec, c: Condition): void {
  // Two values of the same property mean either of them ("Berlin or London").
  const same = node.conditions.find((x) => x.property === c.property && (x.op === '=' || x.op === 'in') && c.op === '=' && x.kind === c.kind);
  if (same && same.value !== c.value) {
    same.op = 'in';
    same.value = [...(Array.isArray(same.value) ? same.value : [same.value]), c.value as string];
    return;
  }
  const neg = node.conditions.find((x) => x.property === c.property && (x.op === '<>' || x.op === 'notIn') && c.op === '<>' && x.kind === c.kind);
  if (neg && neg.value !== c.value) {
    neg.op = 'notIn';
    neg.value = [...(Array.isArray(neg.value) ? neg.value : [neg.value]), c.value as string];
    return;
  }
  if (!node.conditions.some((x) => x.property === c.property && x.op === c.op && JSON.stringify(x.value) === JSON.stringify(c.value))) node.conditions.push(c);
}

function negatedBefore(words: string[], at: number): boolean {
  return words.slice(Math.max(0, at - 3), at).some((w) => NEGATIONS.has(w) && w !== 'yet');
}

function findPersonLabel(g: Grounding): string | undefined {
  const labels = [...g.labelInfo.keys()];
  return (
    labels.find((l) => stem(l) === 'person') ??
    labels.find((l) => nameWords(l).some((w) => PERSON_LABEL_STEMS.has(stem(w))))
  );
}

function nameProperty(g: Grounding, label: string): string | undefined {
  return g.labelInfo.get(label)?.nameProperty;
}

function describeNode(g: Grounding, node: NodeSpec): string {
  const v = g.values.find((x) => x.ids === node.ids);
  return v?.value ?? node.conditions.map((c) => String(c.value)).join(', ');
}

function isPropertyAt(g: Grounding, i: number): boolean {
  return g.properties.some((p) => p.span.start === i && !p.label.startsWith('REL:') && p.score >= 0.3);
}

function isSelfType(g: Grounding, type: string, label: string): boolean {
  return g.relationships.some((r) => r.type === type && r.from === label && r.to === label);
}

function inferLabel(g: Grounding, slots: Slot[]): string | undefined {
  const score = new Map<string, number>();
  for (const p of g.properties) if (!p.label.startsWith('REL:')) score.set(p.label, (score.get(p.label) ?? 0) + p.score);
  for (const s of slots) for (const a of s.alternatives) if (!a.isName) score.set(a.label, (score.get(a.label) ?? 0) + 1);
  const best = [...score.entries()].sort((a, b) => b[1] - a[1] || (g.labelInfo.get(a[0])?.count ?? 0) - (g.labelInfo.get(b[0])?.count ?? 0));
  return best[0]?.[0];
}

// -------------------------------------------------------------------------------------------------
// One property of one named node

function durationAsked(words: string[]): 'years' | 'days' | undefined {
  const i = words.findIndex((w, j) => w === 'how' && (words[j + 1] === 'long' || (words[j + 1] === 'many' && /^(years?|days?|months?)$/.test(words[j + 2] ?? ''))));
  if (i < 0) return undefined;
  return words[i + 1] === 'many' && words[i + 2]!.startsWith('day') ? 'days' : 'years';
}

function pickValueQuestion(g: Grounding, slots: Slot[], target: string | undefined, temporal: boolean): { slot: Slot; mention: ValueMention; property: PropertyInfo } | undefined {
  for (const slot of slots) {
    // The reading whose label the phrase names ("Project Atlas"), then the best connected node.
    const phrase = g.tokens.slice(slot.span.start, slot.span.end).map((t) => t.stem);
    const rank = (a: ValueMention) => (nameWords(a.label).map(stem).some((w) => phrase.includes(w)) ? 100 : 0) + a.degree;
    for (const alt of slot.alternatives.filter((a) => a.isName).sort((a, b) => rank(b) - rank(a))) {
      if (target && alt.label !== target) continue;
      const isTime = (p: PropertyInfo) => p.types.includes('DATE') || looksLikeDateString(p) || (p.types[0] === 'INTEGER' && /year/i.test(p.name));
      const props = g.properties
        .filter((p) => p.label === alt.label && !overlaps(p.span, slot.span) && p.property.name !== nameProperty(g, alt.label))
        // In "how many years", "years" is the unit asked for, not a property.
        .filter((p) => !temporal || !/^(years?|days?|months?)$/.test(g.tokens[p.span.start]!.text))
        .filter((p) => !temporal || isTime(p.property))
        .sort((a, b) => b.score - a.score);
      if (props[0]) return { slot, mention: alt, property: props[0].property };
      if (temporal) {
        // "How long has X worked here?": the date of X's label most nodes have (a hire or start date).
        const dates = (g.labelInfo.get(alt.label)?.properties ?? []).filter((p) => isTime(p) && !['createdAt', 'updatedAt'].includes(p.name)).sort((a, b) => b.count - a.count);
        if (dates.length === 1 || (dates.length > 1 && slots.filter((s) => s.alternatives.some((a) => a.isName && a.label === alt.label)).length === 1)) {
          if (dates[0]) return { slot, mention: alt, property: dates[0] };
        }
        if (dates.length > 1) return { slot, mention: alt, property: dates[0]! };
      }
    }
  }
  return undefined;
}

function valueSpec(g: Grounding, slots: Slot[], alt: ValueMention, prop: PropertyInfo, duration: 'years' | 'days' | undefined, opts: ParseOptions, notes: string[]): ParseOutcome | undefined {
  if (alt.ids.length === 0) return undefined;
  // Every node of that label the question names: "when did Acme acquire Initech" asks Initech's date.
  const ids = [...new Set(slots.flatMap((s) => s.alternatives.filter((a) => a.isName && a.label === alt.label).flatMap((a) => a.ids)))];
  const names = [...new Set(slots.flatMap((s) => s.alternatives.filter((a) => a.isName && a.label === alt.label).map((a) => a.value)))];
  const node: NodeSpec = { v: 'n0', label: alt.label, conditions: [], ids, names };
  const words = g.tokens.map((t) => t.text);
  const until = words.some((w) => w === 'left' || w === 'until' || w === 'remaining');
  const result: ResultSpec = {
    kind: 'value',
    node: 'n0',
    property: prop.name,
    ...(duration ? { temporal: duration === 'days' ? (until ? 'until-days' : 'days') : 'years', asOf: opts.asOf } : {}),
  };
  notes.push(`${alt.value} (${alt.label}) → ${prop.name}`);
  const nameProps: Record<string, string | undefined> = {};
  for (const [label, info] of g.labelInfo) nameProps[label] = info.nameProperty;
  return { ok: true, spec: { nodes: [node], edges: [], exists: [], result, nameProperty: nameProps, limit: opts.limit }, notes, unexplained: unexplainedWords(g, new Set()) };
}

function chainSpec(g: Grounding, nameSlots: Slot[], opts: ParseOptions, notes: string[]): ParseOutcome | undefined {
  const alt = nameSlots[0]?.alternatives.filter((a) => a.isName).sort((a, b) => b.degree - a.degree)[0];
  if (!alt) return undefined;
  const selfTypes = [...new Set(g.relationships.filter((r) => r.from === alt.label && r.to === alt.label).map((r) => r.type))];
  const cued = g.relations.filter((r) => selfTypes.includes(r.type)).map((r) => r.type);
  const type = cued[0] ?? (selfTypes.length === 1 ? selfTypes[0] : undefined);
  if (!type) return undefined;
  notes.push(`${alt.value}: the ${type} chain up to its end`);
  const nameProps: Record<string, string | undefined> = {};
  for (const [label, info] of g.labelInfo) nameProps[label] = info.nameProperty;
  const node: NodeSpec = { v: 'n0', label: alt.label, conditions: [], ids: alt.ids, names: [alt.value] };
  return {
    ok: true,
    spec: { nodes: [node], edges: [], exists: [], result: { kind: 'chain', type }, nameProperty: nameProps, limit: opts.limit },
    notes,
    unexplained: [],
  };
}

// -------------------------------------------------------------------------------------------------
// Comparisons

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

function comparisons(T: Token[], asOf: string): Comparison[] {
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
function agoDate(words: string[], at: number, n: number | string, asOf: string): string | undefined {
  const unit = words[at]?.replace(/s$/, '');
  if (typeof n !== 'number' || words[at + 1] !== 'ago' || !unit || !['day', 'week', 'month', 'year'].includes(unit)) return undefined;
  const d = new Date(`${asOf}T00:00:00Z`);
  if (unit === 'year') d.setUTCFullYear(d.getUTCFullYear() - n);
  else if (unit === 'month') d.setUTCMonth(d.getUTCMonth() - n);
  else d.setUTCDate(d.getUTCDate() - n * (unit === 'week' ? 7 : 1));
  return d.toISOString().slice(0, 10);
}

function endOfMonth(isoFirst: string): string {
  const d = new Date(`${isoFirst}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + 1);
  d.setUTCDate(0);
  return d.toISOString().slice(0, 10);
}

function looksLikeDateString(p: PropertyInfo): boolean {
  return p.types[0] === 'STRING' && p.samples.length > 0 && p.samples.every((s) => typeof s === 'string' && /^\d{4}-\d{2}-\d{2}/.test(s));
}

interface FoundProperty {
  holder: NodeSpec;
  property: string;
  kind: Condition['kind'];
  mention?: PropertyMention;
}

function propertyKind(p: PropertyInfo): Condition['kind'] | undefined {
  const t = p.types[0];
  if (t === 'INTEGER' || t === 'FLOAT') return 'number';
  if (t === 'DATE') return 'date';
  if (t === 'STRING') return looksLikeDateString(p) ? 'string' : /^-?\d+(\.\d+)?$/.test(String(p.samples[0] ?? '')) ? 'string' : undefined;
  return undefined;
}

/** The property a comparison applies to: named just before it (or just after its number). */
function comparisonProperty(g: Grounding, c: Comparison, holders: NodeSpec[], used: Set<number>): FoundProperty | undefined {
  const fits = (p: PropertyInfo) => {
    const kind = propertyKind(p);
    if (!kind) return false;
    if (c.date) return kind === 'date' || looksLikeDateString(p);
    if (c.year) return kind === 'date' || looksLikeDateString(p) || (kind === 'number' && /year/i.test(p.name)) || kind === 'number';
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
  // Nothing named: a single numeric (or date) property of the target that fits is unambiguous;
  // among several dates, the one named after the label itself ("orders in 1996": orderDate).
  const target = holders[0]!;
  const props = g.labelInfo.get(target.label)?.properties.filter((p) => fits(p) && !['id', 'createdAt', 'updatedAt'].includes(p.name) && !/(?:Id|ID|_id)$/.test(p.name)) ?? [];
  const own = nameWords(target.label).map(stem);
  const chosen = props.length === 1 ? props[0] : (c.year || c.date) ? props.find((p) => nameWords(p.name).map(stem).some((w) => own.includes(w))) : undefined;
  if (chosen) return { holder: target, property: chosen.name, kind: propertyKind(chosen) === 'date' ? 'date' : looksLikeDateString(chosen) ? 'string' : propertyKind(chosen)! };
  return undefined;
}

/** A relationship property a comparison applies to ("a quantity greater than 100"), on a type touching a holder. */
function relComparisonProperty(g: Grounding, c: Comparison, holders: NodeSpec[], used: Set<number>): { type: string; mention: PropertyMention } | undefined {
  const near = g.properties
    .filter((m) => m.label.startsWith('REL:') && !used.has(m.span.start) && propertyKind(m.property) !== undefined)
    .filter((m) => g.relationships.some((r) => `REL:${r.type}` === m.label && holders.some((h) => h.label === r.from || h.label === r.to)))
    .map((m) => ({ m, d: m.span.end <= c.span.start ? c.span.start - m.span.end : (m.span.start - c.span.end) * 1.5 }))
    .filter((x) => x.d >= 0 && x.d < 6)
    .sort((a, b) => a.d - b.d || b.m.score - a.m.score)[0];
  return near ? { type: near.m.label.slice(4), mention: near.m } : undefined;
}

function toConditions(c: Comparison, found: FoundProperty): Condition[] {
  const kind = found.kind;
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

function nearestProperty(
  g: Grounding,
  at: number,
  holders: NodeSpec[],
  fits: (p: PropertyInfo) => boolean,
  window = 6,
): { holder: NodeSpec; property: string; kind: Condition['kind'] } | undefined {
  const best = g.properties
    .filter((m) => holders.some((h) => h.label === m.label) && fits(m.property) && Math.abs(m.span.start - at) <= window)
    .sort((a, b) => Math.abs(a.span.start - at) - Math.abs(b.span.start - at) || b.score - a.score)[0];
  if (!best) return undefined;
  const kind: Condition['kind'] = best.property.types.includes('DATE') ? 'date' : 'string';
  return { holder: holders.find((h) => h.label === best.label)!, property: best.property.name, kind };
}

function relativeRange(words: string[], asOf: string): { at: number; span: Span; conditions: Array<{ op: CompareOp; value: string }> } | undefined {
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

// -------------------------------------------------------------------------------------------------
// Paths between nodes

interface FoundPath {
  edges: EdgeSpec[];
  /** Intermediate nodes (scoped, no conditions). */
  nodes: NodeSpec[];
  ambiguous: boolean;
}

/** The best schema path from an already placed node to `node`'s label: cued relationship types first, then shorter. */
function bestPath(g: Grounding, placed: NodeSpec[], node: NodeSpec, at: number, words: string[], used: Set<number>, mentions: number[]): FoundPath | undefined {
  let pathVars = 0;
  // Words already read as a value or a label ("blocked", "office") cue no relationship.
  // A cue word belongs to the node it sits next to: one with another node's mention in between
  // ("the projects Hannah Weber leads": "leads" connects Hannah, not the projects) does not count.
  const cues = g.relations.filter((r) => !used.has(r.span.start) && !mentions.some((m) => m !== at && (m - at) * (m - r.span.start) < 0));
  const cued = new Set(cues.map((r) => r.type));
  const inverse = new Set(cues.filter((r) => r.inverse).map((r) => r.type));
  // "Who does the lead of X report to?": the node mentioned after does/did is the subject.
  const aux = words.findIndex((w) => w === 'does' || w === 'do' || w === 'did');
  const subjectFirst = (type: string) => aux >= 0 && aux < at && cues.some((c) => c.type === type && c.span.start > at);
  type Hop = { rel: RelationshipInfo; dir: 'out' | 'in'; to: string };
  const hopsFrom = (label: string): Hop[] =>
    g.relationships.flatMap((r) => [
      // A relationship between two nodes of one label runs the way its cue word says ("manager").
      ...(r.from === label ? [{ rel: r, dir: r.to === label && (inverse.has(r.type) || subjectFirst(r.type)) ? ('in' as const) : ('out' as const), to: r.to }] : []),
      ...(r.to === label && r.from !== label ? [{ rel: r, dir: 'in' as const, to: r.from }] : []),
    ]).filter((h) => g.labelInfo.has(h.to));
  const candidates: Array<{ start: NodeSpec; hops: Hop[]; score: number }> = [];
  for (const start of placed) {
    const frontier: Array<{ label: string; hops: Hop[] }> = [{ label: start.label, hops: [] }];
    for (let depth = 0; depth < 3; depth++) {
      const nextFrontier: typeof frontier = [];
      for (const f of frontier) {
        for (const h of hopsFrom(f.label)) {
          if (f.hops.some((x) => x.rel === h.rel)) continue;
          const hops = [...f.hops, h];
          if (h.to === node.label && !(h.to === start.label && hops.length === 1 && h.rel.from === h.rel.to)) {
            const cues = hops.filter((x) => cued.has(x.rel.type)).length;
            // Nodes placed later in the question and closer to this mention are likelier partners.
            const proximity = start === placed[0] ? 0 : 0.3;
            candidates.push({ start, hops, score: cues * 2 - hops.length + proximity + Math.log10(1 + Math.min(...hops.map((x) => x.rel.count))) * 0.01 });
          }
          if (depth < 2) nextFrontier.push({ label: h.to, hops });
        }
      }
      frontier.splice(0, frontier.length, ...nextFrontier);
    }
  }
  void at;
  void words;
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => b.score - a.score);
  if (process.env.DEBUG_PATHS) console.log(node.label, at, cues.map((c) => c.type + "@" + c.span.start), candidates.map((c) => c.hops.map((h) => h.rel.type + ":" + h.dir).join(">") + "=" + c.score.toFixed(2)));
  const best = candidates[0]!;
  const rivals = candidates.filter((c) => c !== best && Math.abs(c.score - best.score) < 1e-6 && c.hops.map((h) => h.rel.type).join() !== best.hops.map((h) => h.rel.type).join());
  const bestCued = best.hops.some((h) => cued.has(h.rel.type));
  // Uncued and not unique: the question gives no reason to pick one path.
  const ambiguous = !bestCued && rivals.length > 0 && node.ids !== undefined && best.start.label !== node.label && best.hops.length === 1;
  const edges: EdgeSpec[] = [];
  const inner: NodeSpec[] = [];
  let from = best.start.v;
  best.hops.forEach((h, i) => {
    const last = i === best.hops.length - 1;
    const to = last ? node.v : `${node.v}_${++pathVars}`;
    if (!last) inner.push({ v: to, label: h.to, conditions: [] });
    edges.push({ from, to, type: h.rel.type, dir: h.dir });
    from = to;
  });
  return { edges, nodes: inner, ambiguous };
}

/** Relationship between two nodes of the same label (REPORTS_TO, DEPENDS_ON): type, direction and hops. */
function selfRelation(g: Grounding, label: string, anchor: ValueMention, words: string[]): { type: string; dir: 'out' | 'in'; hops?: number; variable?: boolean } | undefined {
  const selfTypes = g.relationships.filter((r) => r.from === label && r.to === label).map((r) => r.type);
  if (selfTypes.length === 0) return undefined;
  const mentions = g.relations.filter((r) => selfTypes.includes(r.type));
  const type = mentions[0]?.type;
  if (!type) return undefined;
  const inverseCount = mentions.filter((m) => m.inverse).length;
  const cue = mentions[0];
  let dir: 'out' | 'in';
  const possessive = /[’']s$/.test(g.tokens[anchor.span.end - 1]?.raw ?? '');
  if (inverseCount > 0) dir = 'in'; // "X's manager": (X)-[:REPORTS_TO]->(target)
  else if (possessive) dir = 'out'; // "X's team": (target)-[:REPORTS_TO]->(X)
  else if (cue && anchor.span.end <= cue.span.start && ['does', 'do', 'did', 'is', 'was'].some((w) => words.slice(0, anchor.span.start).includes(w))) dir = 'in';
  else dir = 'out';
  const variable = words.some((w) => w === 'indirect' || w === 'indirectly' || w === 'chain' || w === 'transitive' || w === 'organisation' || w === 'organization');
  const skip = words.some((w) => w === 'skip-level' || w === 'grand');
  const hops = skip ? 2 : Math.max(1, inverseCount);
  return { type, dir, ...(variable ? { variable: true, hops: 10 } : { hops }) };
}

// -------------------------------------------------------------------------------------------------
// What to return

interface ResultContext {
  /** Binds a relationship of the type to a variable (adding the edge if needed). */
  bindRel: (type: string) => string | undefined;
  words: string[];
  target: NodeSpec;
  countOf: { node: NodeSpec; at: number } | undefined;
  howIdx: number;
  used: Set<number>;
  nodes: NodeSpec[];
  personLabel: string | undefined;
}

function resultSpec(g: Grounding, ctx: ResultContext, notes: string[]): ResultSpec | { reason: string } {
  const { words, target } = ctx;
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

  const topIdx = words.findIndex((w) => w === 'top' || w === 'first' || w === 'rank' || w === 'ranked' || w === 'order' || w === 'sort' || w === 'sorted');
  let n: number | undefined;
  for (let i = 0; i < words.length; i++) {
    const t = g.tokens[i]!;
    if (ctx.used.has(i) || t.quoted) continue;
    const v = parseNumber(t) ?? (NUMBER_WORDS[words[i]!] !== undefined && !['first', 'second', 'third', 'single'].includes(words[i]!) ? NUMBER_WORDS[words[i]!] : undefined);
    const nextIsNoun = g.labels.some((m) => m.span.start === i + 1) || g.properties.some((m) => m.span.start === i + 1 && !m.label.startsWith('REL:'));
    const next = words[i + 1] ?? '';
    if (v !== undefined && Number.isInteger(v) && v > 0 && v <= 1000 && (i === topIdx + 1 || DESCENDING.has(next) || ASCENDING.has(next) || AGE_WORDS.has(next) || /-/.test(next) || ['the', 'top', 'first', 'which', 'what', 'last'].includes(words[i - 1] ?? '') || nextIsNoun)) {
      n = v;
      break;
    }
  }
  const superIdx = words.findIndex((w, i) => (DESCENDING.has(w) || ASCENDING.has(w) || AGE_WORDS.has(w)) && !ctx.used.has(i) && w !== 'first' && w !== 'top');
  const explicitOrder = words.includes('descending') || seq(words, 'largest', 'to') >= 0 || seq(words, 'highest', 'to') >= 0 || seq(words, 'most', 'to') >= 0 ? 'desc'
    : words.includes('ascending') || seq(words, 'smallest', 'to') >= 0 || seq(words, 'lowest', 'to') >= 0 || seq(words, 'least', 'to') >= 0 ? 'asc' : undefined;
  const aggIdx = words.findIndex((w, i) => AGGREGATE_WORDS[w] !== undefined && !ctx.used.has(i) && !(w === 'top') && !(w === 'most' && ctx.countOf));

  // Ranking by how many related nodes ("the most tasks", "by number of open tasks", "by headcount").
  if (ctx.countOf) {
    const desc = explicitOrder ? explicitOrder === 'desc' : !words.some((w) => w === 'fewest' || w === 'least');
    const singular = n === undefined;
    const groupBy = groupingProperty(g, ctx);
    return {
      kind: 'rank',
      by: { count: { negated: false, edges: [], nodes: [ctx.countOf.node] } },
      descending: desc,
      limit: n ?? (topIdx >= 0 || words.includes('rank') ? 1000 : 1),
      withTies: singular && topIdx < 0,
      ...(groupBy ? { groupBy } : {}),
    };
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
    const prop = props.find((m) => m.span.start > (aggIdx >= 0 ? aggIdx : superIdx)) ?? props[0];
    const related = ctx.nodes.slice(1).filter((x) => !x.ids);
    const relatedProp = !prop && fn && (fn === 'avg' || fn === 'sum') && rankingAsked(words, n, topIdx)
      ? g.properties.filter((m) => related.some((x) => x.label === m.label) && numeric(m.property) && !idLike(m.property) && !ctx.used.has(m.span.start)).sort((a, b) => b.score - a.score)[0]
      : undefined;
    if (relatedProp) {
      // "the suppliers with the highest average unit price across their products".
      const node = related.find((x) => x.label === relatedProp.label)!;
      const desc = explicitOrder ? explicitOrder === 'desc' : !words.some((w) => w === 'lowest' || w === 'smallest' || w === 'least');
      return { kind: 'rank', by: { node: node.v, property: relatedProp.property.name, fn, asNumber: textNumber(relatedProp.property) }, descending: desc, limit: n ?? 1, withTies: n === undefined };
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
        return { kind: 'rank', by: { node: v, property: rel.property.name, asNumber: textNumber(rel.property) }, descending: desc, limit: n ?? 1, withTies: n === undefined };
      }
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
      const time = (g.labelInfo.get(target.label)?.properties.filter((p) => p.types[0] === 'DATE' || /year/i.test(p.name)) ?? []).sort((a, b) => b.count - a.count);
      const byCue = time.find((p) => g.properties.some((m) => m.property === p));
      // Otherwise the date or year most nodes have (a founding year, not a rare acquisition date).
      const chosen = byCue ?? time[0];
      if (chosen) {
        const desc = word === 'newest' || word === 'latest' || word === 'recent' || word === 'recently' || word === 'youngest' || word === 'shortest';
        return { kind: 'rank', by: { node: target.v, property: chosen.name }, descending: desc, limit: n ?? 1, withTies: n === undefined };
      }
    }
    if (fn && !prop && n === undefined && aggIdx >= 0 && ['avg', 'sum'].includes(fn)) {
      return { reason: `The question asks for ${word} of something that is not a number property of ${target.label}.` };
    }
  }
  if (groupBy && (words.includes('each') || words.includes('per'))) {
    return { kind: 'group', groupBy, fn: 'count' };
  }
  const shown = [...new Set(ctx.nodes[0]!.conditions.map((c) => c.property))].filter((p) => p !== g.labelInfo.get(target.label)?.nameProperty);
  void notes;
  void LIST_WORDS;
  return { kind: 'list', properties: shown, ...(n !== undefined ? { first: n } : {}) };
}

/** A ranking is asked for ("top 3", "which 3", "which suppliers have the highest …"). */
function rankingAsked(words: string[], n: number | undefined, topIdx: number): boolean {
  return n !== undefined || topIdx >= 0 || ['which', 'who', 'list', 'name', 'show', 'find'].includes(words[0] ?? '');
}

function seq(words: string[], ...ws: string[]): number {
  return words.findIndex((_, i) => ws.every((w, j) => words[i + j] === w));
}

/** "Which three departments …": a property of the target named as a noun, not a label. */
function groupingProperty(g: Grounding, ctx: ResultContext): string | undefined {
  const first = ctx.words.findIndex((w) => w === 'which' || w === 'what' || w === 'rank' || w === 'top');
  if (first < 0) return undefined;
  const m = g.properties.find(
    (p) => p.label === ctx.target.label && p.span.start > first && p.span.start <= first + 3 && p.property.types[0] === 'STRING' && (p.property.distinct ?? 999) <= 50 && !ctx.used.has(p.span.start) && !g.labels.some((l) => l.span.start === p.span.start),
  );
  return m?.property.name;
}
