import type { ExtractedEntity, ExtractedRelation, ScalarValue } from '../../types.ts';
import type { NodeType, RoleDefinition } from '../patterns.ts';
import type { LacToken } from './lac.ts';
import { DESCRIPTORS, HEDGES, HONORIFICS, ORG_STRONG_HEADS, ORG_TAILS, ORG_WEAK_HEADS, PLACE_TAILS, QUESTION, ROLE_MODIFIERS, SURNAMES, UNIT_HEADS } from './lexicon.ts';
import type { CompiledZhPattern, EntityKind } from './templates.ts';

/**
 * Chinese entities and relations from LAC-tagged sentences. LAC gives people, places,
 * organisations and words; general rules of the language repair what it leaves: a name followed
 * by an organisation head (北极光 + 医疗, 天启 + 游戏) is one organisation, adjacent places are one
 * place (福建省 + 宁德市), a word with a common surname right after a role is a person
 * (工程师邵阳), an English name in brackets after an organisation is its alias. Names whose type
 * only a relation can tell (远景数据, 华东销售团队, Acme Analytics) are kept only when a pattern
 * uses them. Values (dates, money, percentages, quantities) are read from the text itself.
 */

export interface ZhSentence {
  start: number;
  end: number;
  tokens: LacToken[];
}

type Kind = EntityKind | 'R' | 'D' | 'M' | 'C' | 'Q';

interface Span {
  kind: Kind;
  start: number;
  end: number;
  name: string;
  /** Where the span starts in the signature when a description before the name belongs to it. */
  from?: number;
  /** Entities of unknown type: kept only when a relation uses them. */
  needsEvidence?: boolean;
  aliases?: string[];
  properties?: Record<string, ScalarValue>;
  /** Role: canonical value and the relation it implies (创始人 → FOUNDED). */
  role?: { value: string; relation?: string };
}

const TYPE_OF: Record<EntityKind, NodeType | undefined> = { P: 'Person', O: 'Organization', L: 'Place', U: undefined };
const VALUE_TYPE: Partial<Record<Kind, string>> = { D: 'Date', M: 'Money', C: 'Percent', Q: 'Quantity' };

/** Chinese role phrases, longest first, with their canonical values. */
export class ZhRoleLexicon {
  private readonly phrases: Array<{ phrase: string; canonical?: string; relation?: string }>;
  constructor(roles: readonly RoleDefinition[]) {
    this.phrases = roles
      .filter((r) => r.language === 'zh')
      .flatMap((r) => r.phrases.map((phrase) => ({ phrase, canonical: r.canonical, relation: r.relation })))
      .sort((a, b) => b.phrase.length - a.phrase.length);
  }
  /** Relations some role implies (创始人 → FOUNDED). */
  get relations(): ReadonlySet<string> {
    return new Set(this.phrases.flatMap((p) => (p.relation ? [p.relation] : [])));
  }
  /** The role phrase `text` ends with, if any (case-insensitive for Latin acronyms). */
  endingOf(text: string): { phrase: string; canonical?: string; relation?: string } | undefined {
    const upper = text.toUpperCase();
    return this.phrases.find((p) => upper.endsWith(p.phrase.toUpperCase()));
  }
}

// --- values ---------------------------------------------------------------------------------

