import type { ErrorObject } from 'ajv';
import { readJsonFile, schemaValidator, type JsonFileError } from '../schemas.ts';
import {
  RESERVED_LABELS,
  RESERVED_PROPERTIES,
  RESERVED_REL_TYPES,
  isSafeLabel,
  isSafePropertyKey,
  isSafeRelType,
} from '../graph/names.ts';
import { errorMessage } from '../errors.ts';
import { ImportError, type MappingProblem } from './errors.ts';

/**
 * An import mapping: how the records of one file become Entity nodes and relationships.
 * The JSON Schema in schemas/mapping.schema.json is the user documentation; this module loads a
 * mapping file, validates it against that schema and against kgrag's naming rules, and returns
 * it with every default filled in.
 */

export const FIELD_TYPES = ['string', 'integer', 'float', 'boolean', 'date', 'datetime'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];
export type DataFormat = 'csv' | 'json' | 'jsonl' | 'xlsx';

export interface PropertyMapping {
  field: string;
  type: FieldType;
  required: boolean;
  /** date/datetime only, e.g. "DD/MM/YYYY". */
  format?: string;
}

export interface RelationshipMapping {
  type: string;
  field: string;
  target: { label: string; key?: string };
  direction: 'out' | 'in';
  separator?: string;
  properties: Record<string, PropertyMapping>;
}

export interface Mapping {
  label: string;
  /** Canonical type for entity resolution; `label` when the mapping names none. */
  entityType: string;
  key: string;
  nameField?: string;
  aliasFields: string[];
  properties: Record<string, PropertyMapping>;
  relationships: RelationshipMapping[];
  format?: DataFormat;
  sheet?: string;
  records?: string;
  skipRows: number;
  delimiter?: string;
}

/** Properties kgrag writes on imported relationships itself. */
const RESERVED_REL_PROPERTIES: ReadonlySet<string> = new Set(['sources', 'importSources', 'confidence', 'createdAt', 'updatedAt']);
const DATE_TOKENS = /YYYY|MM|DD|HH|mm|ss/g;

/** Human wording for the schema's name patterns (ajv only reports the regular expression). */
const PATTERN_HINTS: Record<string, string> = {
  '^[A-Z][A-Za-z0-9]{0,63}$': 'must be PascalCase letters and digits starting with a capital letter, at most 64 (e.g. "Employee")',
  '^[A-Z][A-Z0-9_]{0,63}$': 'must be UPPER_SNAKE_CASE letters, digits and "_" starting with a letter, at most 64 (e.g. "REPORTS_TO")',
  '^[A-Za-z][A-Za-z0-9_]{0,63}$': 'must be letters, digits and "_" starting with a letter, at most 64 (e.g. "hireDate")',
  '^(?:YYYY|MM|DD|HH|mm|ss|T|[^A-Za-z])+$':
    'may only use the tokens YYYY, MM, DD, HH, mm, ss, the letter T and non-letter separators (e.g. "DD/MM/YYYY")',
};



/** Reads and validates a mapping file; errors name the file and the JSON Pointer of each problem. */
export async function loadMapping(file: string): Promise<Mapping> {
  let raw: unknown;
  try {
    raw = await readJsonFile(file);
  } catch (err) {
    const e = err as JsonFileError;
    const message = e.reason === 'unreadable' ? `Cannot read mapping ${file}: ${e.detail}` : `Mapping ${file} is not valid JSON: ${e.detail}`;
    throw new ImportError('MAPPING_INVALID', message, { cause: err });
  }
  return validateMapping(raw, file);
}

/** Validates a parsed mapping (`source`, a file name, names it in messages) and fills in defaults. */
export function validateMapping(raw: unknown, source = ''): Mapping {
  const validate = schemaValidator('mapping.schema.json');
  if (!validate(raw)) {
    const problems = (validate.errors ?? []).filter((e) => e.keyword !== 'propertyNames').map(describeSchemaError);
    throw mappingError(source, dedupe(problems));
  }
  const mapping = withDefaults(raw as RawMapping);
  const problems = namingProblems(mapping);
  if (problems.length > 0) throw mappingError(source, problems);
  return mapping;
}

