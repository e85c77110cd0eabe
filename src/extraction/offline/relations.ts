import { normalizeName } from '../../resolution/normalize.ts';
import type { ExtractedRelation, ScalarValue } from '../types.ts';
import type { ChunkAnalysis, EntityRecord, Mention, RawTerm, RoleSpan } from './entities.ts';
import { CLAUSE_BREAKS, HEDGE_WORDS, MODAL_WORDS, NEGATION_WORDS } from './lexicon.ts';
import type { CompiledExpression, CompiledPattern, NodeType } from './patterns.ts';

/**
 * Runs the compiled patterns over a tagged document and turns matches into relations: one per
 * (subject, object, role) when slots hold lists, none when the statement is negated, hedged or
 * asked. Entities whose type was only guessed take the type their slots need (majority vote,
 * their own guess winning ties).
 */

/** A view of a compromise document: the part of its API this module uses. */
export interface MatchableDoc {
  match(regs: object[]): MatchResult;
  /** A view of some sentences of the same document (pointers: [[n], ...]). */
  update(pointers: Array<[number]>): MatchableDoc;
}
export interface MatchResult {
  found: boolean;
  fullPointer: Array<[number?, number?, number?, ...unknown[]]>;
  groups(): unknown;
}

interface Range {
  sentence: number;
  start: number;
  end: number;
}

/** A relation one match proposes, before types are settled and duplicates merged. */
export interface Candidate {
  pattern: CompiledPattern;
  relation: string;
  source: EntityRecord;
  target: EntityRecord;
  sourceType: NodeType;
  targetType: NodeType;
  properties: Record<string, ScalarValue>;
  evidence: string;
}

const WINDOW_BEFORE = 8;

function word(term: RawTerm): string {
  return term.normal || term.text.toLowerCase();
}

function pointerRange(ptr: [number?, number?, number?, ...unknown[]]): Range | undefined {
  const [sentence, start, end] = ptr;
  return sentence === undefined || start === undefined || end === undefined ? undefined : { sentence, start, end };
}

/** Named groups of every match, assigned to the match that contains them. */
function groupsByMatch(result: MatchResult): Array<{ match: Range; groups: Map<string, Range> }> {
  const matches = result.fullPointer.map(pointerRange).filter((r): r is Range => r !== undefined).map((match) => ({ match, groups: new Map<string, Range>() }));
  const groups = result.groups() as Record<string, { fullPointer: Array<[number?, number?, number?]> }>;
  for (const [name, view] of Object.entries(groups)) {
    for (const ptr of view.fullPointer) {
      const range = pointerRange(ptr);
      if (!range) continue;
      const owner = matches.find((m) => m.match.sentence === range.sentence && m.match.start <= range.start && range.end <= m.match.end);
      if (owner && !owner.groups.has(name)) owner.groups.set(name, range);
    }
  }
  return matches;
}

function isQuestion(terms: RawTerm[]): boolean {
  const last = terms[terms.length - 1];
  return last !== undefined && last.post.includes('?');
}

function cueWord(term: RawTerm): boolean {
  const words = [word(term), term.implicit ?? '', term.machine ?? ''];
  return term.tags.has('Negative') || words.some((w) => NEGATION_WORDS.has(w) || MODAL_WORDS.has(w) || HEDGE_WORDS.has(w));
}

/**
 * False when the statement is not asserted as fact: a question, or negation / modality / hedging
 * among the matched words (outside the entity names) or just before them in the same clause.
 */
export function isAsserted(terms: RawTerm[], match: Range, groups: Range[]): boolean {
  if (isQuestion(terms)) return false;
  // Captured words ("May 2023") and asides ("X, who may retire, ...") do not qualify the statement.
  const skip = (k: number) => groups.some((g) => g.start <= k && k < g.end) || terms[k]!.tags.has('KgAside');
  for (let k = match.start; k < match.end; k += 1) {
    if (!skip(k) && cueWord(terms[k]!)) return false;
  }
  for (let k = match.start - 1; k >= Math.max(0, match.start - WINDOW_BEFORE); k -= 1) {
    const term = terms[k]!;
    if (/[,;:]/.test(term.post) || CLAUSE_BREAKS.has(word(term))) break;
    if (cueWord(term)) return false;
  }
  return true;
}

/**
 * The entities a slot holds. A list is taken whole only when it reads as one ("X, Y and Z");
 * otherwise only the entity nearest the rest of the match ("After meeting X, Y joined Z": Y).
 */
