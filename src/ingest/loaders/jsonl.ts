/**
 * JSON Lines loader: one document per line, `{"id", "title", "text", ...metadata}`. A bad line is
 * reported with its line number and does not stop the others.
 */
import { createHash } from 'node:crypto';
import type { LoadedDocument, Metadata } from '../../domain/types.ts';
import { LoadError, errorMessage } from '../../errors.ts';
import { collapseWhitespace, normalizeText } from '../normalize.ts';
import { plainTextBlocks } from './text.ts';

export interface JsonlFields {
  idField?: string;
  titleField?: string;
  textField?: string;
}

export type JsonlOutcome = { ok: true; doc: LoadedDocument } | { ok: false; line: number; source: string; error: LoadError };

export interface JsonlOptions {
  /** Absolute path or URL of the file; record sources are `<file>#<id>`. */
  file: string;
  /** Base for titles of records that have none: "<fileTitle> #<id>". */
  fileTitle: string;
  mimeType: string;
  fields?: JsonlFields;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export function* loadJsonl(text: string, options: JsonlOptions): Generator<JsonlOutcome> {
  const idField = options.fields?.idField ?? 'id';
  const titleField = options.fields?.titleField ?? 'title';
  const textField = options.fields?.textField ?? 'text';
  const seen = new Map<string, number>();
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? '').trim();
    if (raw === '') continue;
    const line = i + 1;
    const fail = (code: 'INVALID_INPUT' | 'EMPTY_DOCUMENT', message: string, cause?: unknown): JsonlOutcome => ({
      ok: false,
      line,
      source: `${options.file}#L${line}`,
      error: new LoadError(code, `${options.file} line ${line}: ${message}`, cause === undefined ? undefined : { cause }),
    });

    let record: Json;
    try {
      record = JSON.parse(raw) as Json;
    } catch (cause) {
      yield fail('INVALID_INPUT', `not valid JSON (${errorMessage(cause)})`, cause);
      continue;
    }
    if (!isObject(record)) {
      yield fail('INVALID_INPUT', 'expected a JSON object');
      continue;
    }
    const id = idOf(record[idField]);
    if (id !== undefined) {
      const first = seen.get(id);
      if (first !== undefined) {
        yield fail('INVALID_INPUT', `duplicate ${idField} "${id}" (first on line ${first})`);
        continue;
      }
    }
    const body = textOf(record[textField]);
    if (body === undefined) {
      yield fail('INVALID_INPUT', `missing "${textField}" field (a string is required)`);
      continue;
    }
    const blocks = plainTextBlocks(body);
    if (blocks.length === 0) {
      yield fail('EMPTY_DOCUMENT', `"${textField}" has no text`);
      continue;
    }
    const rawTitle = record[titleField];
    const title = typeof rawTitle === 'string' ? collapseWhitespace(normalizeText(rawTitle)) : '';
    if (id !== undefined) seen.set(id, line);
    yield {
      ok: true,
      doc: {
        ...(id !== undefined ? { id } : {}),
        source: `${options.file}#${id ?? `L${line}`}`,
        title: title || `${options.fileTitle} #${id ?? line}`,
        mimeType: options.mimeType,
        sha256: createHash('sha256').update(canonicalJson(record)).digest('hex'),
        blocks,
        metadata: scalarFields(record, [idField, titleField, textField]),
      },
    };
  }
}

function isObject(value: Json): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function idOf(value: Json | undefined): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A string, or an array of strings (sentence lists, as in BEIR/SciFact corpora) joined by spaces. */
function textOf(value: Json | undefined): string | undefined {
  if (typeof value === 'string') return value;
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value.join(' ');
  return undefined;
}

function scalarFields(record: JsonObject, exclude: readonly string[]): Metadata {
  const metadata: Metadata = {};
  for (const [key, value] of Object.entries(record)) {
    if (exclude.includes(key)) continue;
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      metadata[key] = value;
    }
  }
  return metadata;
}

/** JSON with object keys sorted at every level, so key order does not change the hash. */
export function canonicalJson(value: Json): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key] ?? null)}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}
