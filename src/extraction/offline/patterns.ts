import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ErrorObject } from 'ajv';
import { SCHEMA_DIR, readJsonFile, schemaValidator, type JsonFileError } from '../../schemas.ts';
import { compromise } from '../../nlp.ts';
import { ConfigError, errorMessage } from '../../errors.ts';
import { isSafeRelType } from '../../graph/names.ts';
import type { ScalarValue } from '../types.ts';
import { compileZhPattern } from './zh/templates.ts';

/**
 * Relation patterns are data: `schemas/extraction-patterns.json` holds the built-in ones, users add
 * their own in a file of the same shape (KGRAG_EXTRACTION_PATTERNS). The JSON Schema beside it
 * documents the format; this module validates files against it and compiles each pattern's
 * templates into compromise match expressions once, at start.
 */

export type NodeType = 'Person' | 'Organization' | 'Place';
export const NODE_TYPES: readonly NodeType[] = ['Person', 'Organization', 'Place'];

export interface RelationPattern {
  id: string;
  description?: string;
  /** UPPER_SNAKE relationship type. */
  relation: string;
  /** Type(s) of the entity in the `$subject` slot. */
  subject: NodeType | NodeType[];
  /** Type(s) of the entity in the `$object` slot. */
  object: NodeType | NodeType[];
  /** Templates: compromise match syntax plus `$slot` placeholders. */
  match: string[];
  /** Constant values, or "$capture" to take the text of a slot or named group. */
  properties?: Record<string, ScalarValue>;
  /** The relation goes from `$object` to `$subject` ("Y was acquired by X"). */
  inverted?: boolean;
  /** 0..1; default 0.8. */
  confidence?: number;
  /** 'zh': a Chinese template (src/extraction/offline/zh/templates.ts); default English. */
  language?: 'en' | 'zh';
}

export interface RoleDefinition {
  /** Words as written in text, lower case ("chief executive officer", "ceo"). */
  phrases: string[];
  /** The role property value; defaults to the phrase as matched. */
  canonical?: string;
  /** A role that implies another relation ("founder" → FOUNDED) instead of the pattern's own. */
  relation?: string;
  /** May be followed by "of <department>" ("head of engineering"). */
  qualifiable?: boolean;
  /** 'zh': a Chinese role, matched in Chinese sentences only; default English. */
  language?: 'en' | 'zh';
}

export interface PatternFile {
  $schema?: string;
  description?: string;
  roles?: RoleDefinition[];
  departments?: string[];
  patterns?: RelationPattern[];
}

/** What the extractor runs with: built-ins merged with a user's file. */
export interface PatternSet {
  patterns: RelationPattern[];
  roles: RoleDefinition[];
  departments: string[];
}

/** A slot of a compiled expression: which named group it fills and what it requires. */
export interface SlotConstraint {
  group: 'subject' | 'object';
  /** Written `$subject's`: the slot's last word must be a possessive ("Acme's CEO"). */
  possessive: boolean;
}

export interface CompiledExpression {
  template: string;
  /** The compromise match expression the template compiles to. */
  expression: string;
  regs: object[];
  constraints: SlotConstraint[];
  /** The variant that skips an aside after $subject. */
  skipsAside: boolean;
  /**
   * What a sentence must contain for the expression to match, one item of each set: words as
   * themselves, tags as "#Tag" (a cheap pre-filter; compromise's own needs only single words).
   */
  requirements: ReadonlyArray<ReadonlySet<string>>;
}

export interface CompiledPattern {
  pattern: RelationPattern;
  subjectTypes: ReadonlySet<NodeType>;
  objectTypes: ReadonlySet<NodeType>;
  expressions: CompiledExpression[];
  confidence: number;
}

/** Tags the recogniser puts on words before patterns run; templates and raw expressions may use them. */
export const TAGS = {
  Person: 'KgPerson',
  Organization: 'KgOrganization',
  Place: 'KgPlace',
  /** A place that is a country or a region (state, province). */
  region: 'KgRegion',
  unknown: 'KgUnknown',
  join: 'KgJoin',
  /** A comma-delimited aside between a subject and its verb. */
  aside: 'KgAside',
  role: 'KgRole',
  /** "of" inside a role ("head of research") and the words after it. */
  roleOf: 'KgRoleOf',
  roleQualifier: 'KgRoleQualifier',
  Date: 'KgDate',
  Money: 'KgMoney',
  Percent: 'KgPercent',
  Quantity: 'KgQuantity',
} as const;

const VALUE_SLOTS: Record<string, string> = {
  role: `#${TAGS.role}+ #${TAGS.roleOf}? #${TAGS.roleQualifier}+?`,
  date: `#${TAGS.Date}+`,
  money: `#${TAGS.Money}+`,
  percent: `#${TAGS.Percent}+`,
  quantity: `#${TAGS.Quantity}+`,
};

