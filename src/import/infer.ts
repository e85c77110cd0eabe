import path from 'node:path';
import { RESERVED_PROPERTIES, isSafeLabel, isSafePropertyKey, isSafeRelType, toLabel, toPropertyKey, toRelType } from '../graph/names.ts';
import { DEFAULT_DATE_FORMAT, coerceValue, isEmpty, toText } from './coerce.ts';
import { ImportError } from './errors.ts';
import { validateMapping, type DataFormat, type FieldType } from './mapping.ts';
import { openRecords, sniffDelimiter, type ReadOptions } from './readers.ts';

/**
 * `kgrag import <file> --infer`: proposes a mapping from the header and a sample of rows, for
 * the user to check and edit. Every guess is a heuristic and the notes say which ones matter.
 */

/** A mapping as written in a mapping file (defaults left out). */
export interface MappingDocument {
  label: string;
  entityType?: string;
  key: string;
  nameField?: string;
  aliasFields?: string[];
  properties: Record<string, { field: string; type: FieldType; format?: string }>;
  relationships: Array<{ type: string; field: string; target: { label: string; key?: string }; direction: 'out' | 'in' }>;
  format?: DataFormat;
  sheet?: string;
  records?: string;
  delimiter?: string;
}

export interface InferResult {
  mapping: MappingDocument;
  notes: string[];
  sampled: number;
}

export interface InferOptions extends ReadOptions {
  /** Rows to sample (default 1000). */
  sampleSize?: number;
}

const NAME_COLUMNS = ['name', 'full name', 'fullname', 'display name', 'title', 'label', 'company name', 'organization name', 'organisation name', 'product name', 'project name', 'subject'];
const ALIAS_COLUMNS = ['alias', 'aliases', 'aka', 'also known as', 'nickname', 'short name', 'abbreviation', 'acronym', 'other names'];
const KEY_COLUMNS = ['id', 'key', 'code', 'uuid', 'guid', 'identifier'];
/** Foreign keys that point back at the file's own records. */
const SELF_REFERENCES: Record<string, string> = {
  manager: 'REPORTS_TO',
  supervisor: 'REPORTS_TO',
  boss: 'REPORTS_TO',
  reports_to: 'REPORTS_TO',
  parent: 'CHILD_OF',
  depends_on: 'DEPENDS_ON',
  predecessor: 'FOLLOWS',
};
const PERSON_FOREIGN_KEYS: Record<string, string> = {
  assignee: 'ASSIGNED_TO',
  assigned_to: 'ASSIGNED_TO',
  owner: 'OWNED_BY',
  author: 'WRITTEN_BY',
  creator: 'CREATED_BY',
  reporter: 'REPORTED_BY',
  lead: 'LED_BY',
};
const ENTITY_TYPES: Record<string, string> = {
  Person: 'Person', People: 'Person', Employee: 'Person', Staff: 'Person', User: 'Person', Contact: 'Person', Author: 'Person',
  Member: 'Person', Student: 'Person', Teacher: 'Person', Customer: 'Person', Patient: 'Person',
  Company: 'Organization', Organization: 'Organization', Organisation: 'Organization', Vendor: 'Organization',
  Supplier: 'Organization', Partner: 'Organization', Client: 'Organization',
  City: 'Place', Country: 'Place', Location: 'Place', Place: 'Place', Site: 'Place',
};
const DATE_FORMATS = ['YYYY-MM-DD', 'DD/MM/YYYY', 'MM/DD/YYYY', 'DD.MM.YYYY', 'YYYY/MM/DD', 'DD-MM-YYYY'];

