import type { LabelInfo, PropertyInfo, RelationshipInfo, SchemaCatalog } from '../../graph/catalog.ts';
import { displayName, patternName } from '../../graph/names.ts';
import { collectionOption, positiveInt, type CliContext } from '../context.ts';
import { printJson, printLine, truncate } from '../output.ts';

/** Example values shown per property in text output (JSON has them all). */
const SHOWN_SAMPLES = 8;
/** The schema catalog's own default (src/graph/catalog.ts), repeated here so `--help` imports no graph code. */
const DEFAULT_SAMPLE_SIZE = 1000;

export function registerSchemaCommand({ program, withKgrag, setJson }: CliContext): void {
  program
    .command('schema')
    .description('show the graph schema the query planner works with: labels, relationship patterns, properties and example values')
    .option('-c, --collection <name>', 'collection (repeatable; default: the whole graph)', collectionOption)
    .option('--sample-size <n>', 'nodes per label and relationships per type to sample', positiveInt(100_000), DEFAULT_SAMPLE_SIZE)
    .option('--json', 'print the full catalog as JSON')
    .action(async (opts: { collection?: string[]; sampleSize: number; json?: boolean }) => {
      setJson(opts.json);
      await withKgrag({}, async (app) => {
        // The local CLI user owns the whole database: no --collection means no restriction.
        const collections = opts.collection?.length ? opts.collection : undefined;
        // At the default sample size, the catalog the planner uses (kept between commands until a write).
        const catalog =
          opts.sampleSize === DEFAULT_SAMPLE_SIZE
            ? await app.catalogs.get(collections)
            : await (await import('../../graph/catalog.ts')).buildCatalog(app.db, { ...(collections ? { collections } : {}), sampleSize: opts.sampleSize, logger: app.logger });
        if (opts.json) printJson(catalog);
        else printLine(formatCatalog(catalog));
      });
    });
}

export function formatCatalog(catalog: SchemaCatalog): string {
  const lines: string[] = [];
  lines.push(catalog.collections ? `Schema of collection(s) ${catalog.collections.join(', ')}` : 'Schema of the whole graph');
  lines.push('', 'Labels');
  if (catalog.labels.length === 0) lines.push('  (none)');
  for (const l of catalog.labels) lines.push(...formatLabel(l));
  lines.push('', 'Relationships');
  if (catalog.relationships.length === 0) lines.push('  (none)');
  for (const r of catalog.relationships) lines.push(...formatPattern(r));
  if (catalog.internal.labels.length > 0) {
    lines.push('', 'Documents and chunks (kgrag)');
    for (const l of catalog.internal.labels) lines.push(...formatLabel(l));
    for (const r of catalog.internal.relationships) lines.push(...formatPattern(r));
  }
  if (catalog.warnings.length > 0) lines.push('', 'Warnings', ...catalog.warnings.map((w) => `  ${w}`));
  lines.push('', `(${catalog.elapsedMs} ms; properties and values from up to ${catalog.sampleSize} nodes per label and relationships per type; ~ marks an estimated count)`);
  return lines.join('\n');
}

function formatLabel(l: LabelInfo): string[] {
  const name = l.nameProperty ? `  (display name: ${l.nameProperty})` : '';
  return [`  :${displayName(l.label)}  ${l.count} node${l.count === 1 ? '' : 's'}${name}`, ...formatProperties(l.properties, l.sampled)];
}

function formatPattern(r: RelationshipInfo): string[] {
  const count = r.estimated ? `~${r.count}` : String(r.count);
  return [`  ${patternName(r)}  ${count}`, ...formatProperties(r.properties, r.sampled)];
}

function formatProperties(properties: PropertyInfo[], sampled: number): string[] {
  const width = Math.max(0, ...properties.map((p) => p.name.length));
  const typeWidth = Math.max(0, ...properties.map((p) => p.types.join('|').length));
  return properties.map((p) => {
    const presence = p.count === sampled ? 'all' : `${p.count}/${sampled}`;
    const detail = describeValues(p);
    return `      ${p.name.padEnd(width)}  ${p.types.join('|').padEnd(typeWidth)}  ${presence}${detail ? `  ${detail}` : ''}`.trimEnd();
  });
}

function describeValues(p: PropertyInfo): string {
  const parts: string[] = [];
  if (p.min !== undefined && p.max !== undefined) parts.push(p.min === p.max ? `${p.min}` : `${p.min} … ${p.max}`);
  if (p.samples.length > 0) {
    // All distinct values are listed when they fit; otherwise they are examples.
    const complete = p.distinct !== undefined && p.distinct <= p.samples.length && p.distinct <= SHOWN_SAMPLES;
    const shown = p.samples.slice(0, SHOWN_SAMPLES).map((v) => (typeof v === 'string' ? JSON.stringify(truncate(v, 40)) : String(v)));
    parts.push(`${complete ? 'values' : 'e.g.'} ${shown.join(', ')}${!complete && p.distinct !== undefined ? ` (${p.distinct} distinct)` : ''}`);
  } else if (p.maxLength !== undefined && p.maxLength > 200) {
    parts.push(`text, up to ${p.maxLength} characters`);
  }
  return parts.join('  ');
}

