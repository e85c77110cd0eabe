import path from 'node:path';
import { validateCollection } from '../domain/ids.ts';
import { GraphError } from '../errors.ts';
import type { GraphExecutor, Params, Row } from '../graph/executor.ts';
import type { Logger } from '../logging.ts';
import { ImportError } from './errors.ts';
import { mappedFields, type Mapping } from './mapping.ts';
import { FACT_SEPARATOR } from '../domain/facts.ts';
import { fileFactMarker, prepareRecord, type LinkRow, type NodeRow, type PrepareContext } from './prepare.ts';
import { linkEntitiesQuery, upsertEntitiesQuery } from './queries.ts';
import { openRecords, type ReadOptions, type RecordSource } from './readers.ts';

/**
 * Imports the records of one file as Entity nodes and relationships, in two passes:
 *   1. nodes, upserted by import key in UNWIND batches (one transaction per batch);
 *   2. relationships, once every node of the file exists, so that a row may refer to a row
 *      further down (manager_id) as well as to records imported earlier from other files.
 * The second pass reads the file again rather than keeping rows in memory. Bad rows are
 * reported with their row numbers and skipped; the other rows load. Importing the same file
 * again changes nothing; importing a changed file updates what changed.
 */

export interface ImportOptions {
  collection: string;
  logger: Logger;
  /** Rows per transaction (default 500). */
  batchSize?: number;
  /** Row errors kept in the summary (default 100,000); `errorCount` counts them all. */
  maxErrors?: number;
  onProgress?: (progress: ImportProgress) => void;
}

export interface ImportProgress {
  phase: 'nodes' | 'relationships';
  rows: number;
}

export interface RowError {
  row: number;
  message: string;
}

export interface ImportSummary {
  file: string;
  collection: string;
  label: string;
  /** Data rows read (blank rows not counted). */
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  /** Records that took over an entity created earlier from documents. */
  adopted: number;
  /** Rows not loaded because of their errors. */
  skipped: number;
  /** Relationships written (new or confirmed). */
  relationships: number;
  errorCount: number;
  /** Sorted by row. A row whose node loaded may still have relationship errors. */
  errors: RowError[];
  /** Problems with the file as a whole that did not stop the import. */
  warnings: string[];
  seconds: number;
}

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_MAX_ERRORS = 100_000;

export async function importRecords(
  db: GraphExecutor,
  file: string,
  mapping: Mapping,
  options: ImportOptions,
): Promise<ImportSummary> {
  const started = performance.now();
  const run = new ImportRun(db, file, mapping, options);
  await run.writeNodes();
  if (mapping.relationships.length > 0) await run.writeRelationships();
  const summary = run.summary((performance.now() - started) / 1000);
  options.logger.info(
    { file: summary.file, collection: summary.collection, rows: summary.rows, created: summary.created, updated: summary.updated,
      adopted: summary.adopted, relationships: summary.relationships, errors: summary.errorCount, seconds: summary.seconds },
    'import finished',
  );
  return summary;
}

/** Read options a mapping implies. */
export function readOptionsOf(mapping: Mapping): ReadOptions {
  return {
    ...(mapping.format ? { format: mapping.format } : {}),
    ...(mapping.sheet ? { sheet: mapping.sheet } : {}),
    ...(mapping.records !== undefined ? { records: mapping.records } : {}),
    ...(mapping.delimiter ? { delimiter: mapping.delimiter } : {}),
    skipRows: mapping.skipRows,
  };
}

class ImportRun {
  private readonly collection: string;
  private readonly source: string;
  private readonly batchSize: number;
  private readonly maxErrors: number;
  private readonly counts = { rows: 0, created: 0, updated: 0, unchanged: 0, adopted: 0, relationships: 0, errorCount: 0 };
  private readonly errors: RowError[] = [];
  private readonly warnings: string[] = [];
  /** Rows whose node did not load: the relationship pass leaves them out. */
  private readonly failedRows = new Set<number>();
  private readonly params: Params;
  /** How the open file names its fields in messages. */
  private fieldNoun: 'column' | 'field' = 'column';
  // Built first: a name that cannot go into a query stops the import before anything is written.
  private readonly upsertQuery: string;
  private readonly linkQueries: string[];

