import type { FieldType } from './mapping.ts';

/**
 * Typed coercion of one cell or field. Values come as text (CSV, JSON Lines strings), JSON
 * numbers and booleans, or spreadsheet numbers, booleans and dates. The result is what the
 * import query sends: dates as "YYYY-MM-DD" and datetimes as ISO 8601 text (Cypher's date() and
 * datetime() type them), numbers as numbers. Empty values are null.
 */

/** A coerced value as sent to Neo4j (temporals as ISO text). */
export type Coerced = string | number | boolean | null;

export type CoerceResult = { ok: true; value: Coerced } | { ok: false; reason: string };

export interface CoerceSpec {
  type: FieldType;
  format?: string;
}

export const DEFAULT_DATE_FORMAT = 'YYYY-MM-DD';
const ISO_DATETIME = 'ISO 8601, e.g. 2024-03-01T09:30:00Z';

const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'no', '0']);
/** A plain decimal literal: no thousands separators, no hex, no "Infinity". */
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

export function isEmpty(raw: unknown): boolean {
  return raw === null || raw === undefined || (typeof raw === 'string' && raw.trim() === '');
}

export function coerceValue(raw: unknown, spec: CoerceSpec): CoerceResult {
  if (isEmpty(raw)) return ok(null);
  if (typeof raw === 'object' && !(raw instanceof Date)) {
    return fail(`${Array.isArray(raw) ? 'a list' : 'an object'} is not a single ${spec.type} value`);
  }
  switch (spec.type) {
    case 'string':
      return ok(toText(raw as string | number | boolean | Date));
    case 'integer':
      return toInteger(raw);
    case 'float':
      return toFloat(raw);
    case 'boolean':
      return toBoolean(raw);
    case 'date':
      return toDate(raw, spec.format);
    case 'datetime':
      return toDateTime(raw, spec.format);
  }
}

/** Text form of a scalar cell (keys, names, string properties). */
export function toText(raw: string | number | boolean | Date): string {
  if (raw instanceof Date) return dateCellText(raw);
  return String(raw).trim();
}

function toInteger(raw: unknown): CoerceResult {
  const n = toNumber(raw);
  if (n === undefined) return fail(`${quote(raw)} is not a whole number`);
  if (!Number.isInteger(n)) return fail(`${quote(raw)} is not a whole number`);
  if (!Number.isSafeInteger(n)) return fail(`${quote(raw)} is too large for an integer (use type string for identifiers)`);
  return ok(n);
}

function toFloat(raw: unknown): CoerceResult {
  const n = toNumber(raw);
  return n === undefined ? fail(`${quote(raw)} is not a number`) : ok(n);
}

function toNumber(raw: unknown): number | undefined {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : undefined;
  if (typeof raw !== 'string') return undefined;
  const text = raw.trim();
  if (!NUMBER_TEXT.test(text)) return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : undefined;
}

function toBoolean(raw: unknown): CoerceResult {
  if (typeof raw === 'boolean') return ok(raw);
  const word = typeof raw === 'number' || typeof raw === 'string' ? String(raw).trim().toLowerCase() : '';
  if (TRUE_WORDS.has(word)) return ok(true);
  if (FALSE_WORDS.has(word)) return ok(false);
  return fail(`${quote(raw)} is not a boolean (expected true/false, yes/no or 1/0)`);
}

function toDate(raw: unknown, format = DEFAULT_DATE_FORMAT): CoerceResult {
  // Spreadsheet date cells carry the date itself; exceljs gives it as UTC midnight.
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? fail('the cell is not a valid date') : ok(isoDate(raw));
  const parts = typeof raw === 'string' ? parseWithFormat(raw.trim(), format) : undefined;
  if (!parts) return fail(`${quote(raw)} is not a valid date (expected ${format})`);
  return ok(formatDate(parts));
}

function toDateTime(raw: unknown, format?: string): CoerceResult {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? fail('the cell is not a valid date') : ok(raw.toISOString());
  if (typeof raw !== 'string') return fail(`${quote(raw)} is not a valid datetime (expected ${format ?? ISO_DATETIME})`);
  const text = raw.trim();
  const parsed = format ? parseWithFormat(text, format) : parseIsoDateTime(text);
  if (!parsed) return fail(`${quote(raw)} is not a valid datetime (expected ${format ?? ISO_DATETIME})`);
  return ok(formatDateTime(parsed));
}

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** ".123" or "" */
  fraction: string;
  /** "Z" or "+02:00"; values without an offset are taken as UTC. */
  offset: string;
}

