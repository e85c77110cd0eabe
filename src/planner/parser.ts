/**
 * The schema-driven semantic parser: a grounded question (see grounding.ts) becomes a QuerySpec —
 * the node asked about, filters on it and on related nodes, the relationship paths that connect
 * them, and what to return (list, count, aggregate, ranking, one value). It uses nothing but the
 * catalog of the live graph and general English, so it works on graphs kgrag did not build. When
 * a question cannot be mapped with confidence it says why instead of guessing.
 */
import type { PropertyInfo } from '../graph/catalog.ts';
import type { Condition, EdgeSpec, ExistsSpec, NodeSpec, QuerySpec, ResultSpec } from './compile.ts';
import { overlaps, type Grounding, type LabelMention, type PropertyMention, type Span, type ValueMention } from './grounding.ts';
import { comparisonProperty, comparisons, looksLikeDateString, nearestProperty, propertyKind, relComparisonProperty, relativeRange, toConditions } from './parse/comparisons.ts';
import { bestPath, hopsBetween, relationshipBetween, selfRelation, type FoundPath } from './parse/paths.ts';
import { COMMON_WORDS, PER_GROUP_AGGREGATES, keyProperty, ownProperty, resultSpec } from './parse/result.ts';
import { FUNCTION_WORDS, NEGATIONS, PERSON_LABEL_STEMS, VALUE_SYNONYMS, isStopword, nameWords, parseIsoDate, parseNumber, stem, type Token } from './lexicon.ts';

export interface ParseOptions {
  /** Reference date for relative expressions ("next month", "how long"), YYYY-MM-DD. */
  asOf: string;
  /** Row cap of list answers. */
  limit: number;
}

export type ParseOutcome =
  /** `unexplained`: words of the question the parse did not use; the caller decides whether to trust it. */
  /**
   * `doubts`: why the parse may not be what was asked (a quoted value or number left unplaced,
   * two paths or readings competing, a ranking without its criterion). A parse with doubts is
   * offered as an interpretation, never run as the answer.
   */
  /**
   * `wordsPlaced`: every relationship word of the question is a relationship of the query (none
   * dropped as incidental), so a doubt about the result alone is all that is uncertain.
   */
  | { ok: true; spec: QuerySpec; notes: string[]; unexplained: string[]; doubts: string[]; readings?: QuerySpec[]; wordsPlaced?: boolean }
  | { ok: false; reason: string; notes: string[] };

interface Slot {
  span: Span;
  alternatives: ValueMention[];
}