export async function inferMapping(file: string, options: InferOptions = {}): Promise<InferResult> {
  const source = await openRecords(file, options);
  const sampleSize = options.sampleSize ?? 1000;
  const rows: Array<Map<string, unknown>> = [];
  const fieldOrder = new Set(source.columns ?? []);
  for await (const record of source.records) {
    if (!('values' in record)) continue;
    rows.push(record.values);
    for (const k of record.values.keys()) fieldOrder.add(k);
    if (rows.length >= sampleSize) break;
  }
  const fields = [...fieldOrder];
  if (fields.length === 0) throw new ImportError('FIELD_MISSING', `${path.basename(file)} has no columns or fields to infer a mapping from`);

  const notes: string[] = [];
  const label = labelFromFile(file);
  const column = (field: string) => rows.map((r) => r.get(field));
  const key = pickKey(fields, label, column);
  if (!key.unique) notes.push(`No column has a unique value in every sampled row; "${key.field}" was chosen as key: check it.`);
  const nameField = fields.find((f) => f !== key.field && NAME_COLUMNS.includes(words(f)));
  if (!nameField) notes.push('No name column found: records will be named by their key. Set "nameField" if one column holds names.');
  const aliasFields = fields.filter((f) => ALIAS_COLUMNS.includes(words(f)));

  const relationships: MappingDocument['relationships'] = [];
  const properties: MappingDocument['properties'] = {};
  const used = new Set<string>();
  for (const field of fields) {
    if (field === nameField || aliasFields.includes(field)) continue;
    const relationship = field !== key.field ? foreignKey(field, label, key.field) : undefined;
    if (relationship) {
      relationships.push(relationship);
      continue;
    }
    const typed = inferType(column(field));
    const prop = propertyName(field, label, used);
    properties[prop] = { field, type: typed.type, ...(typed.format ? { format: typed.format } : {}) };
    if (typed.note) notes.push(`${field}: ${typed.note}`);
  }
  if (relationships.length > 0) {
    notes.push('Relationships were guessed from *_id columns: check each type and target label (the label the target file is imported with).');
  }

  const entityType = ENTITY_TYPES[label];
  const mapping: MappingDocument = {
    label,
    ...(entityType && entityType !== label ? { entityType } : {}),
    key: key.field,
    ...(nameField ? { nameField } : {}),
    ...(aliasFields.length ? { aliasFields } : {}),
    properties,
    relationships,
    ...(options.format ? { format: options.format } : {}),
    ...(options.sheet ? { sheet: options.sheet } : {}),
    ...(options.records ? { records: options.records } : {}),
    ...(source.format === 'csv' ? await delimiterSetting(file, options) : {}),
  };
  // The proposal must itself be a valid mapping.
  validateMapping(mapping, `inferred from ${path.basename(file)}`);
  return { mapping, notes, sampled: rows.length };
}

async function delimiterSetting(file: string, options: ReadOptions): Promise<{ delimiter?: string }> {
  const delimiter = options.delimiter ?? (await sniffDelimiter(file, options.skipRows ?? 0));
  return delimiter === ',' ? {} : { delimiter };
}

/** "employees.csv" → "Employee", "project_tasks.xlsx" → "ProjectTask". */
export function labelFromFile(file: string): string {
  const base = path.basename(file).replace(/\.[^.]+$/, '');
  const parts = base.split(/[^A-Za-z0-9]+/).filter(Boolean);
  if (parts.length > 0) parts[parts.length - 1] = singular(parts[parts.length - 1]!);
  const phrase = parts.join(' ');
  if (/^[0-9]/.test(phrase)) parts.unshift('record');
  // toLabel refuses kgrag's own labels: "documents.csv" becomes DocumentRecord.
  for (const candidate of [parts.join(' '), `${parts.join(' ')} record`]) {
    try {
      const label = toLabel(candidate);
      if (isSafeLabel(label)) return label;
    } catch {
      // try the next candidate
    }
  }
  return 'Record';
}

const IRREGULAR: Record<string, string> = { people: 'person', children: 'child', men: 'man', women: 'woman', data: 'data', staff: 'staff', series: 'series' };

/** English singular of a plural noun, for the common cases. */
export function singular(word: string): string {
  const lower = word.toLowerCase();
  const irregular = IRREGULAR[lower];
  let out: string;
  if (irregular) out = irregular;
  else if (/ies$/.test(lower) && lower.length > 4) out = lower.slice(0, -3) + 'y';
  else if (/(ss|x|ch|sh|zz)es$/.test(lower)) out = lower.slice(0, -2);
  else if (/ses$/.test(lower)) out = lower.slice(0, -1);
  else if (/[^su]s$/.test(lower)) out = lower.slice(0, -1);
  else out = lower;
  // Keep the original capitalisation of the first letter.
  return word[0] === word[0]!.toUpperCase() ? out[0]!.toUpperCase() + out.slice(1) : out;
}

/** Lower-case words of a column name: "Full_Name" → "full name", "hireDate" → "hire date". */
function words(field: string): string {
  return field
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .join(' ')
    .toLowerCase();
}

function pickKey(fields: string[], label: string, column: (f: string) => unknown[]): { field: string; unique: boolean } {
  const isUnique = (f: string) => {
    const values = column(f);
    if (values.length === 0 || values.some(isEmpty)) return false;
    return new Set(values.map(keyText)).size === values.length;
  };
  const own = words(label);
  const ranked = [
    ...fields.filter((f) => KEY_COLUMNS.includes(words(f))),
    ...fields.filter((f) => words(f) === `${own} id` || words(f) === `${own} key` || words(f) === `${own} code`),
    ...fields.filter((f) => / (id|key|code|number|no)$/.test(words(f)) && !foreignKeyBase(f, label)),
    ...fields,
  ];
  const unique = ranked.find(isUnique);
  return unique ? { field: unique, unique: true } : { field: ranked[0]!, unique: false };
}

/** "manager_id" → "manager"; undefined when the column is not named like a foreign key. */
function keyText(v: unknown): string {
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' || v instanceof Date) return toText(v);
  return JSON.stringify(v);
}