  constructor(
    private readonly db: GraphExecutor,
    private readonly file: string,
    private readonly mapping: Mapping,
    private readonly options: ImportOptions,
  ) {
    this.collection = validateCollection(options.collection);
    this.upsertQuery = upsertEntitiesQuery(mapping);
    this.linkQueries = mapping.relationships.map((rel) => linkEntitiesQuery(rel));
    this.source = path.basename(file);
    this.batchSize = Math.max(1, Math.trunc(options.batchSize ?? DEFAULT_BATCH_SIZE));
    this.maxErrors = options.maxErrors ?? DEFAULT_MAX_ERRORS;
    this.params = {
      collection: this.collection,
      type: mapping.entityType,
      source: this.source,
      sourceMarker: fileFactMarker(this.source),
      factPrefixes: Object.fromEntries(Object.keys(mapping.properties).map((p) => [p, p + FACT_SEPARATOR])),
    };
  }

  async writeNodes(): Promise<void> {
    const query = this.upsertQuery;
    const records = await this.open();
    const context = this.context(records);
    const firstRowOfKey = new Map<string, number>();
    // JSON has no header to check: a field no record has is most likely a typo in the mapping.
    const unseenFields = records.columns ? new Set<string>() : new Set(mappedFields(this.mapping));
    const writes = new WritePipeline();
    let batch: NodeRow[] = [];
    for await (const record of records.records) {
      this.counts.rows++;
      if ('error' in record) {
        this.rowFailed(record.row, [`row ${record.row}: ${record.error}`]);
        continue;
      }
      for (const field of unseenFields) if (record.values.has(field)) unseenFields.delete(field);
      const prepared = prepareRecord(record.values, record.row, this.mapping, context);
      if (!prepared.ok) {
        this.rowFailed(record.row, prepared.errors);
        continue;
      }
      const firstRow = firstRowOfKey.get(prepared.key);
      if (firstRow !== undefined) {
        this.rowFailed(record.row, [
          `row ${record.row}, ${context.fieldNoun} ${this.mapping.key}: key '${prepared.key}' already appeared on row ${firstRow}; this row is skipped`,
        ]);
        continue;
      }
      firstRowOfKey.set(prepared.key, record.row);
      batch.push(prepared.node);
      if (batch.length >= this.batchSize) {
        const rows = batch;
        batch = [];
        await writes.push(() => this.upsertBatch(query, rows));
      }
    }
    if (batch.length > 0) {
      const rows = batch;
      await writes.push(() => this.upsertBatch(query, rows));
    }
    await writes.drain();
    for (const field of unseenFields) {
      this.warnings.push(`no record of ${this.source} has the field "${field}" that the mapping reads`);
    }
  }

  async writeRelationships(): Promise<void> {
    const queries = this.linkQueries;
    const records = await this.open();
    const context = this.context(records);
    const writes = new WritePipeline();
    let batch: LinkRow[][] = queries.map(() => []);
    let batchRows = 0;
    let done = 0;
    for await (const record of records.records) {
      if ('error' in record || this.failedRows.has(record.row)) continue;
      const prepared = prepareRecord(record.values, record.row, this.mapping, context);
      if (!prepared.ok) continue;
      prepared.links.forEach((link, i) => batch[i]!.push(link));
      if (++batchRows >= this.batchSize) {
        const rows = batch;
        batch = queries.map(() => []);
        done += batchRows;
        batchRows = 0;
        const progress = done;
        await writes.push(() => this.linkBatch(queries, rows, progress));
      }
    }
    if (batchRows > 0) {
      const rows = batch;
      await writes.push(() => this.linkBatch(queries, rows, done + batchRows));
    }
    await writes.drain();
  }

  summary(seconds: number): ImportSummary {
    return {
      file: this.file,
      collection: this.collection,
      label: this.mapping.label,
      ...this.counts,
      skipped: this.failedRows.size,
      errors: [...this.errors].sort((a, b) => a.row - b.row),
      warnings: this.warnings,
      seconds: Math.round(seconds * 1000) / 1000,
    };
  }

  private async open(): Promise<RecordSource> {
    const records = await openRecords(this.file, readOptionsOf(this.mapping));
    try {
      checkColumns(records, this.mapping, this.file);
    } catch (err) {
      records.close();
      throw err;
    }
    this.fieldNoun = records.fieldNoun;
    return records;
  }

