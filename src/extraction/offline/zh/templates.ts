import type { NodeType, RelationPattern } from '../patterns.ts';

/**
 * Chinese relation templates (patterns with "language": "zh" in the pattern file) compile to
 * regular expressions over a sentence's *signature*: the sentence with every recognised entity,
 * role and value replaced by a marker ⟦<kind><index>⟧ (P person, O organisation, L place,
 * U a name of unknown type, R role, D date, M money, C percent, Q quantity). Chinese needs no
 * word boundaries, so literal words in a template match however the tagger segmented them.
 *
 * Template items, separated by spaces:
 *   $subject $object      an entity of the pattern's subject/object type (or of unknown type), or a
 *                         list of them joined by 和 / 与 / 及 / 、 (each may carry a role before it)
 *   $role $date $money $percent $quantity   a recognised role or value ($role also a list 兼 / 、)
 *   $any                  any one entity (not captured)
 *   …                     up to 12 characters of the same clause (no entity, no comma)
 *   …*                    up to 30 characters of the sentence (entities and commas allowed)
 *   ~                     optional adverbs (都, 也, 目前, 现在, 一直, 曾, 曾经, 已, 已经, 仍, 还, 均, 直接, 正式)
 *   !(股份|股权)           the rest of the clause must not contain these words
 *   anything else         literal text; ( | ) alternatives and a trailing ? (optional) as in a regular
 *                         expression; a group may span items ("(于 $date)?")
 * A trailing ? makes a slot optional. Spaces between items match optional white space.
 */

export type EntityKind = 'P' | 'O' | 'L' | 'U';
const KIND_OF: Record<NodeType, EntityKind> = { Person: 'P', Organization: 'O', Place: 'L' };

export interface CompiledZhPattern {
  pattern: RelationPattern;
  subjectTypes: ReadonlySet<NodeType>;
  objectTypes: ReadonlySet<NodeType>;
  regexes: RegExp[];
  confidence: number;
}

const ANY_ENTITY = '⟦[POLU]\\d+⟧';
const VALUE_OR_ROLE = '⟦[RDMCQ]\\d+⟧';
const GAP = `(?:[^,，。;；!?！？⟦\\n]|${VALUE_OR_ROLE}){0,12}?`;
const WIDE_GAP = `(?:[^。;；!?！？⟦\\n]|⟦[A-Z]\\d+⟧){0,30}?`;
const ADVERBS = '(?:都|也|均|目前|现在|现|一直|曾经|曾|已经|已|仍然|仍|还|直接|正式|长期|共同|此前|先后)*';
const VALUE_SLOTS: Record<string, string> = { date: 'D', money: 'M', percent: 'C', quantity: 'Q' };

function entityList(name: string, kinds: string, list: boolean): string {
  const one = `⟦[${kinds}]\\d+⟧`;
  const withRole = `(?:⟦R\\d+⟧)?${one}`;
  return list ? `(?<${name}>${withRole}(?:[和与及、,，]${withRole})*)` : `(?<${name}>${one})`;
}

function compileItem(item: string, pattern: RelationPattern, subjectKinds: string, objectKinds: string): string {
  // A slot may close a group opened by an earlier item: "(于 $date)?".
  const slot = /^\$([a-z]+)(\?)?(\)\??)?$/.exec(item);
  if (slot) {
    const [, name, optional, close = ''] = slot;
    let body: string;
    if (name === 'subject') body = entityList('subject', subjectKinds, true);
    else if (name === 'object') body = entityList('object', objectKinds, true);
    else if (name === 'any') body = ANY_ENTITY;
    else if (name === 'role') body = '(?<role>⟦R\\d+⟧(?:[、,，和兼及]⟦R\\d+⟧)*)';
    else if (name! in VALUE_SLOTS) body = `(?<${name}>⟦${VALUE_SLOTS[name!]}\\d+⟧)`;
    else throw new Error(`unknown slot $${name} in "${pattern.id}"`);
    return (optional ? `(?:${body})?` : body) + close;
  }
  if (item === '…') return GAP;
  if (item === '…*') return WIDE_GAP;
  if (item === '~') return ADVERBS;
  const negative = /^!\(([^()]+)\)$/.exec(item);
  if (negative) return `(?![^,，。;；]*(?:${negative[1]}))`;
  if (!/^[\p{Script=Han}A-Za-z0-9()|?,，:：的了、]+$/u.test(item)) throw new Error(`template item "${item}" of "${pattern.id}" has characters templates do not allow`);
  return item.replace(/[,，]/g, '[,，]').replace(/[:：]/g, '[:：]');
}

/** Compiles one template; throws (with the pattern's id) on a syntax error. */
export function compileZhTemplate(template: string, pattern: RelationPattern, subjectKinds: string, objectKinds: string): RegExp {
  const items = template.trim().split(/\s+/);
  const parts = items.map((item) => compileItem(item, pattern, subjectKinds, objectKinds));
  const source = parts.join('\\s*');
  if (!source.includes('(?<subject>') || !source.includes('(?<object>')) throw new Error(`template "${template}" of "${pattern.id}" needs $subject and $object`);
  return new RegExp(source, 'gu');
}

function kinds(types: ReadonlySet<NodeType>): string {
  return [...types].map((t) => KIND_OF[t]).join('') + 'U';
}

export function compileZhPattern(pattern: RelationPattern): CompiledZhPattern {
  const subjectTypes = new Set(Array.isArray(pattern.subject) ? pattern.subject : [pattern.subject]);
  const objectTypes = new Set(Array.isArray(pattern.object) ? pattern.object : [pattern.object]);
  const regexes = pattern.match.map((t) => compileZhTemplate(t, pattern, kinds(subjectTypes), kinds(objectTypes)));
  return { pattern, subjectTypes, objectTypes, regexes, confidence: pattern.confidence ?? 0.8 };
}