function foreignKeyBase(field: string, label: string): string | undefined {
  const w = words(field).split(' ');
  if (w.length < 2 || w[w.length - 1] !== 'id') return undefined;
  const base = w.slice(0, -1).join('_');
  return base === words(label).replace(/ /g, '_') ? undefined : base;
}

function foreignKey(field: string, label: string, keyField: string): MappingDocument['relationships'][number] | undefined {
  const base = foreignKeyBase(field, label);
  if (!base) return undefined;
  const self = SELF_REFERENCES[base];
  if (self) return { type: self, field, target: { label, key: keyField }, direction: 'out' };
  // "acquired_by_id": a verb phrase names the relationship; the target is most likely the same kind.
  if (base.endsWith('_by')) {
    try {
      return { type: toRelType(base), field, target: { label, key: keyField }, direction: 'out' };
    } catch {
      return undefined;
    }
  }
  const personType = PERSON_FOREIGN_KEYS[base];
  if (personType) return { type: personType, field, target: { label: 'Person' }, direction: 'out' };
  let target: string;
  let type: string;
  try {
    target = toLabel(singular(base));
    type = toRelType(`has ${base}`);
  } catch {
    return undefined;
  }
  if (!isSafeLabel(target) || !isSafeRelType(type)) return undefined;
  return { type, field, target: { label: target, key: field }, direction: 'out' };
}

function propertyName(field: string, label: string, used: Set<string>): string {
  let name: string;
  try {
    name = toPropertyKey(field);
  } catch {
    name = 'field';
  }
  if (!isSafePropertyKey(name)) name = `field${name.replace(/[^A-Za-z0-9_]/g, '')}`.slice(0, 64);
  if (RESERVED_PROPERTIES.has(name)) name = toPropertyKey(`${label} ${name}`);
  let unique = name;
  for (let i = 2; used.has(unique); i++) unique = `${name}${i}`;
  used.add(unique);
  return unique;
}

interface TypeGuess {
  type: FieldType;
  format?: string;
  note?: string;
}

const BOOLEAN_WORDS = /^(true|false|yes|no)$/i;
/** At least this share of sampled values must fit a type that not all of them fit. */
const MOSTLY = 0.9;

/**
 * The narrowest type every non-empty sampled value fits; failing that, a type nine in ten values
 * fit (the rest are probably typos, which the import will report row by row), with a note.
 */
export function inferType(values: unknown[]): TypeGuess {
  const present = values.filter((v) => !isEmpty(v));
  if (present.length === 0) return { type: 'string', note: 'empty in every sampled row; typed as string' };
  if (present.every((v) => v instanceof Date)) {
    const midnight = present.every((v) => (v as Date).toISOString().endsWith('T00:00:00.000Z'));
    return { type: midnight ? 'date' : 'datetime' };
  }
  const candidates = typeCandidates(present);
  const share = (c: TypeGuess) => present.filter((v) => coerceValue(v, c).ok).length / present.length;
  const exact = candidates.find((c) => share(c) === 1);
  if (exact) return exact;
  for (const c of candidates) {
    const fit = share(c);
    if (fit >= MOSTLY) {
      const misfits = Math.round((1 - fit) * present.length);
      return { ...c, note: `${misfits} of ${present.length} sampled values are not ${c.type === 'integer' ? 'an integer' : `a ${c.type}`}${c.format ? ` (${c.format})` : ''}; typed as ${c.type} anyway: those rows will be reported` };
    }
  }
  return { type: 'string' };
}

/** Types to try, narrowest first. */
function typeCandidates(present: unknown[]): TypeGuess[] {
  const texts = present.map((v) => (typeof v === 'string' ? v.trim() : v));
  // Leading zeros ("007", zip codes, phone numbers) are identifiers, not numbers.
  const leadingZero = texts.some((v) => typeof v === 'string' && /^[+-]?0\d/.test(v));
  const hasBooleanWord = texts.some((v) => typeof v === 'boolean' || (typeof v === 'string' && BOOLEAN_WORDS.test(v)));
  const candidates: TypeGuess[] = [];
  if (hasBooleanWord) candidates.push({ type: 'boolean' });
  if (!leadingZero) candidates.push({ type: 'integer' }, { type: 'float' });
  const dateFormats = DATE_FORMATS.filter((format) => present.some((v) => coerceValue(v, { type: 'date', format }).ok));
  for (const format of dateFormats) {
    const ambiguous = format === 'DD/MM/YYYY' && dateFormats.includes('MM/DD/YYYY') && present.every((v) => coerceValue(v, { type: 'date', format: 'MM/DD/YYYY' }).ok);
    candidates.push({
      type: 'date',
      ...(format !== DEFAULT_DATE_FORMAT ? { format } : {}),
      ...(ambiguous ? { note: 'dates fit both DD/MM/YYYY and MM/DD/YYYY; DD/MM/YYYY was chosen: check it' } : {}),
    });
  }
  candidates.push({ type: 'datetime' });
  return candidates;
}