export const BUILTIN_PATTERNS_FILE = path.join(SCHEMA_DIR, 'extraction-patterns.json');
export const PATTERNS_SCHEMA_FILE = path.join(SCHEMA_DIR, 'extraction-patterns.schema.json');


function describeErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .slice(0, 5)
    .map((e) => `${e.instancePath || '(root)'} ${e.message ?? 'is invalid'}${e.params && 'allowedValues' in e.params ? ` (${(e.params.allowedValues as unknown[]).join(', ')})` : ''}`)
    .join('; ');
}

/** Validates parsed JSON against the schema and compiles every template; throws ConfigError naming `source`. */
export function parsePatternFile(data: unknown, source: string): PatternFile {
  const validate = schemaValidator<PatternFile>('extraction-patterns.schema.json');
  if (!validate(data)) {
    throw new ConfigError(`Invalid extraction patterns file ${source}: ${describeErrors(validate.errors)}`);
  }
  const file = data;
  const ids = new Set<string>();
  for (const pattern of file.patterns ?? []) {
    if (ids.has(pattern.id)) throw new ConfigError(`Invalid extraction patterns file ${source}: pattern id "${pattern.id}" appears twice`);
    ids.add(pattern.id);
    try {
      if (pattern.language === 'zh') compileZhPattern(pattern);
      else compilePattern(pattern);
    } catch (err) {
      throw new ConfigError(`Invalid extraction patterns file ${source}: pattern "${pattern.id}": ${errorMessage(err)}`, { cause: err });
    }
  }
  for (const role of file.roles ?? []) {
    if (role.relation !== undefined && !isSafeRelType(role.relation)) {
      throw new ConfigError(`Invalid extraction patterns file ${source}: role "${role.phrases[0]}" names relation "${role.relation}", which is not a usable relationship type`);
    }
  }
  return file;
}

export async function loadPatternFile(file: string): Promise<PatternFile> {
  let data: unknown;
  try {
    data = await readJsonFile(file);
  } catch (err) {
    const e = err as JsonFileError;
    throw new ConfigError(
      e.reason === 'unreadable'
        ? `Cannot read extraction patterns file ${file}: ${e.detail}`
        : `Invalid extraction patterns file ${file}: not valid JSON (${e.detail})`,
      { cause: err },
    );
  }
  return parsePatternFile(data, file);
}

let builtins: PatternSet | undefined;
/**
 * The built-in patterns, roles and departments, read once. Not validated at run time: the shipped
 * file is validated and compiled by test/unit/extraction-offline.test.ts, and a document answer
 * that only wants its role phrases should not load ajv and compromise for it.
 */
export function builtinPatternSet(): PatternSet {
  if (!builtins) {
    const file = JSON.parse(readFileSync(BUILTIN_PATTERNS_FILE, 'utf8')) as PatternFile;
    builtins = { patterns: file.patterns ?? [], roles: file.roles ?? [], departments: file.departments ?? [] };
  }
  return builtins;
}

/** Built-ins plus a user's file: a user pattern with a built-in's id replaces it; roles and departments add up. */
export function mergePatternSets(base: PatternSet, extra: PatternFile): PatternSet {
  const byId = new Map(base.patterns.map((p) => [p.id, p]));
  for (const pattern of extra.patterns ?? []) byId.set(pattern.id, pattern);
  return {
    patterns: [...byId.values()],
    roles: [...base.roles, ...(extra.roles ?? [])],
    departments: [...new Set([...base.departments, ...(extra.departments ?? [])])],
  };
}

function typesOf(value: NodeType | NodeType[]): ReadonlySet<NodeType> {
  return new Set(Array.isArray(value) ? value : [value]);
}

/** `(#KgPerson|#KgUnknown|#KgJoin)+`: one entity of the slot's types, or a list of them. */
function entitySlot(name: 'subject' | 'object', types: ReadonlySet<NodeType>, optional: boolean): string {
  const tags = [...types].map((t) => `#${TAGS[t]}`).concat(`#${TAGS.unknown}`, `#${TAGS.join}`);
  return `[<${name}>(${tags.join('|')})+]${optional ? '?' : ''}`;
}