function mappingError(source: string, problems: MappingProblem[]): ImportError {
  const lines = problems.map((p) => `  ${p.path || '(root)'}: ${p.message}`);
  return new ImportError('MAPPING_INVALID', `Invalid mapping${source ? ` ${source}` : ''}:\n${lines.join('\n')}`, { problems });
}

// The schema has checked the shape; these types describe what it allows.
interface RawProperty {
  field: string;
  type: FieldType;
  required?: boolean;
  format?: string;
}
interface RawRelationship {
  type: string;
  field: string;
  target: { label: string; key?: string };
  direction?: 'out' | 'in';
  separator?: string;
  properties?: Record<string, RawProperty>;
}
interface RawMapping {
  label: string;
  entityType?: string;
  key: string;
  nameField?: string;
  aliasFields?: string[];
  properties?: Record<string, RawProperty>;
  relationships?: RawRelationship[];
  format?: DataFormat;
  sheet?: string;
  records?: string;
  skipRows?: number;
  delimiter?: string;
}

function withDefaults(raw: RawMapping): Mapping {
  return {
    label: raw.label,
    entityType: raw.entityType ?? raw.label,
    key: raw.key,
    ...(raw.nameField !== undefined ? { nameField: raw.nameField } : {}),
    aliasFields: raw.aliasFields ?? [],
    properties: propertiesWithDefaults(raw.properties),
    relationships: (raw.relationships ?? []).map((r) => ({
      type: r.type,
      field: r.field,
      target: { ...r.target },
      direction: r.direction ?? 'out',
      ...(r.separator !== undefined ? { separator: r.separator } : {}),
      properties: propertiesWithDefaults(r.properties),
    })),
    ...(raw.format !== undefined ? { format: raw.format } : {}),
    ...(raw.sheet !== undefined ? { sheet: raw.sheet } : {}),
    ...(raw.records !== undefined ? { records: raw.records } : {}),
    skipRows: raw.skipRows ?? 0,
    ...(raw.delimiter !== undefined ? { delimiter: raw.delimiter } : {}),
  };
}

function propertiesWithDefaults(raw: Record<string, RawProperty> | undefined): Record<string, PropertyMapping> {
  const out: Record<string, PropertyMapping> = {};
  for (const [name, p] of Object.entries(raw ?? {})) {
    out[name] = { field: p.field, type: p.type, required: p.required ?? false, ...(p.format !== undefined ? { format: p.format } : {}) };
  }
  return out;
}

/** What the schema cannot say: names kgrag reserves, and formats that fit their type. */
function namingProblems(m: Mapping): MappingProblem[] {
  const problems: MappingProblem[] = [];
  // The schema's patterns already check the shape of names; names.ts is the authority, so ask it too.
  const reservedLabel = (value: string, at: string) => {
    if (RESERVED_LABELS.has(value)) problems.push({ path: at, message: `"${value}" is a label kgrag reserves for itself` });
    else if (!isSafeLabel(value)) problems.push({ path: at, message: `"${value}" cannot be used as a node label` });
  };
  const unsafeProperty = (name: string, at: string) => {
    if (!isSafePropertyKey(name)) problems.push({ path: at, message: `"${name}" cannot be used as a property name` });
  };
  reservedLabel(m.label, '/label');
  if (m.entityType !== m.label) reservedLabel(m.entityType, '/entityType');
  for (const [name, spec] of Object.entries(m.properties)) {
    const at = `/properties/${pointerEscape(name)}`;
    unsafeProperty(name, at);
    if (RESERVED_PROPERTIES.has(name)) {
      const hint = name === 'name' ? ' (use nameField for the display name)' : name === 'aliases' ? ' (use aliasFields)' : '';
      problems.push({ path: at, message: `"${name}" is a property kgrag manages itself${hint}; choose another name` });
    }
    problems.push(...formatProblems(spec, at));
  }
  m.relationships.forEach((rel, i) => {
    const at = `/relationships/${i}`;
    if (RESERVED_REL_TYPES.has(rel.type)) {
      problems.push({ path: `${at}/type`, message: `"${rel.type}" is a relationship type kgrag reserves for itself` });
    } else if (!isSafeRelType(rel.type)) {
      problems.push({ path: `${at}/type`, message: `"${rel.type}" cannot be used as a relationship type` });
    }
    reservedLabel(rel.target.label, `${at}/target/label`);
    for (const [name, spec] of Object.entries(rel.properties)) {
      const propAt = `${at}/properties/${pointerEscape(name)}`;
      unsafeProperty(name, propAt);
      if (RESERVED_REL_PROPERTIES.has(name)) {
        problems.push({ path: propAt, message: `"${name}" is a relationship property kgrag manages itself; choose another name` });
      }
      problems.push(...formatProblems(spec, propAt));
    }
  });
  return problems;
}

