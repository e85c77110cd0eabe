import { readFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import type { Ajv, ValidateFunction } from 'ajv';
import type { Ajv2020 } from 'ajv/dist/2020.js';
import type ajvFormats from 'ajv-formats';
import { errorMessage } from './errors.ts';

/**
 * The JSON Schemas in `schemas/` (user-facing file formats and the LLM's output format) and the
 * one way kgrag compiles them: cached per file, all errors reported, draft chosen by `$schema`.
 */
export const SCHEMA_DIR = path.resolve(import.meta.dirname, '../schemas');

const validators = new Map<string, ValidateFunction>();

export function readSchema(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(SCHEMA_DIR, name), 'utf8')) as Record<string, unknown>;
}

export function schemaValidator<T = unknown>(name: string): ValidateFunction<T> {
  let validate = validators.get(name);
  if (!validate) {
    const { $id: _id, ...schema } = readSchema(name);
    const draft2020 = String(schema.$schema ?? '').includes('2020-12');
    const options = { allErrors: true, verbose: true, strict: true, allowUnionTypes: true };
    // Loaded on the first validator: commands that validate nothing (an exact answer) never load ajv.
    const require = createRequire(import.meta.url);
    const Draft2020 = (require('ajv/dist/2020.js') as { Ajv2020: typeof Ajv2020 }).Ajv2020;
    const Draft7 = (require('ajv') as { Ajv: typeof Ajv }).Ajv;
    const ajv = draft2020 ? new Draft2020(options) : new Draft7(options);
    (require('ajv-formats') as typeof ajvFormats).default(ajv);
    validate = ajv.compile(schema);
    validators.set(name, validate);
  }
  return validate as ValidateFunction<T>;
}

/** Why a user's JSON file could not be used; callers word it for the kind of file it is. */
export class JsonFileError extends Error {
  constructor(
    readonly reason: 'unreadable' | 'invalid-json',
    readonly detail: string,
    options: { cause: unknown },
  ) {
    super(`${reason}: ${detail}`, options);
  }
}

export async function readJsonFile(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new JsonFileError('unreadable', errorMessage(err), { cause: err });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new JsonFileError('invalid-json', errorMessage(err), { cause: err });
  }
}