const CN_DIGIT: Record<string, string> = { 一: '1', 二: '2', 三: '3', 四: '4' };
const VALUE_RULES: Array<{ kind: Kind; re: RegExp; props: (m: RegExpExecArray) => Record<string, ScalarValue> }> = [
  {
    kind: 'M',
    re: /(?:人民币|美元|港币)?\d[\d,]*(?:\.\d+)?\s*(?:万亿|千万|百万|亿|万|千)?\s*(?:元人民币|元|美元|欧元|港元|港币|英镑|日元|韩元|卢布)/gu,
    props: () => ({}),
  },
  { kind: 'C', re: /\d+(?:\.\d+)?\s*[%％]|百分之[零一二三四五六七八九十百点\d.]+/gu, props: () => ({}) },
  {
    kind: 'D',
    re: /(\d{4})\s*年(?:\s*(?:第\s*([一二三四1-4])\s*季度|(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日号])?|([上下])半年))?|(\d{4})-(\d{2})-(\d{2})|(\d{1,2})\s*月\s*(\d{1,2})\s*[日号]/gu,
    props: (m): Record<string, ScalarValue> => {
      if (m[6]) return { value: `${m[6]}-${m[7]}-${m[8]}` };
      if (!m[1]) return {};
      const pad = (x: string) => x.padStart(2, '0');
      if (m[2]) return { value: `${m[1]}-Q${CN_DIGIT[m[2]] ?? m[2]}` };
      if (m[4]) return { value: `${m[1]}-${pad(m[3]!)}-${pad(m[4])}` };
      if (m[3]) return { value: `${m[1]}-${pad(m[3])}` };
      return { value: m[1] };
    },
  },
  {
    kind: 'Q',
    re: /\d[\d,]*(?:\.\d+)?(?:万|亿|千)?(?:多|余)?(?:(?:名|位|家|座|所|台|辆|个)(?:员工|职工|观众|用户|客户|门店|学生|工厂|城市|国家|会员|员工|人)|人)/gu,
    props: () => ({}),
  },
];

function valueSpans(text: string, offset: number): Span[] {
  const spans: Span[] = [];
  for (const rule of VALUE_RULES) {
    rule.re.lastIndex = 0;
    for (let m = rule.re.exec(text); m; m = rule.re.exec(text)) {
      const start = offset + m.index;
      const end = start + m[0].length;
      if (spans.some((s) => s.start < end && start < s.end)) continue;
      spans.push({ kind: rule.kind, start, end, name: m[0].trim(), properties: rule.props(m) });
    }
  }
  return spans;
}

// --- entities -------------------------------------------------------------------------------