const SLOT = /(^|[\s[])\$([A-Za-z]+)('s)?(\?)?(?=$|[\s\]])/g;

/** Compiles one template into a compromise match expression; throws on unknown slots or misuse. */
export function compileTemplate(template: string, pattern: RelationPattern): CompiledExpression {
  const constraints: SlotConstraint[] = [];
  const subjectTypes = typesOf(pattern.subject);
  const objectTypes = typesOf(pattern.object);
  let depth = 0;
  for (const ch of template) {
    if (ch === '(') depth += 1;
    if (ch === ')') depth -= 1;
  }
  if (depth !== 0) throw new Error(`unbalanced parentheses in "${template}"`);
  // compromise reads "#Tag*" as a wildcard, not as "zero or more #Tag".
  const star = /#[A-Za-z]+\*/.exec(template);
  if (star) throw new Error(`"${star[0]}" in "${template}" does not mean zero or more; write "${star[0].slice(0, -1)}+?"`);
  const expression = template.replace(SLOT, (_all, lead: string, name: string, possessive: string | undefined, optional: string | undefined, offset: number) => {
    if (insideParentheses(template, offset)) {
      throw new Error(`slot $${name} cannot sit inside ( ) in "${template}" (compromise cannot capture inside alternatives); write $${name}? to make it optional`);
    }
    if (name === 'subject' || name === 'object') {
      constraints.push({ group: name, possessive: possessive !== undefined });
      return lead + entitySlot(name, name === 'subject' ? subjectTypes : objectTypes, optional !== undefined);
    }
    const regs = VALUE_SLOTS[name];
    if (!regs) throw new Error(`unknown slot $${name} in "${template}" (known: $subject, $object, ${Object.keys(VALUE_SLOTS).map((s) => '$' + s).join(', ')})`);
    if (possessive) throw new Error(`$${name}'s is only allowed for $subject and $object`);
    return `${lead}[<${name}>${regs}]${optional ?? ''}`;
  });
  for (const group of ['subject', 'object']) {
    if (!expression.includes(`[<${group}>`)) throw new Error(`"${template}" has no $${group} (or [<${group}>...] group)`);
  }
  const regs = compromise().parseMatch(expression);
  if (regs.length === 0) throw new Error(`"${template}" is not a usable match expression`);
  return { template, expression, regs, constraints, skipsAside: template.includes(`#${TAGS.aside}`), requirements: requirements(regs) };
}

interface ParsedReg {
  word?: string;
  tag?: string;
  optional?: boolean;
  negative?: boolean;
  operator?: string;
  fastOr?: Set<string>;
  choices?: ParsedReg[][];
}

/** A reg's literal form for the pre-filter: "word" or "#Tag"; undefined when it is neither. */
function literal(reg: ParsedReg | undefined): string | undefined {
  if (!reg || reg.optional || reg.negative || reg.operator === 'and') return undefined;
  if (reg.word) return reg.word;
  if (reg.tag) return `#${reg.tag}`;
  return undefined;
}

/**
 * For each mandatory reg, the words or tags one of which a sentence must hold for the expression
 * to match ("acquired|bought|purchased", "#KgPerson|#KgUnknown|#KgJoin").
 */
function requirements(regs: object[]): Array<Set<string>> {
  const sets: Array<Set<string>> = [];
  for (const reg of regs as ParsedReg[]) {
    if (reg.optional || reg.negative) continue;
    const single = literal(reg);
    if (single) {
      sets.push(new Set([single]));
    } else if (reg.operator === 'or') {
      const items = new Set<string>(reg.fastOr ? [...reg.fastOr] : []);
      let complete = true;
      for (const choice of reg.choices ?? []) {
        const first = literal(choice[0]);
        if (first) items.add(first);
        else complete = false;
      }
      if (complete && items.size > 0) sets.push(items);
    }
  }
  return sets;
}

function insideParentheses(text: string, offset: number): boolean {
  let depth = 0;
  for (let i = 0; i < offset; i += 1) {
    if (text[i] === '(') depth += 1;
    else if (text[i] === ')') depth -= 1;
  }
  return depth > 0;
}

export function compilePattern(pattern: RelationPattern): CompiledPattern {
  if (!isSafeRelType(pattern.relation)) throw new Error(`"${pattern.relation}" is not a usable relationship type`);
  const expressions = pattern.match.flatMap((template) => {
    const plain = compileTemplate(template, pattern);
    // "X, a Denver-based firm, acquired Y": a template that starts with $subject also runs with an aside skipped.
    if (!/^\$subject\s/.test(template)) return [plain];
    return [plain, compileTemplate(template.replace(/^\$subject/, `$subject #${TAGS.aside}+`), pattern)];
  });
  const groups = new Set(expressions.flatMap((e) => [...e.expression.matchAll(/\[<([A-Za-z]+)>/g)].map((m) => m[1]!)));
  for (const [key, value] of Object.entries(pattern.properties ?? {})) {
    if (typeof value === 'string' && value.startsWith('$') && !groups.has(value.slice(1))) {
      throw new Error(`property "${key}" takes ${value}, which no template captures`);
    }
  }
  return {
    pattern,
    subjectTypes: typesOf(pattern.subject),
    objectTypes: typesOf(pattern.object),
    expressions,
    confidence: pattern.confidence ?? 0.8,
  };
}
