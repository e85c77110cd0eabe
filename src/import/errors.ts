import { KgragError } from '../errors.ts';

export type ImportErrorCode =
  /** The mapping file is missing, not JSON, or does not describe a valid import. */
  | 'MAPPING_INVALID'
  /** The data file's format is not one kgrag imports (by extension or the mapping's `format`). */
  | 'UNSUPPORTED_FORMAT'
  /** The data file cannot be read or parsed as a whole (not one bad row: those are row errors). */
  | 'READ_FAILED'
  /** The data file lacks a column the mapping needs, or has none to infer from. */
  | 'FIELD_MISSING';

/** A problem in a mapping, located by the JSON Pointer of the offending value. */
export interface MappingProblem {
  path: string;
  message: string;
}

/**
 * Import failures that stop the whole import. Problems with single rows never throw: they are
 * collected as row errors in the import summary while the other rows load.
 */
export class ImportError extends KgragError {
  readonly problems: MappingProblem[];
  constructor(code: ImportErrorCode, message: string, options?: { cause?: unknown; problems?: MappingProblem[] }) {
    super(code, message, options);
    this.problems = options?.problems ?? [];
  }
}