  private context(records: RecordSource): PrepareContext {
    return { collection: this.collection, source: this.source, fieldNoun: records.fieldNoun };
  }

  private async upsertBatch(query: string, rows: NodeRow[]): Promise<void> {
    markAdopters(rows);
    try {
      const results = await this.db.writeTx((tx) => tx.run(query, { ...this.params, rows }));
      this.tallyNodes(results);
    } catch (err) {
      if (!(err instanceof GraphError) || err.code !== 'CONSTRAINT_VIOLATION' || rows.length === 1) throw err;
      // One row broke a constraint: write the rows one by one so the others still load.
      for (const row of rows) {
        try {
          this.tallyNodes(await this.db.writeTx((tx) => tx.run(query, { ...this.params, rows: [row] })));
        } catch (rowErr) {
          if (!(rowErr instanceof GraphError) || rowErr.code !== 'CONSTRAINT_VIOLATION') throw rowErr;
          this.rowFailed(row.row, [`row ${row.row}: ${rowErr.message}`]);
        }
      }
    }
    this.options.logger.debug({ file: this.source, rows: this.counts.rows }, 'import: nodes written');
    this.options.onProgress?.({ phase: 'nodes', rows: this.counts.rows });
  }

  private tallyNodes(results: Row[]): void {
    for (const r of results) {
      const outcome = r.result as 'created' | 'updated' | 'unchanged' | 'adopted';
      this.counts[outcome]++;
    }
  }

  private async linkBatch(queries: string[], batch: LinkRow[][], progress: number): Promise<void> {
    const results = await this.db.writeTx(async (tx) => {
      const out: Array<{ rel: number; rows: Row[] }> = [];
      for (const [i, query] of queries.entries()) {
        const rows = batch[i]!;
        if (rows.length === 0) continue;
        const outgoing = this.mapping.relationships[i]!.direction === 'out';
        out.push({ rel: i, rows: await tx.run(query, { ...this.params, rows, outgoing }) });
      }
      return out;
    });
    for (const { rel, rows } of results) {
      const mapping = this.mapping.relationships[rel]!;
      for (const r of rows) {
        if (r.found) this.counts.relationships++;
        else {
          const row = r.row as number;
          this.addError(
            row,
            `row ${row}, ${this.fieldNoun} ${mapping.field}: no ${mapping.target.label} with key '${String(r.key)}' in collection "${this.collection}" (${mapping.type} not created)`,
          );
        }
      }
    }
    this.options.onProgress?.({ phase: 'relationships', rows: progress });
  }

  private rowFailed(row: number, messages: string[]): void {
    this.failedRows.add(row);
    for (const message of messages) this.addError(row, message);
  }

  private addError(row: number, message: string): void {
    this.counts.errorCount++;
    if (this.errors.length < this.maxErrors) this.errors.push({ row, message });
  }
}

/**
 * Within one batch only the first record with a given normalised name may adopt an extracted
 * entity: the statement matches candidates for all rows before writing, so two records would
 * otherwise both take over the same node.
 */
function markAdopters(rows: NodeRow[]): void {
  const names = new Set<string>();
  for (const row of rows) {
    row.mayAdopt = row.normalizedName !== '' && !names.has(row.normalizedName);
    names.add(row.normalizedName);
  }
}

/** Header-based files must have every column the mapping reads (a typo would silently drop data). */
function checkColumns(records: RecordSource, mapping: Mapping, file: string): void {
  if (!records.columns) return;
  const present = new Set(records.columns);
  const missing = mappedFields(mapping).filter((f) => !present.has(f));
  if (missing.length === 0) return;
  throw new ImportError(
    'FIELD_MISSING',
    `${path.basename(file)} has no column ${missing.map((m) => `"${m}"`).join(', ')} that the mapping reads. ` +
      `Its columns: ${records.columns.map((c) => `"${c}"`).join(', ')}.`,
  );
}

/**
 * Keeps one database write in flight while the next batch is read and prepared. A failed write
 * surfaces at the next push or at drain.
 */
class WritePipeline {
  private pending: Promise<void> | undefined;

  async push(write: () => Promise<void>): Promise<void> {
    await this.pending;
    this.pending = write();
    // Handled here so that a failure is not reported as unhandled before it is awaited.
    this.pending.catch(() => undefined);
  }

  async drain(): Promise<void> {
    await this.pending;
    this.pending = undefined;
  }
}
