import { fact, factSourceMarker, importSource } from '../domain/facts.ts';
import { entityId, normalizeName } from '../resolution/normalize.ts';
import { coerceValue, isEmpty, quote, toText, type Coerced } from './coerce.ts';
import type { Mapping, PropertyMapping, RelationshipMapping } from './mapping.ts';

/**
 * Turns one source record into the parameter rows of the import statements: the node row (key,
 * name, typed properties, facts) and one link row per relationship mapping. Pure and
 * deterministic, so the relationship pass can prepare the same record again instead of holding
 * every row of a large file in memory.
 */

/** Separates the parts of a fact: "<property>␟<value as JSON>␟<source>". */

export interface NodeRow {
  row: number;
  id: string;
  importKey: string;
  name: string;
  normalizedName: string;
  aliases: string[];
  /** Normalised aliases, as entity resolution stores them. */
  aliasKeys: string[];
  props: Record<string, Coerced>;
  facts: string[];
  /** Only one record per normalised name and batch may adopt an extracted entity. */
  mayAdopt: boolean;
}

export interface LinkTarget {
  key: string;
  importKey: string;
}

export interface LinkRow {
  row: number;
  importKey: string;
  targets: LinkTarget[];
  targetKeys: string[];
  props: Record<string, Coerced>;
}

export interface PrepareContext {
  collection: string;
  /** File base name, as recorded in importSources and fact sources. */
  source: string;
  fieldNoun: 'column' | 'field';
}

export type Prepared =
  | { ok: true; key: string; node: NodeRow; links: LinkRow[] }
  | { ok: false; key: string | undefined; errors: string[] };

export function importKeyOf(label: string, key: string): string {
  return `${label}:${key}`;
}

/** What identifies this file's facts among all facts of a node. */
export function fileFactMarker(source: string): string {
  return factSourceMarker(`import:${source}#`);
}

export function prepareRecord(values: Map<string, unknown>, row: number, mapping: Mapping, ctx: PrepareContext): Prepared {
  const errors: string[] = [];
  const at = (field: string) => `row ${row}, ${ctx.fieldNoun} ${field}`;

  const key = scalarText(values.get(mapping.key));
  if (key === undefined) errors.push(`${at(mapping.key)}: ${isEmpty(values.get(mapping.key)) ? 'the key is empty' : 'the key must be a single value'}`);

  const props = coerceAll(values, mapping.properties, at, errors);
  const links = mapping.relationships.map((rel) => prepareLink(values, rel, row, at, errors));
  if (key === undefined || errors.length > 0) return { ok: false, key, errors };

  const importKey = importKeyOf(mapping.label, key);
  const name = (mapping.nameField ? scalarText(values.get(mapping.nameField)) : undefined) ?? key;
  const aliases = aliasesOf(values, mapping.aliasFields, name);
  const factSource = importSource(ctx.source, row);
  const facts = [fact('name', name, factSource)];
  for (const [prop, value] of Object.entries(props)) if (value !== null) facts.push(fact(prop, value, factSource));

  return {
    ok: true,
    key,
    node: {
      row,
      id: entityId(ctx.collection, mapping.entityType, importKey),
      importKey,
      name,
      normalizedName: normalizeName(name, mapping.entityType),
      aliases,
      aliasKeys: [...new Set(aliases.map((a) => normalizeName(a, mapping.entityType)).filter(Boolean))].sort(),
      props,
      facts,
      mayAdopt: true,
    },
    links: withSharedTargetKeys(links, mapping.relationships).map((l) => ({ ...l, importKey })),
  };
}

/**
 * Two columns may feed the same relationship type in the same direction (reviewer_1, reviewer_2):
 * each must then keep the other's targets when withdrawing what the row no longer names.
 */
function withSharedTargetKeys<T extends { targetKeys: string[] }>(links: T[], rels: RelationshipMapping[]): T[] {
  const groupOf = (i: number) => `${rels[i]!.type}\u0000${rels[i]!.direction}`;
  const keysByGroup = new Map<string, Set<string>>();
  links.forEach((link, i) => {
    const keys = keysByGroup.get(groupOf(i)) ?? new Set<string>();
    for (const k of link.targetKeys) keys.add(k);
    keysByGroup.set(groupOf(i), keys);
  });
  return links.map((link, i) => ({ ...link, targetKeys: [...keysByGroup.get(groupOf(i))!] }));
}

function coerceAll(
  values: Map<string, unknown>,
  specs: Record<string, PropertyMapping>,
  at: (field: string) => string,
  errors: string[],
): Record<string, Coerced> {
  const out: Record<string, Coerced> = {};
  for (const [prop, spec] of Object.entries(specs)) {
    const result = coerceValue(values.get(spec.field), spec);
    if (!result.ok) errors.push(`${at(spec.field)}: ${result.reason}`);
    else if (result.value === null && spec.required) errors.push(`${at(spec.field)}: a value is required`);
    else out[prop] = result.value;
  }
  return out;
}

function prepareLink(
  values: Map<string, unknown>,
  rel: RelationshipMapping,
  row: number,
  at: (field: string) => string,
  errors: string[],
): Omit<LinkRow, 'importKey'> {
  const keys = foreignKeys(values.get(rel.field), rel.separator);
  if (keys === undefined) errors.push(`${at(rel.field)}: ${quote(values.get(rel.field))} is not a key or a list of keys`);
  const targets = (keys ?? []).map((key) => ({ key, importKey: importKeyOf(rel.target.label, key) }));
  return {
    row,
    targets,
    targetKeys: targets.map((t) => t.importKey),
    props: coerceAll(values, rel.properties, at, errors),
  };
}

/** "E1;E2" with separator ";" (or a JSON array) → ["E1", "E2"]; empty → []; undefined when unusable. */
function foreignKeys(raw: unknown, separator: string | undefined): string[] | undefined {
  if (isEmpty(raw)) return [];
  const parts: unknown[] = Array.isArray(raw) ? raw : separator && typeof raw === 'string' ? raw.split(separator) : [raw];
  const keys: string[] = [];
  for (const part of parts) {
    if (isEmpty(part)) continue;
    const key = scalarText(part);
    if (key === undefined) return undefined;
    if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

function aliasesOf(values: Map<string, unknown>, fields: string[], name: string): string[] {
  const aliases: string[] = [];
  for (const field of fields) {
    const raw = values.get(field);
    for (const item of Array.isArray(raw) ? raw : [raw]) {
      const alias = scalarText(item);
      if (alias !== undefined && alias !== name && !aliases.includes(alias)) aliases.push(alias);
    }
  }
  return aliases;
}

/** A non-empty scalar as trimmed text; undefined for empty values, objects and lists. */
function scalarText(raw: unknown): string | undefined {
  if (isEmpty(raw)) return undefined;
  if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean' || raw instanceof Date) {
    const text = toText(raw);
    return text === '' ? undefined : text;
  }
  return undefined;
}