function slotEntities(analysis: ChunkAnalysis, range: Range, nearEnd: boolean, outsideAsides: boolean): Mention[] {
  const row = analysis.mentionAt[range.sentence]!;
  const terms = analysis.sentences[range.sentence]!;
  const mentions: Mention[] = [];
  for (let k = range.start; k < range.end; k += 1) {
    const m = row[k];
    // With the aside skipped, a mention opening it ("X, Acme's CTO, ...") is not part of the subject.
    if (m && mentions[mentions.length - 1] !== m && !(outsideAsides && terms[m.start]!.tags.has('KgAside'))) mentions.push(m);
  }
  if (mentions.length <= 1) return mentions;
  const separators: Array<'and' | 'comma' | 'none'> = [];
  for (let i = 1; i < mentions.length; i += 1) {
    const between = terms.slice(mentions[i - 1]!.end, mentions[i]!.start);
    if (between.some((t) => t.tags.has('KgJoin'))) separators.push('and');
    else if (/,/.test(terms[mentions[i - 1]!.end - 1]!.post)) separators.push('comma');
    else separators.push('none');
  }
  const wellFormed = !separators.includes('none') && separators[separators.length - 1] === 'and';
  if (wellFormed) return mentions;
  return [nearEnd ? mentions[mentions.length - 1]! : mentions[0]!];
}

/** The slot's type an entity would take: its own when sure, else its guess if allowed, else the first allowed. */
function typeInSlot(entity: EntityRecord, allowed: ReadonlySet<NodeType>): NodeType | undefined {
  const own = entity.type as NodeType;
  if (entity.certain) return allowed.has(own) ? own : undefined;
  return allowed.has(own) ? own : allowed.values().next().value;
}

function rolesIn(analysis: ChunkAnalysis, range: Range | undefined): RoleSpan[] {
  if (!range) return [];
  const row = analysis.roleAt[range.sentence]!;
  const roles: RoleSpan[] = [];
  for (let k = range.start; k < range.end; k += 1) {
    const r = row[k];
    if (r && roles[roles.length - 1] !== r) roles.push(r);
  }
  return roles;
}

function sentenceText(analysis: ChunkAnalysis, n: number): string {
  const terms = analysis.sentences[n]!;
  const first = terms[0]!;
  const last = terms[terms.length - 1]!;
  const from = first.offset?.start ?? 0;
  const to = (last.offset?.start ?? 0) + (last.offset?.length ?? last.text.length);
  return analysis.text.slice(from, to + last.post.trimEnd().length).trim();
}

/** Property values from captures: $date → ISO, $role → canonical, other groups → their text. */
function captureValue(analysis: ChunkAnalysis, name: string, range: Range): ScalarValue | undefined {
  const terms = analysis.sentences[range.sentence]!;
  if (name === 'role') return undefined; // roles are handled per role span
  const value = analysis.valueAt[range.sentence]![range.start];
  if (value && value.type === 'Date') return (value.properties?.value as string | undefined) ?? value.name;
  if (value) return value.name;
  const from = terms[range.start]!.offset?.start ?? 0;
  const last = terms[range.end - 1]!;
  const to = (last.offset?.start ?? 0) + (last.offset?.length ?? last.text.length);
  return analysis.text.slice(from, to).trim();
}

