import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parse, type Info, type Parser } from 'csv-parse';
import ExcelJS from 'exceljs';
import { errorMessage } from '../errors.ts';
import { checkArchive } from '../ingest/limits.ts';
import { isEmpty, toText } from './coerce.ts';
import { ImportError } from './errors.ts';
import type { DataFormat } from './mapping.ts';

/**
 * Record readers for CSV, JSON, JSON Lines and XLSX. Every record carries a row number the user
 * can find in the file: CSV and XLSX rows as a spreadsheet shows them (the header is row 1, lines
 * skipped above it and blank rows still count), JSON Lines line numbers, JSON array positions
 * (from 1). CSV and JSON Lines are streamed; JSON and XLSX files are read whole.
 */

export type SourceRecord = { row: number; values: Map<string, unknown> } | { row: number; error: string };

export interface RecordSource {
  format: DataFormat;
  /** Header columns (CSV, XLSX). Undefined for JSON, where each record has its own fields. */
  columns: string[] | undefined;
  /** What a field is called in messages: "column" (CSV, XLSX) or "field" (JSON). */
  fieldNoun: 'column' | 'field';
  /** Single use: open the file again for another pass. Stopping early releases the file. */
  records: AsyncIterable<SourceRecord>;
  /** Releases the file when the records will not be read (iterating to the end also does). */
  close(): void;
}

export interface ReadOptions {
  format?: DataFormat;
  /** XLSX worksheet name (default: the first). */
  sheet?: string;
  /** JSON Pointer to the array of records in a JSON file. */
  records?: string;
  /** CSV/XLSX lines above the header. */
  skipRows?: number;
  /** CSV delimiter (default: detected from the header line). */
  delimiter?: string;
}

const EXTENSION_FORMATS: Record<string, DataFormat> = {
  '.csv': 'csv',
  '.tsv': 'csv',
  '.tab': 'csv',
  '.txt': 'csv',
  '.json': 'json',
  '.jsonl': 'jsonl',
  '.ndjson': 'jsonl',
  '.xlsx': 'xlsx',
};
const DELIMITER_CANDIDATES = [',', ';', '\t', '|'];

export function detectFormat(file: string, explicit?: DataFormat): DataFormat {
  if (explicit) return explicit;
  const ext = path.extname(file).toLowerCase();
  const format = EXTENSION_FORMATS[ext];
  if (format) return format;
  const hint = ext === '.xls' ? ' Old binary .xls workbooks are not supported: save the sheet as .xlsx or CSV.' : '';
  throw new ImportError(
    'UNSUPPORTED_FORMAT',
    `Cannot tell the format of ${path.basename(file)} from its extension: use .csv, .tsv, .json, .jsonl or .xlsx, or set "format" in the mapping.${hint}`,
  );
}

export async function openRecords(file: string, options: ReadOptions = {}): Promise<RecordSource> {
  const format = detectFormat(file, options.format);
  await assertReadable(file);
  switch (format) {
    case 'csv':
      return openCsv(file, options);
    case 'json':
      return openJson(file, options);
    case 'jsonl':
      return openJsonLines(file);
    case 'xlsx':
      return openXlsx(file, options);
  }
}

async function assertReadable(file: string): Promise<void> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
  } catch (err) {
    throw new ImportError('READ_FAILED', `Cannot read ${file}: ${errorMessage(err)}`, { cause: err });
  }
}

function readFailed(file: string, err: unknown): ImportError {
  if (err instanceof ImportError) return err;
  return new ImportError('READ_FAILED', `${path.basename(file)}: ${errorMessage(err)}`, { cause: err });
}

// ---------------------------------------------------------------------------------------------
// CSV

interface CsvRecord {
  record: string[];
  info: Info;
}

