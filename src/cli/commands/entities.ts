import { validateCollection } from '../../domain/ids.ts';
import { NotFoundError } from '../../errors.ts';
import { collectionOption, positiveInt, readableCollections, type CliContext } from '../context.ts';
import { printJson, printLine, table, truncate } from '../output.ts';

export function registerEntityCommands({ program, withKgrag, setJson }: CliContext): void {
  program
    .command('extract')
    .description('run knowledge-graph extraction again over stored documents (after changing the extractor, patterns or schema)')
    .option('-c, --collection <name>', 'collection (repeatable; default: all)', collectionOption)
    .option('--document <id>', 'only this document')
    .option('--json', 'print the summary as JSON')
    .action(async (opts: { collection?: string[]; document?: string; json?: boolean }) => {
      setJson(opts.json);
      await withKgrag({ extractor: true }, async (app) => {
        if (!app.extractor) throw new NotFoundError('Extraction is disabled (KGRAG_EXTRACTOR=none)');
        const [{ listCollections }, { rerunExtraction }] = await Promise.all([import('../../graph/documents.ts'), import('../../extraction/rerun.ts')]);
        const collections = opts.collection?.length ? opts.collection : await listCollections(app.db);
        const summaries = [];
        for (const collection of collections) {
          summaries.push(
            await rerunExtraction(app.db, app.extractor, validateCollection(collection), app.logger, opts.document ? { documentId: opts.document } : {}),
          );
        }
        if (opts.json) printJson({ extractor: app.extractor.name, collections: summaries });
        else {
          for (const s of summaries) {
            printLine(
              `Collection "${s.collection}" (${app.extractor.name} extractor): ${s.documents} documents, ${s.chunks} chunks, ` +
                `${s.mentions} mentions, ${s.relations} relationships, ${s.failed.length} failed.`,
            );
            for (const f of s.failed) printLine(`  failed: ${f.documentId}: ${f.error}`);
          }
        }
        if (summaries.some((s) => s.failed.length > 0)) process.exitCode = 1;
      });
    });

  const entities = program.command('entities').description('inspect the entities of the knowledge graph');
  entities
    .command('list')
    .description('list entities, most mentioned first')
    .option('-c, --collection <name>', 'collection (repeatable; default: all)', collectionOption)
    .option('-t, --type <type>', 'only this entity type, e.g. Person')
    .option('--limit <n>', 'maximum number of entities', positiveInt(10_000), 100)
    .option('--json', 'print as JSON')
    .action(async (opts: { collection?: string[]; type?: string; limit: number; json?: boolean }) => {
      setJson(opts.json);
      await withKgrag({}, async (app) => {
        const { listEntities } = await import('../../graph/entities.ts');
        const rows = await listEntities(app.db, await readableCollections(app, opts.collection), {
          limit: opts.limit,
          ...(opts.type ? { type: opts.type } : {}),
        });
        if (opts.json) printJson({ entities: rows });
        else if (rows.length === 0) printLine('No entities.');
        else printLine(table(rows.map((r) => ({ ...r, name: truncate(r.name, 40) })), ['id', 'collection', 'type', 'name', 'mentions', 'aliases', 'imported']));
      });
    });
  entities
    .command('show')
    .description('show an entity: aliases, facts with their sources, mentions (and how each was linked), relationships')
    .argument('<id>', 'entity id')
    .option('-c, --collection <name>', 'collection (repeatable; default: all)', collectionOption)
    .option('--json', 'print as JSON')
    .action(async (id: string, opts: { collection?: string[]; json?: boolean }) => {
      setJson(opts.json);
      await withKgrag({}, async (app) => {
        const { getEntity } = await import('../../graph/entities.ts');
        const detail = await getEntity(app.db, id, await readableCollections(app, opts.collection));
        if (!detail) throw new NotFoundError(`No entity with id ${id}`);
        if (opts.json) return printJson(detail);
        const { entity: e } = detail;
        const skip = new Set(['id', 'name', 'type', 'collection', 'aliases', 'labels', 'createdAt', 'updatedAt', 'importSources', 'importKey']);
        printLine(`${e.name} (${e.labels.join(', ')})\n  id: ${e.id}\n  collection: ${e.collection}`);
        if (e.aliases.length) printLine(`  aliases: ${e.aliases.join('; ')}`);
        if (e.importKey) printLine(`  imported as ${String(e.importKey)} from ${(e.importSources as string[] | undefined)?.join(', ')}`);
        for (const [k, v] of Object.entries(e)) if (!skip.has(k)) printLine(`  ${k}: ${JSON.stringify(v)}`);
        if (detail.facts.length) {
          printLine('\nFacts (every value each source claimed):');
          for (const f of detail.facts) printLine(`  ${f.property} = ${JSON.stringify(f.value)}  [${f.source}]`);
        }
        printLine(`\nMentions (${detail.mentions.length}):`);
        for (const m of detail.mentions) {
          printLine(`  ${m.title}${m.page ? ` p. ${m.page}` : ''} — "${m.surfaces.join('", "')}" linked by ${m.method} (${m.score.toFixed(2)})\n    ${truncate(m.quote, 200)}`);
        }
        printLine(`\nRelationships (${detail.relationships.length}):`);
        for (const r of detail.relationships) {
          const arrow = r.direction === 'out' ? `-[:${r.type}]->` : `<-[:${r.type}]-`;
          const props = Object.entries(r.properties).filter(([k]) => !['createdAt', 'updatedAt', 'evidence', 'confidence'].includes(k));
          const origin = [r.sources.length ? `${r.sources.length} passages` : '', r.importSources.length ? r.importSources.join(', ') : ''].filter(Boolean).join('; ');
          printLine(`  ${arrow} ${r.other.name} (${r.other.type})${props.length ? ' ' + JSON.stringify(Object.fromEntries(props)) : ''}  [${origin}]`);
        }
      });
    });
}