function formatProblems(spec: PropertyMapping, at: string): MappingProblem[] {
  if (spec.format === undefined) return [];
  if (spec.type !== 'date' && spec.type !== 'datetime') {
    return [{ path: `${at}/format`, message: `a format applies to date and datetime properties only, not ${spec.type}` }];
  }
  const tokens: string[] = spec.format.match(DATE_TOKENS) ?? [];
  const missing = ['YYYY', 'MM', 'DD'].filter((t) => !tokens.includes(t));
  if (missing.length > 0) return [{ path: `${at}/format`, message: `"${spec.format}" lacks ${missing.join(', ')}` }];
  const repeated = tokens.filter((t, i) => tokens.indexOf(t) !== i);
  if (repeated.length > 0) return [{ path: `${at}/format`, message: `"${spec.format}" repeats ${repeated.join(', ')}` }];
  return [];
}

function describeSchemaError(e: ErrorObject): MappingProblem {
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { path: `${e.instancePath}/${pointerEscape(String(params.missingProperty))}`, message: 'is required' };
    case 'additionalProperties': {
      const allowed = Object.keys((e.parentSchema?.properties as Record<string, unknown> | undefined) ?? {});
      return {
        path: `${e.instancePath}/${pointerEscape(String(params.additionalProperty))}`,
        message: `is not a known setting here${allowed.length ? ` (known: ${allowed.join(', ')})` : ''}`,
      };
    }
    case 'enum':
      return {
        path: e.instancePath,
        message: `${JSON.stringify(e.data)} is not one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    case 'pattern': {
      const hint = PATTERN_HINTS[String(params.pattern)] ?? `must match ${String(params.pattern)}`;
      // A propertyNames violation: ajv names the offending key on the error itself.
      if (typeof e.propertyName === 'string') {
        return {
          path: `${e.instancePath}/${pointerEscape(e.propertyName)}`,
          message: `${JSON.stringify(e.propertyName)} is not a valid property name: it ${hint}`,
        };
      }
      return { path: e.instancePath, message: `${JSON.stringify(e.data)} ${hint}` };
    }
    case 'format':
      return { path: e.instancePath, message: `${JSON.stringify(e.data)} is not a JSON Pointer (e.g. "/data/items")` };
    case 'type':
      return { path: e.instancePath, message: `must be ${article(String(params.type))}` };
    default:
      return { path: e.instancePath, message: e.message ?? 'is invalid' };
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

function dedupe(problems: MappingProblem[]): MappingProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const k = `${p.path}\u0000${p.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** RFC 6901 escaping of one reference token. */
export function pointerEscape(token: string): string {
  return token.replaceAll('~', '~0').replaceAll('/', '~1');
}

/** Every column or field the mapping reads, for checking them against a file's header. */
export function mappedFields(m: Mapping): string[] {
  const fields = [
    m.key,
    ...(m.nameField ? [m.nameField] : []),
    ...m.aliasFields,
    ...Object.values(m.properties).map((p) => p.field),
    ...m.relationships.flatMap((r) => [r.field, ...Object.values(r.properties).map((p) => p.field)]),
  ];
  return [...new Set(fields)];
}