export function parseQuestion(g: Grounding, opts: ParseOptions): ParseOutcome {
  const notes: string[] = [];
  const doubts: string[] = [];
  const T = g.tokens;
  const words = T.map((t) => t.text);
  if (T.length === 0) return { ok: false, reason: 'The question is empty.', notes };
  const has = (...ws: string[]) => ws.some((w) => words.includes(w));
  const seq = (...ws: string[]) => words.findIndex((_, i) => ws.every((w, j) => words[i + j] === w));
  /** 1 when the word at i is "number" or "no." before a number ("rack number 5"), else 0. */
  const numberWordAt = (i: number) => (['number', 'no', '#'].includes(words[i] ?? '') && T[i + 1] !== undefined && /\d/.test(T[i + 1]!.text) ? 1 : 0);

  const slots = selectSlots(g.values);
  const used = new Set<number>();
  const markUsed = (s: Span) => {
    for (let i = s.start; i < s.end; i++) used.add(i);
  };
  const nameSlots = slots.filter((s) => s.alternatives.some((a) => a.isName));

  // ---------------------------------------------------------------- target
  const personLabel = findPersonLabel(g);
  const labelMentions = g.labels.filter((m) => {
    // "units on order" (Product.unitsOnOrder): a word inside a property named in full, of another
    // label, is part of that property's name, not a node of its own.
    if (g.properties.some((p) => p.score >= 1 && p.label !== m.label && !p.label.startsWith('REL:') && p.span.end - p.span.start > m.span.end - m.span.start && p.span.start <= m.span.start && m.span.end <= p.span.end)) return false;
    // Inside a longer name ("Project Atlas") the word is part of the name.
    if (slots.some((s) => s.alternatives.every((a) => a.isName) && overlaps(s.span, m.span) && s.span.end - s.span.start > m.span.end - m.span.start)) return false;
    // "the HL7 feed connector task": the noun belongs to the name next to it.
    // (Also "the service named 'java'", "a rack called X".)
    const gap = ['named', 'called'].includes(words[m.span.end] ?? '') ? 1 : 0;
    if (slots.some((s) => s.alternatives.some((a) => a.isName && a.label === m.label) && (s.span.end === m.span.start || m.span.end + gap === s.span.start))) return false;
    // "customer companies": a stored value of a label that another noun already names is a filter.
    const asValue = slots.some((s) => overlaps(s.span, m.span) && s.alternatives.some((a) => !a.isName && a.label === m.label));
    return !(asValue && g.labels.some((o) => o !== m && o.label === m.label && !overlaps(o.span, m.span)));
  });
  const first = [...labelMentions].sort((a, b) => a.span.start - b.span.start)[0];
  const whoFirst = words[0] === 'who' || words[0] === 'whom' || (words[0] !== undefined && ['and', 'so'].includes(words[0]) && words[1] === 'who');
  let target: { label: string; subset?: string; mention?: LabelMention } | undefined;
  if (whoFirst && personLabel) {
    // "Who are the highest-paid employees": the noun is the target; "who manages the person…": it is not.
    // "Who are the suppliers …": a noun right after names the target, whatever its label.
    // ("Who is the office lead" still asks for a person: a singular noun may just qualify a role.)
    const first = labelMentions.filter((x) => x.span.start <= 4).sort((a, b) => a.span.start - b.span.start)[0];
    const m = first && (first.label === personLabel ? ['are', 'were', 'is', 'was'].includes(words[1] ?? '') : ['are', 'were'].includes(words[1] ?? '')) ? first : undefined;
    // "Who are the tasters of X": a role noun right after names the nodes at its end of the relationship.
    const role = !m && ['are', 'were', 'is', 'was'].includes(words[1] ?? '') ? roleTarget(g, 4) : undefined;
    target = m ? { label: m.label, subset: m.subset, mention: m } : role ? { label: role } : { label: personLabel, mention: { label: personLabel, span: { start: 0, end: 1 } } };
  } else if (first && g.relations.some((r) => r.role && r.span.start < first.span.start) && roleTarget(g, first.span.start)) {
    // "the beneficiaries in filings", "the names of the tasters of X": a role noun before any label
    // noun names the nodes at its end of the relationship.
    target = { label: roleTarget(g, first.span.start)! };
  } else if (first) {
    // English noun compounds put the head last: "product categories" are categories (of products).
    // The modifier noun stays a mention of its own and is joined to the head like any other.
    const head = labelMentions.find((m) => m.span.start === first.span.end && m.label !== first.label && !/s$/.test(words[first.span.end - 1] ?? ''));
    const chosen = head ?? first;
    target = { label: chosen.label, subset: chosen.subset, mention: chosen };
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
    // "How many directors are there?": a role noun of a relationship names the nodes at its end
    // (the relationship itself is required below, like any role noun's).
    const role = roleTarget(g, whoFirst ? 4 : T.length);
    if (role) target = { label: role };
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
  // "How many products are there in each category?": one count per node of the label after
  // "each" / "per", i.e. those nodes ranked by how many of the asked-for nodes they have.
  let perGroup: { label: string; subset?: string; at: number } | undefined;
  const eachIdx = words.findIndex((w) => w === 'each' || w === 'per' || w === 'every');
  // "the average unit price of products in each category": an average or total per group, likewise.
  // (Not "the suppliers with the highest average units in stock per product": a ranking of the target.)
  const ranks = words.slice(0, Math.max(0, eachIdx)).some((w) => ['highest', 'lowest', 'top', 'most', 'least', 'largest', 'smallest', 'best', 'worst'].includes(w));
  const aggAt = ranks ? -1 : words.findIndex((w, i) => i < eachIdx && PER_GROUP_AGGREGATES.has(w));
  const group = (howIdx >= 0 && eachIdx > howIdx) || aggAt >= 0 ? labelMentions.find((m) => m.span.start > eachIdx && m.span.start <= eachIdx + 2 && m.label !== target!.label) : undefined;
  if (group && target.mention) {
    perGroup = { label: target.label, ...(target.subset ? { subset: target.subset } : {}), at: target.mention.span.start };
    markUsed(target.mention.span);
    if (howIdx >= 0) markUsed({ start: howIdx, end: howIdx + 2 });
    markUsed({ start: eachIdx, end: eachIdx + 1 });
    target = { label: group.label, ...(group.subset ? { subset: group.subset } : {}), mention: group };
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
  const rankWordIdx = words.findIndex((w, i) => (w === 'most' || w === 'fewest' || w === 'least') && words[i - 1] !== 'at' && !COMMON_WORDS.has(words[i + 1] ?? '') && !isPropertyAt(g, i + 1) || (w === 'number' && words[i + 1] === 'of') || w === 'headcount');
  let countOf: { node: NodeSpec; at: number; occurrences?: boolean } | undefined;
  // "the most frequently ordered products": ranked by how often the relationship the verb names occurs.
  const often = rankWordIdx >= 0 && ['frequently', 'often', 'commonly'].includes(words[rankWordIdx + 1] ?? '');
  // "the most reviewed movie": a participle of a relationship right after "most" counts that relationship too.
  const participle = rankWordIdx >= 0 && !often && words[rankWordIdx] !== 'number' && /ed$/.test(words[rankWordIdx + 1] ?? '');
  // "purchased the most times": the verb before "the most times" names the relationship counted.
  const times = rankWordIdx >= 1 && words[rankWordIdx] !== 'number' && words[rankWordIdx + 1] === 'times' && words[rankWordIdx - 1] === 'the';
  const verb = often ? g.relations.find((r) => r.span.start === rankWordIdx + 2)
    : participle ? g.relations.find((r) => r.span.start === rankWordIdx + 1 && !r.role)
    : times ? g.relations.find((r) => r.span.end === rankWordIdx - 1 && !r.role)
    : undefined;
  const verbRel = verb ? g.relationships.find((r) => r.type === verb.type && (r.from === target!.label || r.to === target!.label)) : undefined;
  if (perGroup) {
    countOf = { node: { v: fresh(), label: perGroup.label, conditions: [], ...(perGroup.subset ? { requires: perGroup.subset } : {}) }, at: perGroup.at };
  } else if (verb && verbRel) {
    const other = verbRel.from === target.label ? verbRel.to : verbRel.from;
    countOf = { node: { v: fresh(), label: other, conditions: [] }, at: verb.span.start, ...(times ? { occurrences: true } : {}) };
    markUsed(times ? { start: verb.span.start, end: rankWordIdx + 2 } : { start: rankWordIdx, end: verb.span.end });
  } else if (rankWordIdx >= 0) {
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
    // "an IP starting with '10.1'": quoted text after a verb of position or inclusion is a pattern,
    // not a whole stored value, even when some value happens to equal it.
    if (T[slot.span.start]!.quoted && words.slice(Math.max(0, slot.span.start - 2), slot.span.start).some((w) => PATTERN_VERBS.has(w))) continue;
    let alt = chooseAlternative(slot, target.label, secondary, countOf?.node, g);
    if (!alt) continue;
    markUsed(slot.span);
    if (!alt.isName) {
      // The same value stored under two properties of one label ("United Kingdom" as a sender's and
      // a receiver's country): the question must name the property, or the choice is a guess.
      const chosen = alt;
      const holders = slot.alternatives.filter((a) => !a.isName && a.label === chosen.label && a.negated === chosen.negated && a.value.toLowerCase() === chosen.value.toLowerCase());
      // A property whose other values are of another shape (digits where the value has none: a phone
      // number field holding "UK") holds the value by accident, not as a rival reading.
      const shape = (v: unknown) => /\d/.test(String(v));
      const fits = (name: string) => {
        const samples = g.labelInfo.get(chosen.label)?.properties.find((p) => p.name === name)?.samples ?? [];
        return samples.length === 0 || samples.filter((v) => shape(v) === shape(chosen.value)).length * 2 >= samples.length;
      };
      const all = [...new Set(holders.map((a) => a.property))];
      const properties = all.filter(fits).length ? all.filter(fits) : all;
      if (properties.length === 1 && properties[0] !== alt.property) alt = holders.find((a) => a.property === properties[0])!;
      if (properties.length > 1) {
        // The property whose name the question uses most of ("beneficiary bank" for beneficiary_bank_country).
        const said = (name: string) => Math.max(0, ...g.properties.filter((m) => m.property.name === name && !overlaps(m.span, slot.span)).map((m) => m.score));
        const best = Math.max(...properties.map(said));
        const named = best > 0 ? properties.filter((name) => said(name) === best) : [];
        if (named.length === 1) alt = holders.find((a) => a.property === named[0])!;
        else doubts.push(`"${alt.value}" is a value of ${properties.map((x) => `${alt!.label}.${x}`).join(' and ')}; the question does not say which.`);
      }
    }
    const cond = (a: ValueMention): Condition => ({ property: a.property, op: a.negated ? '<>' : '=', value: a.value, kind: 'string' });
    if (alt.isName) {
      // "the service named 'java'": the noun before a name says whose name it is.
      // (Only an apposition: "the service named X", "the application 'crm'", not "the projects Hannah Weber leads".)
      const named = ['named', 'called'].includes(words[slot.span.start - 1] ?? '');
      const before = slot.span.start - (named ? 1 : 0);
      const noun = named || T[slot.span.start]!.quoted ? g.labels.find((m) => m.span.end === before || (!named && m.span.start === slot.span.end)) : undefined;
      // The noun in apposition says whose name it is: "the service named 'java'" is the Service, not the Software.
      const apposed = noun && noun.label !== alt.label ? slot.alternatives.find((a) => a.isName && a.label === noun.label) : undefined;
      if (apposed) alt = apposed;
      else if (noun && noun.label !== alt.label && !slot.alternatives.some((a) => a.label === noun.label)) {
        doubts.push(`"${alt.value}" is the name of a ${alt.label}, not of a ${noun.label}.`);
      }
      const namesTarget = !target.mention || (target.mention && !/s$/.test(words[target.mention.span.end - 1]!) && Math.abs(target.mention.span.start - slot.span.end) <= 1);
      if (alt.label === target.label && namesTarget && !g.relations.some((r) => isSelfType(g, r.type, target.label))) {
        // The question names the target itself ("the HL7 feed connector task").
        const named = namedNodes(alt);
        if (named.ids) targetNode.ids = named.ids;
        targetNode.names = named.names;
        named.conditions.forEach((c) => addCondition(targetNode, c));
        continue;
      }
      if (alt.label === target.label) {
        anchorsOfTargetLabel.push({ slot, alt });
        continue;
      }
      const node: NodeSpec = { v: fresh(), label: alt.label, ...namedNodes(alt) };
      pending.push({ node, at: slot.span.start });
      continue;
    }
    // "a ship via code '1'": the question names the property just before a quoted value; another property holding it is a guess.
    // A property word that already owns a value of its own ("priority 'high' that are not 'done'") does
    // not claim the next one, unless the two are coordinated ("priority 'high' or 'done'").
    const ownsValue = (m: (typeof g.properties)[number]) =>
      slots.some((s) => s !== slot && s.span.start >= m.span.end && s.span.end <= slot.span.start && s.alternatives.some((a) => !a.isName && a.label === m.label && a.property === m.property.name)
        && !words.slice(s.span.end, slot.span.start).some((w) => COORDINATORS.has(w)));
    const namedBefore = T[slot.span.start]!.quoted && g.properties.find((m) => m.label === alt.label && m.score >= 0.8 && m.property.name !== alt.property && m.span.end <= slot.span.start && m.span.end >= slot.span.start - 3 && !g.labels.some((l) => overlaps(l.span, m.span)) && !ownsValue(m));
    if (namedBefore && !g.properties.some((m) => m.label === alt.label && m.property.name === alt.property && m.span.end <= slot.span.start && m.span.end >= slot.span.start - 3)) {
      doubts.push(`"${alt.value}" is a ${alt.property}, but the question names ${namedBefore.property.name}.`);
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

  // ---------------------------------------------------------------- "port 80", "rack 5"
  // A noun followed by a number names the node by its number: the property named like the label.
  for (const m of labelMentions) {
    // "rack number 5" is "rack 5".
    const gap = numberWordAt(m.span.end);
    const t = T[m.span.end + gap];
    const value = t && !t.quoted && !used.has(t.index) ? parseNumber(t) : undefined;
    if (value === undefined || !/\d/.test(t!.text)) continue;
    const own = nameWords(m.label).map(stem);
    const likeNoun = (label: string) => g.labelInfo.get(label)?.properties.find((p) => nameWords(p.name).map(stem).join(' ') === own.join(' '));
    const asCondition = (p: PropertyInfo): Condition => (p.types.some((x) => x === 'INTEGER' || x === 'FLOAT') ? { property: p.name, op: '=', value, kind: 'number' } : { property: p.name, op: '=', value: t!.raw, kind: 'string' });
    if (m !== target.mention && m.label !== target.label) {
      // "racks in zone 4": the noun and its number are a property of the node named just before,
      // when that node has a property named like the noun (a Rack's zone), not a second node.
      const before = [...(target.mention ? [target.mention] : []), ...labelMentions].filter((x) => x !== m && x.span.end <= m.span.start).sort((a, b) => b.span.start - a.span.start)[0];
      // Not across a verb that links the two labels: in "services that listen on port 80" the
      // port is the verb's other participant (a Port), not a Service's `ports`.
      const linked = before && g.relations.some((r) => r.span.start >= before.span.end && r.span.end <= m.span.start && relationshipBetween(g, r.type, before.label, m.label));
      const qualified = before && !linked ? (before === target.mention || before.label === target.label ? targetNode : secondary.get(before.label)) : undefined;
      const own2 = qualified && likeNoun(qualified.label);
      const i = pending.findIndex((p) => p.at === m.span.start);
      if (qualified && own2 && i >= 0) {
        const [dropped] = pending.splice(i, 1);
        if (secondary.get(m.label) === dropped!.node) secondary.delete(m.label);
        addCondition(qualified, asCondition(own2));
        markUsed({ start: m.span.start, end: m.span.end + gap + 1 });
        continue;
      }
    }
    const holder = m === target.mention || m.label === target.label ? targetNode : secondary.get(m.label);
    const prop = g.labelInfo.get(m.label)?.properties.find((p) => nameWords(p.name).map(stem).join(' ') === own.join(' '));
    if (!holder || !prop) continue;
    addCondition(holder, asCondition(prop));
    markUsed({ start: m.span.start, end: m.span.end + gap + 1 });
  }
  // "the process with PID 8966", "the network with IP 10.2": a property word followed by a number
  // names the node by that value (apposition), on a node of the property's label the query has.
  // (Not a number that a comparison holds: "level 8 or above".)
  const comparedAt = comparisons(T, opts.asOf).map((c) => c.span).filter((s) => s.end - s.start > 1);
  for (const pm of g.properties) {
    if (pm.label.startsWith('REL:') || pm.score < 0.8 || used.has(pm.span.start) || g.labels.some((l) => overlaps(l.span, pm.span))) continue;
    const gap = numberWordAt(pm.span.end);
    const t = T[pm.span.end + gap];
    const value = t && !t.quoted && !used.has(t.index) && /\d/.test(t.text) && !comparedAt.some((s) => overlaps(s, { start: t.index, end: t.index + 1 })) ? parseNumber(t) : undefined;
    const holder = [targetNode, ...secondary.values(), ...(countOf ? [countOf.node] : [])].filter((h) => h.label === pm.label);
    if (value === undefined || holder.length !== 1) continue;
    // Several labels have the property: it is that of the noun just before ("the network with IP 10.2").
    const noun = labelMentions.filter((l) => l.span.end <= pm.span.start && l.span.end >= pm.span.start - 3).sort((a, b) => b.span.end - a.span.end)[0];
    if (noun && noun.label !== pm.label && g.properties.some((o) => o.label === noun.label && o.span.start === pm.span.start && o.property.name === pm.property.name)) continue;
    const numeric = pm.property.types.some((x) => x === 'INTEGER' || x === 'FLOAT');
    if (!numeric && !pm.property.types.includes('STRING')) continue;
    addCondition(holder[0]!, numeric ? { property: pm.property.name, op: '=', value, kind: 'number' } : { property: pm.property.name, op: '=', value: t!.raw, kind: 'string' });
    markUsed({ start: pm.span.start, end: pm.span.end + gap + 1 });
  }

  // ---------------------------------------------------------------- comparisons
  const holders = [targetNode, ...secondary.values(), ...(countOf ? [countOf.node] : [])];
  /** Counts of related nodes compared with a number, connected once the paths are known. */
  const countFilters: Array<{ node: NodeSpec; at: number; count: NonNullable<ExistsSpec['count']> }> = [];
  /** Comparisons on relationship properties ("a quantity greater than 100"), bound once the paths are known. */
  const relConditions: Array<{ type: string; conditions: Condition[] }> = [];
  /** Where the properties compared with a value are named. */
  const compared: number[] = [];
  for (const c of comparisons(T, opts.asOf)) {
    // "the names of 2 authors": a number before the target's noun says how many, not a value.
    if (c.op === '=' && typeof c.value === 'number' && !c.year && labelMentions.some((m) => m.span.start === c.span.end && m.label === target!.label)) continue;
    // "more than one category": a count of related nodes, when a label follows the number.
    const skipWord = ['different', 'distinct', 'unique', 'separate', 'other'].includes(words[c.span.end] ?? '') ? 1 : 0;
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
    // "ordered more than 10 times": a count of the verb's relationships. "N times" ends the
    // phrase here; before "the"/"as" it would multiply ("3 times the average"), which is not read.
    const frequency = typeof c.value === 'number' && c.upper === undefined && words[c.span.end] === 'times' && !['the', 'as', 'that', 'its', 'their'].includes(words[c.span.end + 1] ?? '');
    let found = frequency ? undefined : comparisonProperty(g, c, holders, used);
    // The property named nearest the comparison owns it, a relationship's ("ordered with a discount
    // of 0") as much as a node's; one the question does not name at all loses to one it names.
    const rel = frequency ? undefined : relComparisonProperty(g, c, holders, used);
    const gap = (s: Span) => (s.end <= c.span.start ? c.span.start - s.end : (s.start - c.span.end) * 1.5);
    const onRel = rel && (!found || !found.mention || gap(rel.mention.span) < gap(found.mention.span)) ? rel : undefined;
    if (onRel) found = undefined;
    if (onRel) {
      markUsed(c.span);
      markUsed(onRel.mention.span);
      compared.push(onRel.mention.span.start);
      relConditions.push({ type: onRel.type, conditions: toConditions(c, { holder: targetNode, property: onRel.mention.property.name, kind: propertyKind(onRel.mention.property) ?? 'number' }) });
      continue;
    }
    if (frequency) {
      const cue = g.relations.filter((r) => r.span.start < c.span.start && g.relationships.some((x) => x.type === r.type && (x.from === target!.label || x.to === target!.label))).pop();
      const rel = cue ? g.relationships.find((x) => x.type === cue.type && (x.from === target!.label || x.to === target!.label)) : undefined;
      if (cue && rel) {
        const dir: 'out' | 'in' = rel.from === target.label ? 'out' : 'in';
        const other: NodeSpec = { v: fresh(), label: dir === 'out' ? rel.to : rel.from, conditions: [] };
        exists.push({ negated: false, edges: [{ from: 'n0', to: other.v, type: rel.type, dir }], nodes: [other], count: { op: c.op, value: c.value as number, distinct: false } });
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
    // (Against "the average price" the word before the property is the comparison's own average.)
    if (found.mention && !c.average) compared.push(found.mention.span.start);
    // "transactions over $2 million": the noun the amount is said of names whatever holds it.
    const said = c.money && !found.mention ? T[c.span.start - 1] : undefined;
    if (said && !said.quoted && !used.has(said.index) && !mentioned(g, said.index)) markUsed({ start: said.index, end: said.index + 1 });
    for (const cond of toConditions(c, found)) addCondition(found.holder, cond);
  }

  // Quoted text that matched no value: "with 'dashboard' in the title" → contains.
  for (const t of T.filter((x) => x.quoted && !used.has(x.index))) {
    // "customers with a 'fax' number listed": a quoted property name asks whether it is set.
    const named = g.properties.find((m) => m.span.start === t.index && m.label === target!.label && m.score >= 1);
    if (named) {
      const missing = negatedBefore(words, t.index) || words.slice(t.index + 1, t.index + 4).some((w) => w === 'missing' || w === 'null' || w === 'empty');
      addCondition(targetNode, { property: named.property.name, op: missing ? 'isNull' : 'isNotNull', value: '', kind: 'string' });
      markUsed({ start: t.index, end: t.index + 1 });
      continue;
    }
    // "the review 'Dark, but compelling'": text right after a relationship's text property is a value of
    // it (whole, commas and all), on that relationship of the target.
    const onRel = g.properties.find((m) => m.label.startsWith('REL:') && m.property.types.includes('STRING') && (m.span.end === t.index || (m.span.end === t.index - 1 && ['of', 'is', 'was'].includes(words[t.index - 1]!))) &&
      g.relationships.some((r) => `REL:${r.type}` === m.label && (r.from === target!.label || r.to === target!.label)));
    if (onRel) {
      relConditions.push({ type: onRel.label.slice(4), conditions: [{ property: onRel.property.name, op: 'contains', value: t.raw, kind: 'string' }] });
      markUsed({ start: onRel.span.start, end: t.index + 1 });
      continue;
    }
    const prop = nearestProperty(g, t.index, holders, (p) => p.types.includes('STRING')) ?? { holder: targetNode, property: nameProperty(g, target.label) };
    if (!prop.property) continue;
    const before = words.slice(Math.max(0, t.index - 3), t.index);
    const at = (set: string[]) => before.findIndex((w) => set.includes(w));
    const startAt = at(['start', 'starts', 'starting', 'begin', 'begins', 'beginning']);
    const endAt = at(['end', 'ends', 'ending']);
    const op = startAt >= 0 ? 'startsWith' : endAt >= 0 ? 'endsWith' : 'contains';
    // "machine 'DC1-M-1'", "the 'cms' application": a noun beside the quote says what it names; text of
    // another label's node matched nowhere is not a filter on this one.
    const noun = g.labels.find((m) => m.span.end === t.index || m.span.start === t.index + 1 || (m.span.end === t.index - 1 && ['named', 'called'].includes(words[t.index - 1]!)));
    if (noun && noun.label !== prop.holder.label) doubts.push(`"${t.raw}" names a ${noun.label}, but no ${noun.label} of that name was found.`);
    addCondition(prop.holder, { property: prop.property, op, value: t.raw, kind: 'string' });
    // "starting with": the words that chose the operator are part of the condition.
    const hit = startAt >= 0 ? startAt : endAt;
    markUsed({ start: hit >= 0 ? Math.max(0, t.index - 3) + hit : t.index, end: t.index + 1 });
  }

  // Boolean properties named by the question ("remote", "discontinued").
  for (const pm of g.properties) {
    if (!pm.property.types.includes('BOOLEAN') || used.has(pm.span.start)) continue;
    const holder = holders.find((h) => h.label === pm.label);
    if (!holder) continue;
    addCondition(holder, { property: pm.property.name, op: '=', value: !negatedBefore(words, pm.span.start), kind: 'boolean' });
    markUsed(pm.span);
  }

  // "products still in stock", "gadgets on loan": a count named <noun> <preposition> <noun>
  // (unitsInStock) whose prepositional phrase alone is said of the node: that count is above zero.
  // (Not on counted nodes: "the least products in stock" may as well be the fewest units.)
  for (const holder of holders.filter((h) => h !== countOf?.node)) {
    for (const p of g.labelInfo.get(holder.label)?.properties ?? []) {
      const w = nameWords(p.name).map(stem);
      if (w.length !== 3 || !STATE_PREPOSITIONS.has(w[1]!) || !p.types.some((x) => x === 'INTEGER' || x === 'FLOAT')) continue;
      const i = words.findIndex((x, j) => x === w[1] && stem(words[j + 1] ?? '') === w[2] && stem(words[j - 1] ?? '') !== w[0] && !used.has(j) && !used.has(j + 1));
      if (i < 0) continue;
      addCondition(holder, { property: p.name, op: negatedBefore(words, i) ? '<=' : '>', value: 0, kind: 'number' });
      // The noun of the phrase ("order") is part of the property's name, not a node of its label.
      const k = pending.findIndex((x) => x.at === i + 1 && !x.node.ids && x.node.conditions.length === 0);
      if (k >= 0 && secondary.get(pending[k]!.node.label) === pending[k]!.node) secondary.delete(pending[k]!.node.label);
      if (k >= 0) pending.splice(k, 1);
      markUsed({ start: i, end: i + 2 });
    }
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

  // "a total quantity greater than 50", "an average price above 20": the comparison is of an
  // aggregate, which a condition on each value does not express.
  for (const at of compared) {
    const before = words.slice(Math.max(0, at - 2), at);
    if (before.some((w) => ['total', 'sum', 'average', 'mean', 'combined', 'overall'].includes(w))) doubts.push(`A ${before.find((w) => ['total', 'sum', 'average', 'mean', 'combined', 'overall'].includes(w))} is compared, not each value.`);
  }

  // ---------------------------------------------------------------- paths
  const placed: NodeSpec[] = [targetNode];
  /** Paths chosen without a cue among equally good ones: each rival is another reading. */
  const forks: FoundPath[] = [];
  const mentionsAt = [...(target.mention ? [target.mention.span.start] : []), ...pending.map((p) => p.at), ...(countOf ? [countOf.at] : [])];
  for (const p of pending.sort((a, b) => a.at - b.at)) {
    const path = bestPath(g, placed, p.node, p.at, words, used, mentionsAt);
    if (!path) {
      notes.push(`No relationship connects ${target.label} and ${p.node.label}.`);
      return { ok: false, reason: `The graph has no relationship between ${target.label} and ${p.node.label} that the question could mean.`, notes };
    }
    if (path.ambiguous) {
      // Two ways to connect and no word to choose: not an answer; each way is an interpretation.
      doubts.push(`More than one relationship could connect ${p.node.label}${p.node.ids ? ` "${describeNode(g, p.node)}"` : ''} to ${target.label}.`);
      forks.push(path);
    }
    // "entities that have not been a beneficiary in any filings": the negation of the relationship's
    // role noun or verb scopes over the node it joins.
    const cueNegated = path.edges.some((e) => g.relations.some((r) => r.type === e.type && r.span.start < p.at && negatedBefore(words, r.span.start)));
    if ((p.negated || cueNegated) && !p.node.ids) {
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
      // Unless a stored value already says how the target relates ("customer companies": a category value).
      if (targetNode.conditions.length === 0) doubts.push(`"${alt.value}" is left out: no relationship between two ${target.label} nodes is named.`);
      continue;
    }
    const node: NodeSpec = { v: fresh(), label: target.label, ...namedNodes(alt) };
    nodes.push(node);
    edges.push({ from: 'n0', to: node.v, type: self.type, dir: self.dir, hops: self.hops, variable: self.variable });
  }
  // "tasks that depend on another task", "tasks with no assignee": a relationship named, no node.
  for (const r of g.relations) {
    if (used.has(r.span.start) || edges.some((e) => e.type === r.type) || exists.some((x) => x.edges.some((e) => e.type === r.type))) continue;
    if (countOf && g.relationships.some((x) => x.type === r.type && (x.from === countOf.node.label || x.to === countOf.node.label))) continue;
    const rel = g.relationships.find((x) => x.type === r.type && (x.from === target.label || x.to === target.label));
    if (!rel) continue;
    // "an originator bank": the word modifies a noun phrase that names a property, not the target's role.
    if (g.properties.some((m) => m.span.start === r.span.start && m.span.end > r.span.end && m.score >= 0.8)) continue;
    const negated = negatedBefore(words, r.span.start);
    const hasNoun = !!r.role || /(?:er|ee|or)$/.test(words[r.span.start]!) || words[r.span.start - 1] === 'another' || words[r.span.start + 1] === 'another' || words[r.span.start + 2] === 'another';
    if (!negated && !hasNoun) continue;
    const dir: 'out' | 'in' = rel.from === target.label ? 'out' : 'in';
    const other = { v: fresh(), label: dir === 'out' ? rel.to : rel.from, conditions: [] };
    exists.push({ negated, edges: [{ from: 'n0', to: other.v, type: r.type, dir }], nodes: [other] });
    markUsed(r.span);
  }

  for (const f of countFilters) {
    // Counted per target: the count's pattern starts at the target, the only node bound where it is evaluated.
    const path = bestPath(g, [targetNode], f.node, f.at, words, used, mentionsAt);
    if (!path) return { ok: false, reason: `No relationship connects ${target.label} and ${f.node.label}.`, notes };
    if (path.ambiguous) {
      doubts.push(`More than one relationship could connect the ${f.node.label} nodes counted to ${target.label}.`);
      forks.push(path);
    }
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
  const joinLabel = (label: string, at: number): string | undefined => {
    const existing = nodes.slice(1).filter((x) => x.label === label);
    if (existing.length) return existing.length === 1 && !existing[0]!.ids ? existing[0]!.v : undefined;
    const node: NodeSpec = { v: fresh(), label, conditions: [] };
    const path = bestPath(g, [targetNode], node, at, words, used, mentionsAt);
    // One hop only: through an intermediate node a total would count a value once per way to reach it.
    if (!path || path.ambiguous || path.nodes.length > 0) return undefined;
    edges.push(...path.edges);
    nodes.push(...path.nodes, node);
    placed.push(...path.nodes, node);
    return node.v;
  };
  for (const rc of relConditions) {
    const v = bindRel(rc.type);
    if (!v) return { ok: false, reason: `No ${rc.type} relationship connects to ${target.label}.`, notes };
    const edge = edges.find((e) => e.v === v)!;
    edge.conditions = [...(edge.conditions ?? []), ...rc.conditions];
  }
  // "authors who both wrote and edited the same book": a second verb joined by "and" to the verb of
  // a path from the target adds its relationship to the same end node ("the same"), or to one of its own.
  const joined = new Set(edges.map((e) => e.type));
  for (const r of g.relations) {
    if (joined.has(r.type) || r.role || words[r.span.start - 1] !== 'and') continue;
    const first = g.relations.find((o) => o.span.end === r.span.start - 1 && joined.has(o.type));
    const edge = first && edges.find((e) => e.from === targetNode.v && e.type === first.type);
    const end = edge && nodes.find((x) => x.v === edge.to);
    const rel = end && relationshipBetween(g, r.type, target.label, end.label);
    if (!edge || !end || !rel) continue;
    const same = words.slice(r.span.end, r.span.end + 3).includes('same');
    const other: NodeSpec = same ? end : { v: fresh(), label: end.label, conditions: [] };
    if (!same) nodes.push(other);
    edges.push({ from: targetNode.v, to: other.v, type: r.type, dir: rel.from === target.label ? 'out' : 'in' });
    joined.add(r.type);
    markUsed(r.span);
    if (same) markUsed({ start: words.indexOf('same', r.span.end), end: words.indexOf('same', r.span.end) + 1 });
    if (words[first.span.start - 1] === 'both') markUsed({ start: first.span.start - 1, end: first.span.start });
  }

  // ---------------------------------------------------------------- result
  const result: ResultSpec | { reason: string } = yesNo
    ? { kind: 'check' }
    : resultSpec(g, { words, target: targetNode, countOf, howIdx, used, nodes, personLabel, bindRel, joinLabel });
  if ('reason' in result) return { ok: false, reason: result.reason, notes };
  if (countOf && result.kind === 'rank' && 'count' in result.by) {
    // The counted node connects to the target through the best path, like any other node.
    const path = bestPath(g, [targetNode], countOf.node, countOf.at, words, used, mentionsAt);
    if (!path) return { ok: false, reason: `No relationship connects ${target.label} and ${countOf.node.label}.`, notes };
    if (path.ambiguous) {
      doubts.push(`More than one relationship could connect the ${countOf.node.label} nodes counted to ${target.label}.`);
      forks.push(path);
    }
    result.by = { count: { negated: false, edges: path.edges, nodes: [...path.nodes, countOf.node], ...(countOf.occurrences ? { occurrences: true } : {}) } };
    // Fewest first, the nodes with none of the filtered ones lead: whether they count ("the least
    // products supplied by X" presumes some) is a reading of its own, so only rankings from the top fold.
    if (result.descending) foldCountedFilters(nodes, edges, exists, result.by.count, countOf.node);
  }
  if (countOf && result.kind === 'rank' && 'count' in result.by && nodes.slice(1).some((x) => x.label === countOf.node.label)) {
    // "customers with the most products in the Seafood category": the filter is on the counted
    // nodes, which a count over all of them would ignore.
    doubts.push(`The ${countOf.node.label} nodes counted and the ${countOf.node.label} nodes filtered may be the same; the count would ignore the filter.`);
  }

  if (result.kind === 'rank' && !('count' in result.by) && !result.by.fn && !result.groupBy) {
    // "the orders with the highest quantity ordered": when a target has several relationships
    // carrying the property, ranking the targets needs a total or an average the question did not say.
    const by = result.by;
    const edge = edges.find((e) => e.v === by.node);
    const rel = edge && g.relationships.find((x) => x.type === edge.type && (x.from === target.label || x.to === target.label));
    const count = g.labelInfo.get(target.label)?.count ?? 0;
    // "the most ordered products": a verb of a relationship of the target that only partly names a
    // property (unitsOnOrder) may as well mean how often the relationship occurs.
    if (verbOnly(g, target.label, by.property)) doubts.push(`The ranking by ${by.property} rests on a verb that may instead mean how often the relationship occurs.`);
    if (rel && count > 0 && rel.count > count) doubts.push(`Each ${target.label} has several ${rel.type} relationships: ranking by ${by.property} needs a total or an average the question does not name.`);
  }
  // "the total number of units ordered": a total of a property the question names only partly, by a
  // verb of the target's relationship, may as well be of a quantity that relationship carries.
  if (result.kind === 'aggregate' && result.node === targetNode.v && verbOnly(g, target.label, result.property)) {
    doubts.push(`The ${result.fn} of ${result.property} rests on a verb, which may instead name what the relationship itself records.`);
  }
  if (result.kind === 'list') {
    // "machines and their types": a related noun after "and their" / "with its" is a column asked
    // for, beside being a node the target must have.
    const skip = (i: number) => (['respective', 'corresponding'].includes(words[i] ?? '') ? i - 1 : i);
    const related = pending.filter((p) => nodes.includes(p.node) && !p.negated && !p.node.ids && p.node.conditions.length === 0 && ['their', 'its'].includes(words[skip(p.at - 1)] ?? '') && ['and', 'with'].includes(words[skip(p.at - 1) - 1] ?? ''));
    if (related.length) result.related = related.map((p) => ({ node: p.node.v, column: p.node.label }));
    // "Who produced X and what year was it released?": a second question about the node the first
    // one names asks for that node's property, as a column beside the answer.
    const andAt = words.findIndex((w, i) => w === 'and' && ['what', 'when', 'which'].includes(words[i + 1] ?? '') && words.slice(i + 2, i + 5).includes('it'));
    const named = nodes.slice(1).filter((x) => x.ids);
    const asked = andAt > 0 ? g.properties.filter((m) => m.span.start > andAt && !used.has(m.span.start) && named.some((x) => x.label === m.label)) : [];
    if (named.length === 1 && asked.length > 0 && new Set(asked.map((m) => m.property.name)).size === 1) {
      result.related = [...(result.related ?? []), { node: named[0]!.v, column: asked[0]!.property.name, property: asked[0]!.property.name }];
      for (const m of asked) markUsed(m.span);
    }
  }
  // "the average price of products in each category": one value per category asked, one over all of them computed.
  const perAt = words.findIndex((w) => w === 'each' || w === 'per' || w === 'every');
  const perLabel = perAt >= 0 ? labelMentions.find((m) => m.span.start > perAt && m.span.start <= perAt + 2 && m.label !== target!.label) : undefined;
  if (perLabel && !perGroup && (result.kind === 'aggregate' || result.kind === 'count')) doubts.push(`The question asks for a value per ${perLabel.label}; the query computes one over all of them.`);
  doubts.push(...resultDoubts(g, result, used, nameProperty(g, target.label)));
  doubts.push(...droppedWords(g, { nodes, edges, exists, result }, used));
  // A property the question names in full, on a node or relationship of the query, that the parse did not use.
  const inQuery = new Set([...nodes.map((x) => x.label), ...edges.map((e) => `REL:${e.type}`)]);
  const referenced = referencedProperties({ nodes, edges, exists, result });
  for (const m of g.properties) {
    if (m.score < 1 || !inQuery.has(m.label) || referenced.has(m.property.name)) continue;
    if ([...Array(m.span.end - m.span.start).keys()].some((i) => used.has(m.span.start + i))) continue;
    if ([...g.labels, ...g.values, ...g.relations].some((x) => overlaps(x.span, m.span))) continue;
    if (m.property.name === nameProperty(g, m.label)) continue;
    doubts.push(`"${T.slice(m.span.start, m.span.end).map((t) => t.raw).join(' ')}" (${m.label}.${m.property.name}) is not used.`);
  }
  const nameProps = displayProperties(g);
  if (result.kind === 'rank' && !result.groupBy) {
    // A ranking of records names each by its key too: display names repeat ("Ernst Handel" on many orders).
    const key = keyProperty(g, target.label);
    if (key && key !== nameProps[target.label]) result.key = key;
    const own = ownProperty(g, target.label);
    if (own && own !== key) result.own = own;
  }
  const spec: QuerySpec = { nodes, edges, exists, result, nameProperty: nameProps, limit: opts.limit };
  // A reading that drops a node another pattern still uses (a later path went through it) is no query.
  const readings = forks.flatMap((f) => f.rivals.map((r) => swapPath(spec, f, r))).filter(bindsEveryNode);
  const types = new Set([...edges, ...exists.flatMap((x) => x.edges), ...(result.kind === 'rank' && 'count' in result.by ? result.by.count.edges : [])].map((e) => e.type));
  const wordsPlaced = g.relations.every((r) => types.has(r.type) || used.has(r.span.start));
  return {
    ok: true,
    spec,
    notes,
    unexplained: unexplainedWords(g, used),
    doubts,
    ...(readings.length ? { readings } : {}),
    ...(wordsPlaced ? { wordsPlaced } : {}),
  };
}

/**
 * "suppliers with the most products in the Dairy category": the category hangs off a node of the
 * counted label that the target reaches the same way as the counted nodes, so it filters the
 * counted nodes. That node, its path from the target and what hangs off it move into the count
 * pattern (the node becomes the counted one). Only a plain chain qualifies: a path node with other
 * branches, a relationship variable or a node another pattern uses leaves the doubt in place.
 */
function foldCountedFilters(nodes: NodeSpec[], edges: EdgeSpec[], exists: ExistsSpec[], count: ExistsSpec, counted: NodeSpec): void {
  const sig = (list: EdgeSpec[]) => list.map((e) => `${e.type}:${e.dir}:${e.hops ?? 1}:${!!e.variable}`).join();
  // Through an intermediate node ("customers who ordered the most products": via orders), counting
  // distinct nodes and counting the ways to reach them differ: not folded, the doubt stays.
  if (count.edges.length !== 1) return;
  const root = nodes[0]!.v;
  const inExists = new Set(exists.flatMap((x) => x.edges.flatMap((e) => [e.from, e.to])));
  for (const x of nodes.slice(1).filter((n) => n.label === counted.label)) {
    // The chain of edges from the target out to x (edges point away from the target).
    const chain: EdgeSpec[] = [];
    for (let at = x.v; at !== root; ) {
      const into = edges.filter((e) => e.to === at);
      if (into.length !== 1) break;
      chain.unshift(into[0]!);
      at = into[0]!.from;
    }
    if (chain[0]?.from !== root || sig(chain) !== sig(count.edges)) continue;
    const inner = chain.slice(0, -1).map((e) => e.to);
    // Path nodes must be bare: no conditions, and nothing else attached to them.
    const bare = inner.every((v) => {
      const node = nodes.find((n) => n.v === v);
      return node && node.conditions.length === 0 && !node.ids && !node.requires && edges.filter((e) => e.from === v || e.to === v).length === 2 && !inExists.has(v);
    });
    // What hangs off x, all the way out.
    const below: EdgeSpec[] = [];
    for (let frontier = [x.v]; frontier.length; ) {
      const next = edges.filter((e) => frontier.includes(e.from));
      below.push(...next);
      frontier = next.map((e) => e.to);
    }
    const moved = [...chain, ...below];
    if (!bare || moved.some((e) => e.v || inExists.has(e.to)) || inExists.has(x.v) || below.length + x.conditions.length === 0) continue;
    const belowNodes = below.map((e) => nodes.find((n) => n.v === e.to)!);
    // Each must be a filter (a named node or a condition): a bare node ("units on order" read as
    // an Order) is a word the count would turn into a requirement.
    // A filter reached through a further node ("orders for a category", via products) could count
    // each of those ways as well: only filters right beside the counted node are folded.
    if (belowNodes.some((n) => !n.ids && n.conditions.length === 0) || below.some((e) => e.from !== x.v)) continue;
    for (const c of x.conditions) counted.conditions.push(c);
    if (x.ids) counted.ids = x.ids;
    if (x.requires) counted.requires = x.requires;
    count.edges.push(...below.map((e) => (e.from === x.v ? { ...e, from: counted.v } : e)));
    count.nodes.splice(count.nodes.length - 1, 0, ...belowNodes);
    const gone = new Set([...inner, x.v, ...belowNodes.map((n) => n.v)]);
    for (let i = nodes.length - 1; i > 0; i--) if (gone.has(nodes[i]!.v)) nodes.splice(i, 1);
    for (let i = edges.length - 1; i >= 0; i--) if (moved.includes(edges[i]!)) edges.splice(i, 1);
  }
}

/**
 * A property of the label the question names only partly, or with a participle for its noun ("units
 * ordered" for unitsOnOrder), by a word that is also a verb of one of the label's relationships.
 */
function verbOnly(g: Grounding, label: string, property: string): boolean {
  const mentions = g.properties.filter((m) => m.label === label && m.property.name === property);
  const verbAt = (m: PropertyMention) => g.relations.filter((r) => overlaps(r.span, m.span) && g.relationships.some((x) => x.type === r.type && (x.from === label || x.to === label)));
  const participle = (m: PropertyMention) => verbAt(m).some((r) => /(?:ed|ing)$/.test(g.tokens[r.span.start]!.text));
  return mentions.length > 0 && mentions.every((m) => m.score < 1 || participle(m)) && mentions.some((m) => verbAt(m).length > 0);
}

/** Every edge joins nodes the spec declares: the main pattern's, and each sub-pattern's with its own nodes. */
function bindsEveryNode(spec: QuerySpec): boolean {
  const declared = new Set(spec.nodes.map((n) => n.v));
  const joins = (edges: EdgeSpec[], nodes: NodeSpec[]) => {
    const known = new Set([...declared, ...nodes.map((n) => n.v)]);
    return edges.every((e) => known.has(e.from) && known.has(e.to));
  };
  const subs = [...spec.exists, ...(spec.result.kind === 'rank' && 'count' in spec.result.by ? [spec.result.by.count] : [])];
  const columns = spec.result.kind === 'list' ? (spec.result.related ?? []).map((x) => x.node) : [];
  return joins(spec.edges, []) && subs.every((x) => joins(x.edges, x.nodes)) && columns.every((v) => declared.has(v));
}

/** The spec with one chosen path replaced by a rival path (the same edges wherever the spec holds them). */
function swapPath(spec: QuerySpec, chosen: FoundPath, rival: { edges: EdgeSpec[]; nodes: NodeSpec[] }): QuerySpec {
  const swap = (value: unknown): unknown => {
    if (Array.isArray(value)) {
      return value.flatMap((x) => {
        if (x === chosen.edges[0]) return rival.edges;
        if (x === chosen.nodes[0]) return rival.nodes;
        if (chosen.edges.includes(x) || chosen.nodes.includes(x)) return [];
        return [swap(x)];
      });
    }
    if (value && Object.getPrototypeOf(value) === Object.prototype) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v)]));
    return value;
  };
  return swap(spec) as QuerySpec;
}

/** The doubt of a list asked for as a ranking ("the top 3 routers in DC1") with no criterion named. */
export const RANKLESS = 'The question asks for a ranking but names nothing to rank by.';

/**
 * What the finished parse left unplaced or chose without a cue: a quoted value or a number it did
 * not use ("port 80" with no port of the target), a ranking whose criterion the question does not
 * name ("the top 3 services" ordered by nothing, or by their names).
 */
function resultDoubts(g: Grounding, result: ResultSpec, used: Set<number>, targetName: string | undefined): string[] {
  const out: string[] = [];
  for (const t of g.tokens) {
    if (used.has(t.index)) continue;
    if (t.quoted) out.push(`"${t.raw}" is not used.`);
    else if (/\d/.test(t.text) && (parseNumber(t) !== undefined || parseIsoDate(t))) out.push(`The number ${t.raw} is not used.`);
  }
  const unused = (w: string) => g.tokens.some((t) => t.text === w && !used.has(t.index));
  const superlative = ['top', 'bottom', 'highest', 'lowest', 'best', 'worst', 'most', 'least', 'fewest', 'largest', 'smallest', 'biggest', 'greatest', 'cheapest', 'oldest', 'newest', 'youngest', 'latest', 'earliest', 'longest', 'shortest'];
  if (result.kind === 'list' && superlative.some(unused)) out.push(RANKLESS);
  // "with a total quantity greater than 50": a total compared, not each value; a list of nodes has no total.
  if ((result.kind === 'list' || result.kind === 'check') && ['total', 'sum', 'combined', 'overall'].some(unused)) out.push('The question speaks of a total that the query does not compute.');
  if (result.kind === 'count' && (unused('each') || unused('per'))) out.push('The question asks for a count per group, not one count.');
  if (unused('than') || unused('average') && result.kind !== 'aggregate' && !(result.kind === 'rank' && 'fn' in result.by && result.by.fn === 'avg')) out.push('A comparison or average is left unplaced.');
  if (result.kind === 'rank' && !('count' in result.by) && result.by.property === targetName && !g.properties.some((p) => p.property.name === targetName && used.has(p.span.start))) {
    out.push(`The ranking by ${targetName} is not asked for.`);
  }
  return out;
}

/**
 * Content words the schema knows but the query leaves out: a word read as a label, relationship
 * type, property or stored value none of which the finished query uses ("beneficiaries" of BENEFITS
 * in a query without that relationship, "beneficiary bank" on a query that filters another
 * property). Every constraint of the question must be placed, or the parse answers another question.
 */
function droppedWords(g: Grounding, spec: Pick<QuerySpec, 'nodes' | 'edges' | 'exists' | 'result'>, used: Set<number>): string[] {
  const r = spec.result;
  const counted = r.kind === 'rank' && 'count' in r.by ? [r.by.count] : [];
  const allNodes = [...spec.nodes, ...[...spec.exists, ...counted].flatMap((x) => x.nodes)];
  const labels = new Set(allNodes.map((n) => n.label));
  const types = new Set([...spec.edges, ...[...spec.exists, ...counted].flatMap((x) => x.edges)].map((e) => e.type));
  const props = referencedProperties(spec);
  const byName = (i: number): boolean => {
    const at = (s: Span) => s.start <= i && i < s.end;
    return g.labels.some((m) => at(m.span) && labels.has(m.label)) || g.relations.some((m) => at(m.span) && types.has(m.type));
  };
  const placed = (i: number): boolean => {
    const at = (s: Span) => s.start <= i && i < s.end;
    return (
      byName(i) ||
      // "the originator bank" read as the ORIGINATOR relationship: the rest of the phrase that also
      // names a property (originator_bank) is the head noun of that reading, not a second constraint.
      g.properties.some((m) => at(m.span) && [...Array(m.span.end - m.span.start).keys()].some((k) => m.span.start + k !== i && byName(m.span.start + k))) ||
      g.properties.some((m) => at(m.span) && (m.label.startsWith('REL:') ? types.has(m.label.slice(4)) : labels.has(m.label)) && (props.has(m.property.name) || m.property.name === nameProperty(g, m.label)))
    );
  };
  // What the word could have added to this query: a label; a relationship type that could join two
  // of its labels; a property of one of its labels or relationships that the word names well; a
  // named node; a stored value of one of its labels. A word that only shares a root with a property
  // of an unrelated label is no constraint the query dropped.
  const touches = (type: string) => g.relationships.some((x) => x.type === type && labels.has(x.from) && labels.has(x.to));
  const relevant = (i: number): boolean => {
    const at = (s: Span) => s.start <= i && i < s.end;
    return (
      g.labels.some((m) => at(m.span)) ||
      g.relations.some((m) => at(m.span) && touches(m.type)) ||
      g.properties.some((m) => at(m.span) && m.score >= 0.5 && (m.label.startsWith('REL:') ? touches(m.label.slice(4)) : labels.has(m.label))) ||
      g.values.some((m) => at(m.span) && (m.isName || labels.has(m.label)))
    );
  };
  const out: string[] = [];
  const rival = actOrProperty(g, labels, types);
  for (const t of g.tokens) {
    if (used.has(t.index) || t.quoted || isStopword(t.text) || GENERIC_LINKS.has(t.stem) || FUNCTION_WORDS.has(t.text) || FUNCTION_WORDS.has(t.stem) || parseNumber(t) !== undefined || parseIsoDate(t)) continue;
    if (relevant(t.index) && !placed(t.index)) out.push(t.raw);
  }
  return [...(out.length ? [`"${out.join('", "')}" ${out.length > 1 ? 'are' : 'is'} not placed in the query.`] : []), ...rival];
}

/**
 * A word read as a property that also names a relationship of the query's labels the query does
 * not follow ("the dependencies of X": a stored list, or the DEPENDS_ON relationships): either
 * reading is a guess.
 */
function actOrProperty(g: Grounding, labels: Set<string>, types: Set<string>): string[] {
  const out: string[] = [];
  for (const r of g.relations) {
    if (types.has(r.type) || g.labels.some((l) => overlaps(l.span, r.span)) || !g.relationships.some((x) => x.type === r.type && (labels.has(x.from) || labels.has(x.to)))) continue;
    // Only the word alone: in a longer phrase ("a payer note") it modifies the property's name.
    const prop = g.properties.find((m) => m.span.start === r.span.start && m.span.end === r.span.end && labels.has(m.label) && m.score >= 0.8);
    if (prop) out.push(`"${g.tokens[r.span.start]!.raw}" may be ${prop.label}.${prop.property.name} or the ${r.type} relationship.`);
  }
  return out;
}

/** Verbs that say two things are linked without saying how ("connected to", "related to"): any path places them. */
const GENERIC_LINKS = new Set(['connect', 'link', 'relat', 'associat', 'attach', 'involv'].flatMap((w) => [w, stem(w)]));

/** Every property name the query reads: conditions, the result's property, ranking and grouping, shown columns. */
function referencedProperties(spec: Pick<QuerySpec, 'nodes' | 'edges' | 'exists' | 'result'>): Set<string> {
  const out = new Set<string>();
  for (const n of [...spec.nodes, ...spec.exists.flatMap((x) => x.nodes)]) for (const c of n.conditions) out.add(c.property);
  for (const e of [...spec.edges, ...spec.exists.flatMap((x) => x.edges)]) for (const c of e.conditions ?? []) out.add(c.property);
  const r = spec.result;
  if (r.kind === 'aggregate' || r.kind === 'value') out.add(r.property);
  if (r.kind === 'list') {
    r.properties.forEach((p) => out.add(p));
    r.related?.forEach((x) => x.property && out.add(x.property));
  }
  if (r.kind === 'group') {
    out.add(r.groupBy);
    if (r.property) out.add(r.property);
  }
  if (r.kind === 'rank') {
    if (!('count' in r.by)) out.add(r.by.property);
    else for (const n of r.by.count.nodes) for (const c of n.conditions) out.add(c.property);
    if (r.groupBy) out.add(r.groupBy);
  }
  return out;
}

/** Content words no mention covers: unknown names, properties the graph does not have. */
const IRREGULAR_PARTICIPLES = new Set(['sent', 'paid', 'spent', 'lent', 'sold', 'bought', 'earned', 'held', 'made', 'given', 'taken', 'won', 'lost', 'owed']);

export function unexplainedWords(g: Grounding, used: Set<number> = new Set()): string[] {
  const covered = new Set(used);
  const cover = (s: Span) => {
    for (let i = s.start; i < s.end; i++) covered.add(i);
  };
  g.labels.forEach((m) => cover(m.span));
  g.properties.forEach((m) => cover(m.span));
  g.values.forEach((m) => cover(m.span));
  g.relations.forEach((m) => cover(m.span));
  // "the total amount received", "the price paid": a participle right after a number property only
  // says how the quantity came about.
  const numberAt = (i: number) => g.properties.some((m) => m.span.start <= i && i < m.span.end && propertyKind(m.property) === 'number');
  const participle = (t: Token) => /ed$/.test(t.text) || IRREGULAR_PARTICIPLES.has(t.text);
  return g.tokens
    .filter((t) => !(participle(t) && numberAt(t.index - 1)))
    .filter((t) => !covered.has(t.index) && !isStopword(t.text) && !FUNCTION_WORDS.has(t.text) && !FUNCTION_WORDS.has(t.stem) && parseNumber(t) === undefined && !parseIsoDate(t))
    .map((t) => t.raw);
}

// -------------------------------------------------------------------------------------------------
// Slots and alternatives

/**
 * The nodes a name picks out: by element id, or, when more nodes share the name than the lookup
 * returned ids for (a name given to thousands of instances), by the name itself, so that none is lost.
 */
function namedNodes(alt: ValueMention): Pick<NodeSpec, 'ids' | 'names' | 'conditions'> {
  if (alt.count <= alt.ids.length || alt.property === 'aliases') return { ids: alt.ids, names: [alt.value], conditions: [] };
  return { names: [alt.value], conditions: [{ property: alt.property, op: '=', value: alt.value, kind: 'string' }] };
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
      // A proper name names one thing: a display value that several nodes share is the weaker reading.
      const unique = a.count === 1 ? 10 : 0;
      return 40 + inPhrase + unique + (secondary.has(a.label) ? 10 : 10 - (distance ?? 0) * 5) + 20 * Math.log10(1 + a.degree);
    }
    if (!a.isName && distance !== undefined) return 30 - distance * 5;
    return -1;
  };
  const ranked = slot.alternatives.map((a) => ({ a, s: score(a) })).filter((x) => x.s >= 0).sort((x, y) => y.s - x.s || x.a.count - y.a.count);
  return ranked[0]?.a;
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

/** Verbs that make the quoted text after them a part of a value ("starting with 'A'", "containing 'x'"). */
/** Prepositions of a state a count can be in ("in stock", "on order", "at sea"). */
const STATE_PREPOSITIONS = new Set(['in', 'on', 'at', 'under']);
/** Words joining two values of one property ("'high' or 'medium'"). */
const COORDINATORS = new Set(['or', 'and', 'nor', ',']);
const PATTERN_VERBS = new Set(['start', 'starts', 'starting', 'begin', 'begins', 'beginning', 'end', 'ends', 'ending', 'contain', 'contains', 'containing', 'include', 'includes', 'including']);

function negatedBefore(words: string[], at: number): boolean {
  return words.slice(Math.max(0, at - 3), at).some((w) => NEGATIONS.has(w) && w !== 'yet');
}

/** The label a role noun (before token `before`) stands for: the one end of its relationship type, when there is only one. */
function roleTarget(g: Grounding, before: number): string | undefined {
  const role = g.relations.find((r) => r.role && r.span.start < before);
  if (!role) return undefined;
  const ends = [...new Set(g.relationships.filter((x) => x.type === role.type).map((x) => (role.role === 'agent' ? x.from : x.to)))];
  return ends.length === 1 ? ends[0] : undefined;
}

/**
 * The property answers show for each label: its display name, or else the one string property
 * every node has (a switch's "ip"), rather than an opaque element id.
 */
function displayProperties(g: Grounding): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [label, info] of g.labelInfo) {
    const strings = info.properties.filter((p) => p.count >= info.sampled && p.types.length === 1 && p.types[0] === 'STRING' && !(g.kgrag && p.name === 'collection'));
    // Else a property named like its label on every node (a Port's `port`): the node's own value.
    const own = info.properties.find((p) => p.count >= info.sampled && p.name.toLowerCase() === label.toLowerCase());
    out[label] = info.nameProperty ?? (strings.length === 1 ? strings[0]!.name : own?.name);
  }
  return out;
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

/** Whether any label, property, value or relationship mention covers token i. */
function mentioned(g: Grounding, i: number): boolean {
  const at = (s: Span) => s.start <= i && i < s.end;
  return g.labels.some((m) => at(m.span)) || g.properties.some((m) => at(m.span)) || g.values.some((m) => at(m.span)) || g.relations.some((m) => at(m.span));
}

function isPropertyAt(g: Grounding, i: number): boolean {
  // A word that names a label ("the most suppliers") is that label, even where a key property shares it (supplierID).
  if (g.labels.some((l) => l.span.start === i)) return false;
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
  const nameProps = displayProperties(g);
  // "the total number of X's dependencies", "including indirect ones": a count, a total or a walk
  // over the value, which showing the stored value does not answer.
  const beyond = words.filter((w) => ['total', 'sum', 'average', 'mean', 'number', 'count', 'indirect', 'indirectly', 'including'].includes(w));
  // A value of one node: a noun of another label ("the application named X" read as the Software X,
  // "the phone of the supplier of X") is a node or hop this answer leaves out.
  // (Only a noun in apposition to the name: "the application named 'X'", "'X' application"; "been
  // with the company" names no other node.)
  const apposed = (m: LabelMention) => m.span.end === alt.span.start || m.span.start === alt.span.end || (m.span.end === alt.span.start - 1 && ['named', 'called'].includes(words[m.span.end] ?? ''));
  const others = [...new Set(g.labels.filter((m) => m.label !== alt.label && !overlaps(m.span, alt.span) && apposed(m)).map((m) => m.label))];
  // "the channel of 'lumen' that started after 200": a comparison picks among nodes, which showing
  // the stored value of every node so named leaves out.
  const compared = comparisons(g.tokens, opts.asOf).map((c) => g.tokens.slice(c.span.start, c.span.end).map((t) => t.raw).join(' '));
  const doubts = [
    ...(beyond.length ? [`"${beyond.join('", "')}" asks for more than the stored ${prop.name}.`] : []),
    ...(compared.length ? [`"${compared.join('", "')}" compares, but the answer shows the stored ${prop.name} of ${alt.value} without it.`] : []),
    ...(others.length ? [`The question names ${others.join(', ')}, but the value is read from ${alt.label} ${alt.value}.`] : []),
    ...actOrProperty(g, new Set([alt.label, ...others]), new Set()),
  ];
  return { ok: true, spec: { nodes: [node], edges: [], exists: [], result, nameProperty: nameProps, limit: opts.limit }, notes, unexplained: unexplainedWords(g, new Set()), doubts };
}

function chainSpec(g: Grounding, nameSlots: Slot[], opts: ParseOptions, notes: string[]): ParseOutcome | undefined {
  const alt = nameSlots[0]?.alternatives.filter((a) => a.isName).sort((a, b) => b.degree - a.degree)[0];
  if (!alt) return undefined;
  const selfTypes = [...new Set(g.relationships.filter((r) => r.from === alt.label && r.to === alt.label).map((r) => r.type))];
  const cued = g.relations.filter((r) => selfTypes.includes(r.type)).map((r) => r.type);
  const type = cued[0] ?? (selfTypes.length === 1 ? selfTypes[0] : undefined);
  if (!type) return undefined;
  notes.push(`${alt.value}: the ${type} chain up to its end`);
  const nameProps = displayProperties(g);
  const node: NodeSpec = { v: 'n0', label: alt.label, conditions: [], ids: alt.ids, names: [alt.value] };
  return {
    ok: true,
    spec: { nodes: [node], edges: [], exists: [], result: { kind: 'chain', type }, nameProperty: nameProps, limit: opts.limit },
    notes,
    unexplained: [],
    doubts: [],
  };
}