function candidatesFromMatch(
  analysis: ChunkAnalysis,
  pattern: CompiledPattern,
  expression: CompiledExpression,
  match: Range,
  groups: Map<string, Range>,
): Candidate[] {
  const subjectRange = groups.get('subject');
  const objectRange = groups.get('object');
  if (!subjectRange || !objectRange) return [];
  const terms = analysis.sentences[match.sentence]!;
  for (const constraint of expression.constraints) {
    const range = groups.get(constraint.group);
    if (constraint.possessive && range) {
      const last = terms[range.end - 1]!;
      if (!/['’]s?$/i.test(last.text) && !last.tags.has('Possessive')) return [];
    }
  }
  if (!isAsserted(terms, match, [...groups.values()])) return [];
  // A slot with words after it keeps, from a broken list, the entity nearest to those words.
  const subjects = slotEntities(analysis, subjectRange, subjectRange.end < match.end, expression.skipsAside);
  const objects = slotEntities(analysis, objectRange, objectRange.end < match.end, false);
  const constants: Record<string, ScalarValue> = {};
  const captures: Array<[string, string]> = [];
  for (const [key, value] of Object.entries(pattern.pattern.properties ?? {})) {
    if (typeof value === 'string' && value.startsWith('$')) captures.push([key, value.slice(1)]);
    else constants[key] = value;
  }
  const roleKey = captures.find(([, group]) => group === 'role')?.[0];
  const roles = roleKey ? rolesIn(analysis, groups.get('role')) : [];
  const base: Record<string, ScalarValue> = { ...constants };
  for (const [key, group] of captures) {
    const range = groups.get(group);
    const value = range ? captureValue(analysis, group, range) : undefined;
    if (value !== undefined && value !== '') base[key] = value;
  }
  const variants: Array<{ relation: string; properties: Record<string, ScalarValue> }> = roles.length
    ? roles.map((r) => (r.relation
      ? { relation: r.relation, properties: withoutKeys(base, [roleKey!, 'since']) }
      : { relation: pattern.pattern.relation, properties: { ...base, [roleKey!]: r.value } }))
    : [{ relation: pattern.pattern.relation, properties: base }];
  const evidence = sentenceText(analysis, match.sentence);
  const out: Candidate[] = [];
  for (const s of subjects) {
    const subjectType = typeInSlot(s.entity, pattern.subjectTypes);
    if (!subjectType) continue;
    for (const o of objects) {
      const objectType = typeInSlot(o.entity, pattern.objectTypes);
      if (!objectType || s.entity === o.entity) continue;
      for (const v of variants) {
        const inverted = pattern.pattern.inverted === true;
        out.push({
          pattern,
          relation: v.relation,
          source: inverted ? o.entity : s.entity,
          target: inverted ? s.entity : o.entity,
          sourceType: inverted ? objectType : subjectType,
          targetType: inverted ? subjectType : objectType,
          properties: v.properties,
          evidence,
        });
      }
    }
  }
  return out;
}

function withoutKeys(record: Record<string, ScalarValue>, keys: string[]): Record<string, ScalarValue> {
  return Object.fromEntries(Object.entries(record).filter(([k]) => !keys.includes(k)));
}

/** Runs every pattern once over the whole document (compromise's cache skips sentences that cannot match). */
export function findCandidates(doc: MatchableDoc, analysis: ChunkAnalysis, patterns: readonly CompiledPattern[]): Candidate[] {
  const candidates: Candidate[] = [];
  const words = analysis.sentences.map(sentenceItems);
  for (const pattern of patterns) {
    for (const expression of pattern.expressions) {
      // Only sentences holding the expression's literal words and tags are matched at all.
      const sentences: Array<[number]> = [];
      words.forEach((set, n) => {
        if (expression.requirements.every((wanted) => hasAny(set, wanted))) sentences.push([n]);
      });
      if (sentences.length === 0) continue;
      const view = sentences.length === words.length ? doc : doc.update(sentences);
      const result = view.match(expression.regs);
      if (!result.found) continue;
      for (const { match, groups } of groupsByMatch(result)) {
        candidates.push(...candidatesFromMatch(analysis, pattern, expression, match, groups));
      }
    }
  }
  return candidates;
}

/** Every form compromise matches words against (normal, machine, implicit) and every tag as "#Tag". */
function sentenceItems(terms: RawTerm[]): Set<string> {
  const items = new Set<string>();
  for (const term of terms) {
    items.add(term.normal);
    if (term.machine) items.add(term.machine);
    if (term.implicit) items.add(term.implicit);
    for (const tag of term.tags) items.add(`#${tag}`);
  }
  return items;
}

function hasAny(words: ReadonlySet<string>, wanted: ReadonlySet<string>): boolean {
  for (const w of wanted) if (words.has(w)) return true;
  return false;
}

/** Fixes the type of each guessed entity from the slots it filled; drops candidates that no longer fit. */
export function resolveTypes(candidates: Candidate[]): Candidate[] {
  const votes = new Map<EntityRecord, Map<NodeType, number>>();
  const vote = (entity: EntityRecord, type: NodeType) => {
    if (entity.certain) return;
    const tally = votes.get(entity) ?? new Map<NodeType, number>();
    tally.set(type, (tally.get(type) ?? 0) + 1);
    votes.set(entity, tally);
  };
  for (const c of candidates) {
    vote(c.source, c.sourceType);
    vote(c.target, c.targetType);
  }
  for (const [entity, tally] of votes) {
    const own = entity.type as NodeType;
    let best = own;
    let bestCount = tally.get(own) ?? 0;
    for (const [type, count] of tally) {
      if (count > bestCount) {
        best = type;
        bestCount = count;
      }
    }
    entity.type = best;
    entity.confidence = Math.max(entity.confidence, 0.65);
    entity.needsEvidence = false;
  }
  return candidates.filter((c) => c.source.type === c.sourceType && c.target.type === c.targetType);
}

/** One relation per (type, source, target): properties merged, highest confidence kept. */
export function toRelations(candidates: Candidate[]): ExtractedRelation[] {
  const byKey = new Map<string, ExtractedRelation>();
  for (const c of candidates) {
    const guessed = !c.source.certain || !c.target.certain;
    const confidence = Math.round(c.pattern.confidence * (guessed ? 0.85 : 1) * 100) / 100;
    const key = `${c.relation}|${normalizeName(c.source.name, c.source.type)}|${normalizeName(c.target.name, c.target.type)}`;
    const existing = byKey.get(key);
    if (existing) {
      existing.properties = { ...c.properties, ...existing.properties };
      if (Object.keys(existing.properties).length === 0) delete existing.properties;
      existing.confidence = Math.max(existing.confidence, confidence);
      continue;
    }
    byKey.set(key, {
      type: c.relation,
      source: { name: c.source.name, type: c.source.type },
      target: { name: c.target.name, type: c.target.type },
      ...(Object.keys(c.properties).length ? { properties: { ...c.properties } } : {}),
      confidence,
      evidence: c.evidence,
    });
  }
  return [...byKey.values()];
}
