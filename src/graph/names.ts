import { InputError } from '../errors.ts';
import { quoteName } from './cypher.ts';

/**
 * Labels, relationship types and property keys that come from data (extraction, imports, user
 * schemas) are normalised to a safe shape and checked against it before they are quoted into
 * Cypher; anything that does not fit is rejected rather than escaped into something surprising.
 */
const LABEL = /^[A-Z][A-Za-z0-9]{0,63}$/;
const REL_TYPE = /^[A-Z][A-Z0-9_]{0,63}$/;
const PROPERTY = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

/**
 * kgrag's entities live in a namespace of their own, so that they and a graph kgrag did not build
 * can share one database: every entity carries `KgragEntity`, and its type as `Kgrag_<Type>`
 * (`Kgrag_Person`), never a bare `Person` or `Entity` that a user's constraints or queries would
 * also apply to. The schema catalog shows `Kgrag_Person` as `Person` (see `presentedLabel`). The
 * same names are written literally in cypher/ (`'Kgrag_' + …`, `:KgragEntity`).
 */
export const ENTITY_LABEL = 'KgragEntity';
export const TYPE_LABEL_PREFIX = 'Kgrag_';
/** kgrag's bookkeeping node. */
export const META_LABEL = 'KgragMeta';

/** The stored label of an entity type: `Person` → `Kgrag_Person`. */
export function storedLabel(type: string): string {
  return TYPE_LABEL_PREFIX + type;
}

/** The label a stored kgrag type label stands for (`Kgrag_Person` → `Person`); other labels are their own. */
export function presentedLabel(stored: string): string {
  return stored.startsWith(TYPE_LABEL_PREFIX) && stored.length > TYPE_LABEL_PREFIX.length ? stored.slice(TYPE_LABEL_PREFIX.length) : stored;
}

/** A label in kgrag's own namespace (its entities' labels and bookkeeping), never a user's. */
export function isKgragLabel(label: string): boolean {
  return label === ENTITY_LABEL || label === META_LABEL || label.startsWith(TYPE_LABEL_PREFIX);
}

/** Labels kgrag owns: data may never claim them (a record labelled "Chunk" would corrupt search). */
export const RESERVED_LABELS: ReadonlySet<string> = new Set(['Document', 'Chunk', 'Entity', ENTITY_LABEL, META_LABEL]);
/** Relationship types kgrag owns. */
export const RESERVED_REL_TYPES: ReadonlySet<string> = new Set(['PART_OF', 'NEXT', 'MENTIONS']);
/** Properties kgrag owns on entity nodes and relationships. */
export const RESERVED_PROPERTIES: ReadonlySet<string> = new Set([
  'id', 'collection', 'type', 'name', 'normalizedName', 'aliases', 'facts', 'sources', 'documentIds',
  'importSources', 'importKey', 'embedding', 'createdAt', 'updatedAt',
]);

function words(raw: string): string[] {
  return raw
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

/** "project task" / "project_task" / "ProjectTask" → "ProjectTask". */
export function toLabel(raw: string): string {
  const label = words(raw)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
  if (!LABEL.test(label)) throw new InputError(`"${raw}" cannot be used as a node label`);
  if (RESERVED_LABELS.has(label) || label.startsWith('Kgrag')) throw new InputError(`"${label}" is a label kgrag reserves for itself`);
  return label;
}

/** "works for" / "worksFor" / "WORKS-FOR" → "WORKS_FOR". */
export function toRelType(raw: string): string {
  const type = words(raw).join('_').toUpperCase();
  if (!REL_TYPE.test(type)) throw new InputError(`"${raw}" cannot be used as a relationship type`);
  if (RESERVED_REL_TYPES.has(type)) throw new InputError(`"${type}" is a relationship type kgrag reserves for itself`);
  return type;
}

/** "Due date" / "due-date" / "dueDate" → "dueDate". */
export function toPropertyKey(raw: string): string {
  const parts = words(raw);
  const key = parts.map((w, i) => (i === 0 ? w[0]!.toLowerCase() + w.slice(1) : w[0]!.toUpperCase() + w.slice(1))).join('');
  if (!PROPERTY.test(key)) throw new InputError(`"${raw}" cannot be used as a property name`);
  return key;
}

export function isSafeLabel(label: string): boolean {
  return LABEL.test(label) && !RESERVED_LABELS.has(label) && !label.startsWith('Kgrag');
}

export function isSafeRelType(type: string): boolean {
  return REL_TYPE.test(type) && !RESERVED_REL_TYPES.has(type);
}

export function isSafePropertyKey(key: string): boolean {
  return PROPERTY.test(key);
}

/** `(:Person)-[:REPORTS_TO]->(:Person)`, names quoted only where Cypher would need it. */
export function patternName(p: { from: string; to: string; type: string }): string {
  return `(:${displayName(p.from)})-[:${displayName(p.type)}]->(:${displayName(p.to)})`;
}

/** A label or type as written in Cypher: bare when it can be, else backtick-quoted. */
export function displayName(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : quoteName(name);
}