async function openCsv(file: string, options: ReadOptions): Promise<RecordSource> {
  const skipRows = options.skipRows ?? 0;
  const delimiter =
    options.delimiter ?? (path.extname(file).toLowerCase() === '.tsv' ? '\t' : await sniffDelimiter(file, skipRows));
  // Malformed records (a stray quote) are skipped by the parser and reported as row errors.
  const skips: Array<{ recordsBefore: number; emptyBefore: number; message: string }> = [];
  const parser: Parser = parse({
    bom: true,
    delimiter,
    info: true,
    from_line: skipRows + 1,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (err) => {
      skips.push({ recordsBefore: parser.info.records, emptyBefore: parser.info.empty_lines, message: err?.message ?? 'malformed record' });
      return undefined;
    },
  });
  const input = createReadStream(file);
  input.on('error', (err) => parser.destroy(err));
  input.pipe(parser);
  const iterator = parser[Symbol.asyncIterator]() as AsyncIterator<CsvRecord>;
  const close = () => {
    input.destroy();
    parser.destroy();
  };
  const pull = async () => {
    try {
      return await iterator.next();
    } catch (err) {
      throw readFailed(file, err);
    }
  };

  const first = await pull().catch((err: unknown) => {
    close();
    throw err;
  });
  if (first.done) {
    close();
    throw new ImportError('READ_FAILED', `${path.basename(file)} has no header row`);
  }
  const columns = headerNames(first.value.record.map((c) => c.trim()), file);

  async function* records(): AsyncGenerator<SourceRecord> {
    let skipsSoFar = 0;
    try {
      for (;;) {
        const next = await pull();
        const recordsBefore = next.done ? Infinity : next.value.info.records;
        while (skips.length > 0 && skips[0]!.recordsBefore < recordsBefore) {
          const skip = skips.shift()!;
          skipsSoFar++;
          yield { row: skipRows + skip.recordsBefore + skip.emptyBefore + skipsSoFar, error: `cannot be parsed: ${skip.message}` };
        }
        if (next.done) return;
        const { record, info } = next.value;
        if (record.every((v) => v.trim() === '')) continue;
        // As a spreadsheet counts: skipped lines, records so far (header included), blank lines.
        yield csvRecord(record, columns, skipRows + info.records + info.empty_lines + skipsSoFar);
      }
    } finally {
      close();
    }
  }
  return { format: 'csv', columns, fieldNoun: 'column', records: records(), close };
}

function csvRecord(record: string[], columns: string[], row: number): SourceRecord {
  const extra = record.slice(columns.length).filter((v) => v.trim() !== '');
  if (extra.length > 0 || record.length < columns.length) {
    return {
      row,
      error: `has ${record.length} values but the header has ${columns.length} columns (check quoting and delimiters)`,
    };
  }
  const values = new Map<string, unknown>();
  columns.forEach((c, i) => values.set(c, record[i]));
  return { row, values };
}

/** Header cells as column names: blanks get a positional name, duplicates are refused. */
function headerNames(cells: string[], file: string): string[] {
  const names = cells.map((c, i) => (c === '' ? `column_${i + 1}` : c));
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const earlier = seen.get(name);
    if (earlier !== undefined) {
      throw new ImportError(
        'READ_FAILED',
        `${path.basename(file)}: the header names column "${name}" twice (columns ${earlier + 1} and ${i + 1})`,
      );
    }
    seen.set(name, i);
  });
  return names;
}

/** Picks the candidate delimiter that occurs most often outside quotes in the header line. */
export async function sniffDelimiter(file: string, skipRows = 0): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(64 * 1024);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    const header = buffer.toString('utf8', 0, bytesRead).split(/\r?\n/)[skipRows] ?? '';
    return delimiterOf(header);
  } finally {
    await handle.close();
  }
}

export function delimiterOf(line: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && DELIMITER_CANDIDATES.includes(ch)) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let bestCount = 0;
  for (const candidate of DELIMITER_CANDIDATES) {
    const n = counts.get(candidate) ?? 0;
    if (n > bestCount) {
      best = candidate;
      bestCount = n;
    }
  }
  return best;
}

// ---------------------------------------------------------------------------------------------
// JSON and JSON Lines

async function openJson(file: string, options: ReadOptions): Promise<RecordSource> {
  let doc: unknown;
  try {
    doc = JSON.parse(stripBom(await readFile(file, 'utf8')));
  } catch (err) {
    throw readFailed(file, err);
  }
  const pointer = options.records ?? '';
  const found = resolvePointer(doc, pointer);
  if (!Array.isArray(found)) {
    throw new ImportError('READ_FAILED', `${path.basename(file)}: ${notAnArrayMessage(doc, pointer)}`);
  }
  const items: unknown[] = found;
  async function* records(): AsyncGenerator<SourceRecord> {
    for (const [i, item] of items.entries()) yield objectRecord(item, i + 1, 'record');
  }
  return { format: 'json', columns: undefined, fieldNoun: 'field', records: records(), close: () => undefined };
}

function notAnArrayMessage(doc: unknown, pointer: string): string {
  const where = pointer === '' ? 'the file' : `"${pointer}"`;
  if (pointer === '' && doc !== null && typeof doc === 'object') {
    const arrays = Object.entries(doc).filter(([, v]) => Array.isArray(v)).map(([k]) => `"/${k}"`);
    if (arrays.length > 0) return `${where} is not an array of records; set "records" in the mapping, e.g. ${arrays.join(' or ')}`;
  }
  return `${where} is not an array of records`;
}