const NAMEISH = new Set(['ORG', 'LOC', 'nz', 'PER', 'n', 'nw', 'j', 'an', 'vn', 'a', 'LATIN']);
const STRONG = new Set(ORG_STRONG_HEADS);
const ORG_HEADS = [...ORG_STRONG_HEADS, ...ORG_WEAK_HEADS].sort((a, b) => b.length - a.length);
const UNITS = [...UNIT_HEADS].sort((a, b) => b.length - a.length);
const SURNAME_RE = new RegExp(`^(?:${SURNAMES.join('|')})[\\p{Script=Han}]{1,2}$`, 'u');
const LATIN_NAME = /^[A-Za-z][A-Za-z0-9&.'-]*$/;
const COUNTED = /[一二三四五六七八九十两几数多\d]+[个家所座位名间]/u;
/** A description ending in a company word, then a name of at least two characters. */
const DESCRIBED_NAME = /^(.{2,}?(?:公司|企业|制造商|厂商|供应商|开发商|运营商))(.{2,})$/u;

/** Joins Latin words LAC split apart ("Acme", " ", "Analytics") into one token tagged LATIN. */
function joinLatin(tokens: LacToken[]): LacToken[] {
  const out: LacToken[] = [];
  for (const t of tokens) {
    const prev = out[out.length - 1];
    const latin = LATIN_NAME.test(t.text);
    if (latin && prev?.tag === 'LATIN' && prev.end === t.start) {
      out[out.length - 1] = { ...prev, text: prev.text + t.text, end: t.end };
    } else if (latin && prev?.tag === 'w' && /^ $/.test(prev.text) && out[out.length - 2]?.tag === 'LATIN') {
      out.pop();
      const before = out[out.length - 1]!;
      out[out.length - 1] = { ...before, text: `${before.text} ${t.text}`, end: t.end };
    } else {
      out.push(latin ? { ...t, tag: 'LATIN' } : t);
    }
  }
  return out;
}

const QUALIFIERS = [...ROLE_MODIFIERS].sort((a, b) => b.length - a.length);
/** True when `text` is a sequence of role qualifiers (or empty). */
function isRoleQualifier(text: string): boolean {
  let rest = text;
  while (rest) {
    const q = QUALIFIERS.find((w) => rest.startsWith(w));
    if (!q) return false;
    rest = rest.slice(q.length);
  }
  return true;
}

function endsWithAny(text: string, heads: readonly string[]): string | undefined {
  return heads.find((h) => text.endsWith(h) && text.length > h.length);
}

function entitySpans(sentence: ZhSentence, roles: ZhRoleLexicon, text: string, taken: Span[]): Span[] {
  const tokens = joinLatin(sentence.tokens);
  const spans: Span[] = [];
  const free = (start: number, end: number) => !taken.some((s) => s.start < end && start < s.end) && !spans.some((s) => s.start < end && start < s.end);
  const push = (span: Span) => {
    if (span.name.trim() && free(span.start, span.end)) spans.push(span);
  };

  // Roles first: a run of nominal tokens ending in a role phrase (高级研究员, 首席技术官, 技术总监).
  for (let i = 0; i < tokens.length; i += 1) {
    for (let j = Math.min(tokens.length - 1, i + 3); j >= i; j -= 1) {
      const run = tokens.slice(i, j + 1);
      if (!run.every((t) => ['n', 'nz', 'vn', 'a', 'an', 'LATIN', 'j'].includes(t.tag) || (t === run[run.length - 1] && t.tag !== 'PER'))) continue;
      const name = run.map((t) => t.text).join('');
      const role = roles.endingOf(name);
      // Before the phrase only words that qualify a role (高级软件工程师), never a name (光年资本 + 合伙人).
      if (!role || !isRoleQualifier(name.slice(0, name.length - role.phrase.length))) continue;
      push({ kind: 'R', start: run[0]!.start, end: run[run.length - 1]!.end, name, role: { value: role.canonical ?? name, relation: role.relation } });
      i = j;
      break;
    }
  }

  const isHead = (x: LacToken | undefined) => x !== undefined && (ORG_HEADS.includes(x.text) || UNITS.includes(x.text));
  for (let i = 0; i < tokens.length; i += 1) {
    const t = tokens[i]!;
    if (!free(t.start, t.end)) continue; // inside a role or a value
    const afterRole = spans.some((s) => s.kind === 'R' && s.end === t.start);
    // 工程师邵阳, 财务总监高明: a word with a common surname right after a role is a person.
    if (afterRole && t.tag !== 'PER' && !['v', 'p', 'u', 'c', 'w', 'm', 'q', 'd', 'r', 'TIME'].includes(t.tag) && SURNAME_RE.test(t.text)) {
      push({ kind: 'P', start: t.start, end: t.end, name: t.text });
      continue;
    }
    if (t.tag === 'LOC' || t.tag === 'ORG' || t.tag === 'PER' || t.tag === 'nz' || t.tag === 'LATIN') {
      let j = i;
      let kind: EntityKind = t.tag === 'PER' ? 'P' : t.tag === 'LOC' ? 'L' : t.tag === 'ORG' ? 'O' : 'U';
      if (kind === 'L') while (tokens[j + 1]?.tag === 'LOC') j += 1;
      // Organisation heads after a name: 北极光 + 医疗, 青木 + 资本, Neo4j + 公司 (a place needs a legal form: 深圳 + 有限公司).
      let k = j;
      while (k + 1 < tokens.length && k - j < 3 && ORG_HEADS.includes(tokens[k + 1]!.text)) k += 1;
      let needsEvidence = kind === 'U';
      if (k > j && (kind !== 'L' || STRONG.has(tokens[k]!.text))) {
        j = k;
        kind = 'O';
      } else if (k > j && kind === 'L') {
        // 华夏 + 零售: a place name followed by an industry word may be a company; only a pattern tells.
        j = k;
        kind = 'U';
        needsEvidence = true;
      } else if (kind === 'O' && tokens[j + 1]?.tag === 'LOC' && tokens[j + 2]?.text === '的') {
        j += 1; // 星巴克 + 中国 的: a company's unit for a country or region
      } else if (kind === 'U' && UNITS.includes(tokens[j + 1]?.text ?? '')) {
        j += 1; // 微信 + 事业群
      } else if (kind === 'L' && !isHead(tokens[j + 1]) && isHead(tokens[j + 2]) && ['n', 'vn', 'nz'].includes(tokens[j + 1]!.tag)) {
        // 华东 + 销售 + 团队: a unit named after a region (an organisation only when a pattern needs one).
        j += 2;
        kind = 'U';
        needsEvidence = true;
      }
      let end = tokens[j]!.end;
      let name = text.slice(t.start, end);
      // 广东省南部 is 广东省; 晨光文具总部 is 晨光文具 (the tail stays in the sentence for the patterns).
      const tail = (kind === 'L' ? PLACE_TAILS : kind === 'O' ? ORG_TAILS : undefined)?.exec(name);
      if (tail && tail[0].length < name.length) {
        name = name.slice(0, -tail[0].length);
        end -= tail[0].length;
      }
      if (kind === 'U' && endsWithAny(name, ORG_STRONG_HEADS)) {
        kind = 'O';
        needsEvidence = false;
      }
      // A company's name after a description of it (德国机器人公司库卡, 新加坡科技公司Grab): an organisation,
      // and the description (with a name inside it) belongs to it in the sentence the patterns read.
      const before = text.slice(sentence.start, t.start);
      let from: number | undefined;
      if ((kind === 'P' || kind === 'U' || kind === 'O') && DESCRIPTORS.test(before)) {
        const previous = spans.length ? spans[spans.length - 1]! : undefined;
        const between = previous ? text.slice(previous.end, t.start) : '';
        if (previous && previous.kind !== 'R' && previous.kind !== 'P' && /^[\p{Script=Han}]{0,8}$/u.test(between) && DESCRIPTORS.test(previous.name + between)) {
          spans.pop();
          from = previous.start;
        }
        if (kind !== 'O' || from !== undefined) {
          kind = 'O';
          needsEvidence = false;
        }
      }
      // 杭州数据分析软件公司云杉数据科技有限公司 tagged as one organisation: the description is not the name.
      const described = kind === 'O' ? DESCRIBED_NAME.exec(name) : null;
      if (described && !STRONG.has(described[2]!) && !described[2]!.startsWith('有限')) {
        from ??= t.start;
        name = described[2]!;
        end = t.start + described[1]!.length + name.length;
      }
      // 五个办公室, 三家银行: a counted phrase is no name.
      if ((kind === 'O' || kind === 'U') && COUNTED.test(name)) {
        i = j;
        continue;
      }
      const span: Span = { kind, start: end - name.length, end, name, needsEvidence, ...(from !== undefined ? { from } : {}) };
      const after = text.slice(end, sentence.end);
      const alias = /^\s*[(（]\s*([^()（）]{1,60}?)\s*[)）]/.exec(after);
      const honorific = HONORIFICS.exec(after);
      if (alias && kind !== 'L' && kind !== 'P' && (LATIN_NAME.test(alias[1]!.split(' ')[0]!) || /^[\p{Script=Han}]{2,}$/u.test(alias[1]!))) {
        // 钱塘软件(Qiantang Software): the bracketed name is an alias of the same organisation.
        span.aliases = [alias[1]!];
        span.end += alias[0].length;
      } else if (honorific && kind === 'P') {
        span.end += honorific[0].length;
      }
      push(span);
      i = j;
      continue;
    }
    // A nominal run ending in an organisation or unit head (远景数据, 云平台事业部, 营销部): a name whose type a pattern tells.
    if (NAMEISH.has(t.tag) && t.tag !== 'a' && t.tag !== 'vn') {
      for (let j = Math.min(tokens.length - 1, i + 3); j >= i; j -= 1) {
        const run = tokens.slice(i, j + 1);
        if (!run.every((x) => NAMEISH.has(x.tag))) continue;
        const last = run[run.length - 1]!;
        const name = text.slice(run[0]!.start, last.end);
        if (roles.endingOf(name)) continue;
        const unit = UNITS.includes(last.text) || (run.length === 1 && UNITS.some((u) => last.text.endsWith(u)));
        const org = ORG_HEADS.includes(last.text) || (run.length === 1 && ORG_HEADS.some((h) => last.text.endsWith(h)));
        // One generic word before a unit is no name (技术团队); a single word needs three characters (营销部).
        if (!(unit || org) || (run.length === 1 && last.text.length < 3) || (unit && run.length === 2 && !org)) continue;
        push({ kind: 'U', start: run[0]!.start, end: last.end, name, needsEvidence: true });
        i = j;
        break;
      }
    }
  }
  return spans;
}

// --- relations ------------------------------------------------------------------------------

interface Found {
  relation: ExtractedRelation;
  uses: Span[];
}

/** The entity spans a slot's text names: ⟦P3⟧和⟦P5⟧ → spans 3 and 5 (roles inside the list skipped). */
function slotSpans(slot: string, spans: Span[]): Span[] {
  return [...slot.matchAll(/⟦([A-Z])(\d+)⟧/g)].map((m) => spans[Number(m[2])]!).filter((s) => s.kind !== 'R');
}

function roleOf(slot: string | undefined, spans: Span[], relation: string | undefined): { value: string; relation?: string } | undefined {
  if (!slot) return undefined;
  const roles = [...slot.matchAll(/⟦R(\d+)⟧/g)].map((m) => spans[Number(m[1])]!.role!);
  // 创始人兼CEO in a FOUNDED pattern: the founder role; 副董事长、轮值董事长兼首席财务官: the C-level title, else the first.
  return roles.find((r) => relation !== undefined && r.relation === relation) ?? roles.find((r) => /^[A-Z]{2,5}$/.test(r.value) && !r.relation) ?? roles[0];
}

function typed(span: Span, allowed: ReadonlySet<NodeType>): NodeType | undefined {
  const type = span.kind === 'U' ? undefined : TYPE_OF[span.kind as EntityKind];
  if (type) return allowed.has(type) ? type : undefined;
  // A name of unknown type takes the slot's type when the slot allows one type only.
  return allowed.size === 1 ? [...allowed][0] : allowed.has('Organization') ? 'Organization' : undefined;
}

function findRelations(signature: string, spans: Span[], sentenceText: string, patterns: CompiledZhPattern[], roleRelations: ReadonlySet<string>): Found[] {
  if (QUESTION.test(sentenceText.trim())) return [];
  const found: Found[] = [];
  for (const compiled of patterns) {
    for (const re of compiled.regexes) {
      re.lastIndex = 0;
      for (const m of signature.matchAll(re)) {
        const groups = m.groups ?? {};
        const clauseStart = Math.max(signature.lastIndexOf(',', m.index), signature.lastIndexOf(',', m.index), signature.lastIndexOf('。', m.index)) + 1;
        const context = signature.slice(clauseStart, m.index + m[0].length).replace(/⟦[A-Z]\d+⟧/g, '');
        const before = signature.slice(0, m.index).replace(/⟦[A-Z]\d+⟧/g, '');
        if (HEDGES.test(context) || /传言|传闻|据传|如果|假如|是否/.test(before)) continue;
        // A pattern for a relation some role implies (FOUNDED ← 创始人) needs such a role in its $role slot.
        const implied = roleRelations.has(compiled.pattern.relation) ? compiled.pattern.relation : undefined;
        const role = roleOf(groups.role, spans, implied);
        if (implied && groups.role && role?.relation !== implied) continue;
        const relationType = role?.relation ?? compiled.pattern.relation;
        const properties: Record<string, ScalarValue> = {};
        for (const [key, value] of Object.entries(compiled.pattern.properties ?? {})) {
          if (typeof value !== 'string' || !value.startsWith('$')) {
            properties[key] = value;
            continue;
          }
          const group = groups[value.slice(1)];
          if (!group) continue;
          if (value === '$role') {
            if (role && !role.relation) properties[key] = role.value;
          } else {
            const span = slotSpans(group, spans)[0] ?? spans[Number(/\d+/.exec(group)?.[0])];
            if (span) properties[key] = value === '$date' ? String(span.properties?.value ?? span.name) : span.name;
          }
        }
        for (const subject of slotSpans(groups.subject ?? '', spans)) {
          // 工程师邵阳和设计师何丽都在…工作: a role written just before a person is that person's role.
          const own = spans[spans.indexOf(subject) - 1];
          const subjectProps =
            compiled.pattern.properties?.role === '$role' && !properties.role && own?.kind === 'R' && own.end === subject.start && !own.role!.relation
              ? { ...properties, role: own.role!.value }
              : properties;
          for (const object of slotSpans(groups.object ?? '', spans)) {
            if (subject === object) continue;
            const sourceType = typed(subject, compiled.subjectTypes);
            const targetType = typed(object, compiled.objectTypes);
            if (!sourceType || !targetType) continue;
            const unsure = subject.kind === 'U' || object.kind === 'U';
            found.push({
              relation: {
                type: relationType,
                source: { name: subject.name, type: sourceType },
                target: { name: object.name, type: targetType },
                ...(Object.keys(subjectProps).length ? { properties: subjectProps } : {}),
                confidence: Math.round((unsure ? compiled.confidence * 0.8 : compiled.confidence) * 100) / 100,
                evidence: sentenceText.trim(),
              },
              uses: [subject, object],
            });
          }
        }
      }
    }
  }
  return found;
}

export interface ZhExtraction {
  entities: ExtractedEntity[];
  relations: ExtractedRelation[];
}

/** Entities and relations of the Chinese sentences of one chunk. */
export function extractChineseSentences(text: string, sentences: ZhSentence[], roles: ZhRoleLexicon, patterns: CompiledZhPattern[]): ZhExtraction {
  const entities = new Map<string, ExtractedEntity>();
  const relations = new Map<string, ExtractedRelation>();
  for (const sentence of sentences) {
    const sentenceText = text.slice(sentence.start, sentence.end);
    const values = valueSpans(sentenceText, sentence.start);
    const spans = [...values, ...entitySpans(sentence, roles, text, values)].sort((a, b) => a.start - b.start);
    let signature = '';
    let at = sentence.start;
    spans.forEach((span, i) => {
      signature += text.slice(at, span.from ?? span.start) + `⟦${span.kind}${i}⟧`;
      at = span.end;
    });
    signature += text.slice(at, sentence.end);

    const found = findRelations(signature, spans, sentenceText, patterns, roles.relations);
    const used = new Map<Span, NodeType>();
    for (const f of found) {
      const key = `${f.relation.type}|${f.relation.source.name}|${f.relation.target.name}`;
      const known = relations.get(key);
      relations.set(key, known ? { ...known, properties: { ...f.relation.properties, ...known.properties } } : f.relation);
      used.set(f.uses[0]!, f.relation.source.type as NodeType);
      used.set(f.uses[1]!, f.relation.target.type as NodeType);
    }
    for (const span of spans) {
      if (span.kind === 'R') continue;
      const type = VALUE_TYPE[span.kind] ?? (span.kind === 'U' ? used.get(span) : TYPE_OF[span.kind as EntityKind]);
      if (!type || (span.needsEvidence && !used.has(span))) continue;
      const key = `${type}|${span.name}`;
      if (entities.has(key)) continue;
      entities.set(key, {
        name: span.name,
        type,
        ...(span.aliases ? { aliases: span.aliases } : {}),
        ...(span.properties && Object.keys(span.properties).length ? { properties: span.properties } : {}),
        confidence: span.kind === 'U' ? 0.6 : 0.8,
        start: span.start,
        end: span.start + span.name.length,
      });
    }
  }
  // A headquarters is also a location: keep the more specific statement only.
  for (const [key, r] of relations) {
    if (r.type === 'LOCATED_IN' && relations.has(`HEADQUARTERED_IN|${r.source.name}|${r.target.name}`)) relations.delete(key);
  }
  return { entities: [...entities.values()], relations: [...relations.values()] };
}