const TOKEN_PATTERN: Record<string, string> = {
  YYYY: '(\\d{4})',
  MM: '(\\d{1,2})',
  DD: '(\\d{1,2})',
  HH: '(\\d{1,2})',
  mm: '(\\d{2})',
  ss: '(\\d{2})',
};
const compiledFormats = new Map<string, { regex: RegExp; tokens: string[] }>();

/** "DD/MM/YYYY" → a regular expression with one group per token. */
function compileFormat(format: string): { regex: RegExp; tokens: string[] } {
  let compiled = compiledFormats.get(format);
  if (!compiled) {
    const tokens: string[] = [];
    const source = format.replace(/YYYY|MM|DD|HH|mm|ss|T|[^A-Za-z]/g, (piece) => {
      const group = TOKEN_PATTERN[piece];
      if (group) {
        tokens.push(piece);
        return group;
      }
      return piece.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    });
    compiled = { regex: new RegExp(`^${source}$`), tokens };
    compiledFormats.set(format, compiled);
  }
  return compiled;
}

function parseWithFormat(text: string, format: string): DateParts | undefined {
  const { regex, tokens } = compileFormat(format);
  const match = regex.exec(text);
  if (!match) return undefined;
  const value = (token: string) => {
    const i = tokens.indexOf(token);
    return i < 0 ? 0 : Number(match[i + 1]);
  };
  return validParts({
    year: value('YYYY'),
    month: value('MM'),
    day: value('DD'),
    hour: value('HH'),
    minute: value('mm'),
    second: value('ss'),
    fraction: '',
    offset: 'Z',
  });
}

const ISO_DATETIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

function parseIsoDateTime(text: string): DateParts | undefined {
  const m = ISO_DATETIME_PATTERN.exec(text);
  if (!m) return undefined;
  return validParts({
    year: Number(m[1]),
    month: Number(m[2]),
    day: Number(m[3]),
    hour: Number(m[4]),
    minute: Number(m[5]),
    second: Number(m[6] ?? 0),
    fraction: m[7] ?? '',
    offset: normalizeOffset(m[8]),
  });
}

function normalizeOffset(offset: string | undefined): string {
  if (!offset || offset.toUpperCase() === 'Z') return 'Z';
  const digits = offset.slice(1).replace(':', '');
  return `${offset[0]}${digits.slice(0, 2)}:${digits.slice(2, 4) || '00'}`;
}

/** Rejects 31/02 and 25:00: the calendar, not just the digits. */
function validParts(p: DateParts): DateParts | undefined {
  if (p.year < 1 || p.month < 1 || p.month > 12 || p.day < 1) return undefined;
  if (p.hour > 23 || p.minute > 59 || p.second > 59) return undefined;
  const probe = new Date(Date.UTC(2000, p.month - 1, p.day));
  probe.setUTCFullYear(p.year);
  return probe.getUTCMonth() === p.month - 1 && probe.getUTCDate() === p.day ? p : undefined;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function formatDate(p: DateParts): string {
  return `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}`;
}

function formatDateTime(p: DateParts): string {
  return `${formatDate(p)}T${pad(p.hour)}:${pad(p.minute)}:${pad(p.second)}${p.fraction}${p.offset}`;
}

function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** A spreadsheet date cell as text: the date alone at midnight, else the full timestamp. */
function dateCellText(d: Date): string {
  if (Number.isNaN(d.getTime())) return '';
  const iso = d.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
}

/** A value quoted for an error message, shortened so that one bad cell cannot flood the output. */
export function quote(raw: unknown): string {
  const text = raw instanceof Date ? dateCellText(raw) : typeof raw === 'string' ? raw : JSON.stringify(raw) ?? String(raw);
  return `'${text.length > 60 ? text.slice(0, 57) + '...' : text}'`;
}

function ok(value: Coerced): CoerceResult {
  return { ok: true, value };
}

function fail(reason: string): CoerceResult {
  return { ok: false, reason };
}