async function openJsonLines(file: string): Promise<RecordSource> {
  async function* records(): AsyncGenerator<SourceRecord> {
    const input = createReadStream(file, { encoding: 'utf8' });
    const lines = createInterface({ input, crlfDelay: Infinity });
    let lineNo = 0;
    try {
      for await (const raw of lines) {
        lineNo++;
        const line = lineNo === 1 ? stripBom(raw) : raw;
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch (err) {
          yield { row: lineNo, error: `is not valid JSON (${errorMessage(err)})` };
          continue;
        }
        yield objectRecord(value, lineNo, 'line');
      }
    } catch (err) {
      throw readFailed(file, err);
    } finally {
      lines.close();
      input.destroy();
    }
  }
  // The file is opened when iteration starts.
  return { format: 'jsonl', columns: undefined, fieldNoun: 'field', records: records(), close: () => undefined };
}

function objectRecord(value: unknown, row: number, what: string): SourceRecord {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { row, error: `the ${what} is not an object with fields` };
  }
  return { row, values: new Map(Object.entries(value)) };
}

/** RFC 6901 JSON Pointer ("" is the whole document). */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  if (pointer === '') return doc;
  let current = doc;
  for (const token of pointer.slice(1).split('/')) {
    const key = token.replaceAll('~1', '/').replaceAll('~0', '~');
    if (Array.isArray(current)) current = /^(0|[1-9]\d*)$/.test(key) ? current[Number(key)] : undefined;
    else if (current !== null && typeof current === 'object' && Object.hasOwn(current, key)) {
      current = (current as Record<string, unknown>)[key];
    } else return undefined;
  }
  return current;
}

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

// ---------------------------------------------------------------------------------------------
// XLSX

async function openXlsx(file: string, options: ReadOptions): Promise<RecordSource> {
  const workbook = new ExcelJS.Workbook();
  const bytes = await readFile(file).catch((err: unknown) => {
    throw readFailed(file, err);
  });
  // Before exceljs inflates anything: a small workbook may inflate to gigabytes.
  checkArchive(bytes, path.basename(file));
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch (err) {
    throw readFailed(file, err);
  }
  const sheet = options.sheet ? workbook.getWorksheet(options.sheet) : workbook.worksheets[0];
  if (!sheet) {
    const names = workbook.worksheets.map((w) => `"${w.name}"`).join(', ') || 'none';
    const wanted = options.sheet ? `no worksheet named "${options.sheet}"` : 'no worksheet';
    throw new ImportError('READ_FAILED', `${path.basename(file)} has ${wanted} (worksheets: ${names})`);
  }
  const headerRow = (options.skipRows ?? 0) + 1;
  const headerCells = rowCells(sheet.getRow(headerRow));
  if (headerCells.every(isEmpty)) {
    throw new ImportError('READ_FAILED', `${path.basename(file)}, sheet "${sheet.name}": the header row ${headerRow} is empty`);
  }
  const width = lastNonEmpty(headerCells) + 1;
  const columns = headerNames(
    headerCells.slice(0, width).map((c) => (isEmpty(c) ? '' : toText(c as string | number | boolean | Date))),
    file,
  );

  async function* records(): AsyncGenerator<SourceRecord> {
    for (let r = headerRow + 1; r <= sheet!.rowCount; r++) {
      const cells = rowCells(sheet!.getRow(r));
      if (cells.every(isEmpty)) continue;
      if (cells.slice(width).some((c) => !isEmpty(c))) {
        yield { row: r, error: `has values beyond the ${width} header columns` };
        continue;
      }
      const values = new Map<string, unknown>();
      columns.forEach((c, i) => values.set(c, cells[i] ?? null));
      yield { row: r, values };
    }
  }
  return { format: 'xlsx', columns, fieldNoun: 'column', records: records(), close: () => undefined };
}

/** Cell values from column 1, as plain strings, numbers, booleans, Dates or null. */
function rowCells(row: ExcelJS.Row): unknown[] {
  const cells: unknown[] = [];
  row.eachCell({ includeEmpty: true }, (cell, col) => {
    cells[col - 1] = cellValue(cell.value);
  });
  for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = null;
  return cells;
}

export function cellValue(value: ExcelJS.CellValue): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value !== 'object' || value instanceof Date) return value;
  if ('richText' in value) return value.richText.map((t) => t.text).join('');
  if ('formula' in value || 'sharedFormula' in value) {
    return cellValue((value as ExcelJS.CellFormulaValue).result as ExcelJS.CellValue);
  }
  if ('hyperlink' in value) return cellValue(value.text as ExcelJS.CellValue);
  if ('error' in value) return value.error;
  return null;
}

function lastNonEmpty(cells: unknown[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (!isEmpty(cells[i])) return i;
  return -1;
}
