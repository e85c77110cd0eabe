import { collectionOption, type CliContext } from '../context.ts';
import { printJson, printLine } from '../output.ts';

export function registerCommunitiesCommand({ program, withKgrag, setJson }: CliContext): void {
  program
    .command('communities')
    .description('compute (again) the communities of each collection\'s entity graph and their cited summaries, which answer whole-collection questions ("What are the main topics?"); a question does this by itself when the collection changed')
    .option('-c, --collection <name>', 'only this collection (repeatable; default: every collection)', collectionOption)
    .option('--json', 'print the communities as JSON')
    .action(async (opts: { collection?: string[]; json?: boolean }) => {
      setJson(opts.json);
      await withKgrag({}, async (app) => {
        const [{ computeCommunities }, { listCollections }, { GRAPH_SCOPE }] = await Promise.all([
          import('../../retrieval/communities.ts'),
          import('../../graph/documents.ts'),
          import('../../domain/ids.ts'),
        ]);
        const collections = opts.collection?.length ? opts.collection : (await listCollections(app.db)).filter((c) => c !== GRAPH_SCOPE);
        const out: Record<string, unknown> = {};
        for (const collection of collections) {
          const communities = await computeCommunities(app.db, collection, { ...(app.chat ? { chat: app.chat } : {}), logger: app.logger });
          out[collection] = communities;
          if (opts.json) continue;
          printLine(`${collection}: ${communities.length} communities`);
          for (const c of communities) printLine(`  ${c.rank}. ${c.names.join(', ')} (${c.size} entities)${c.summary ? `: ${c.summary}` : ''}`);
        }
        if (opts.json) printJson(out);
      });
    });
}
