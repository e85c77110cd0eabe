/**
 * Retrieval and answer quality on public benchmarks, through the same code paths users run.
 *   npm run eval -- scifact [--modes vector,fulltext,hybrid] [--bench ../shared/bench] [--json FILE]
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { openKgrag } from '../src/app.ts';
import type { SearchMode } from '../src/domain/types.ts';
import { runScifact, SCIFACT_PUBLISHED } from './eval/scifact.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    modes: { type: 'string', default: 'vector,fulltext,hybrid' },
    bench: { type: 'string', default: path.resolve(import.meta.dirname, '../../shared/bench') },
    json: { type: 'string' },
  },
});
const suites = positionals.length ? positionals : ['scifact'];
const log = (line: string) => process.stdout.write(line + '\n');

const app = await openKgrag({ schema: true });
const report: Record<string, unknown> = {};
try {
  for (const suite of suites) {
    if (suite === 'scifact') {
      const modes = values.modes.split(',') as SearchMode[];
      const results = await runScifact(app, values.bench, modes, log);
      log(`published: all-MiniLM-L6-v2 vector ${SCIFACT_PUBLISHED.vector}, BM25 (bm25s) ${SCIFACT_PUBLISHED.bm25}`);
      report.scifact = { results, published: SCIFACT_PUBLISHED };
    } else {
      throw new Error(`Unknown suite "${suite}" (known: scifact)`);
    }
  }
} finally {
  await app.close();
}
if (values.json) writeFileSync(values.json, JSON.stringify(report, null, 2));
