/**
 * Northwind through `kgrag ask`, without an LLM: a graph kgrag did not build, reached the way a
 * user's existing database is (its own Neo4j, no collections, no documents). Gold answers are the
 * values the reference Cypher returns; each question is answered by the schema-driven parser and
 * scored by value (see compareAnswers). The parser knows nothing of Northwind.
 *
 * Northwind gets a second local Neo4j (its own folder and port) because it is a foreign graph:
 * its PART_OF and labels would mix with kgrag's own in the main database.
 */
import path from 'node:path';
import { loadConfig, type KgragConfig } from '../../src/config/index.ts';
import { localDbStatus, startLocalDb, stopLocalDb } from '../../src/db/local.ts';
import { CatalogCache } from '../../src/graph/catalog.ts';
import { GraphExecutor } from '../../src/graph/executor.ts';
import { silentLogger } from '../../src/logging.ts';
import { ask } from '../../src/planner/ask.ts';
import type { AskResult } from '../../src/planner/types.ts';
import { compareAnswers, goldAnswers, loadNorthwind, readQuestions, rowsToTuples } from './northwind.ts';

export const NORTHWIND_PORT = 7688;

export function northwindConfig(): KgragConfig {
  const base = loadConfig();
  return loadConfig({
    ...process.env,
    KGRAG_HOME: path.join(base.home, 'northwind'),
    NEO4J_URI: `bolt://127.0.0.1:${NORTHWIND_PORT}`,
    KGRAG_NEO4J_HEAP: process.env.KGRAG_NORTHWIND_HEAP ?? '1g',
    KGRAG_NEO4J_PAGECACHE: '512m',
  });
}

export interface NorthwindTypeScore {
  questions: number;
  scored: number;
  correct: number;
  wrong: number;
  none: number;
}

/** Whether an ask result answers like the gold rows: as returned, or by its names alone. */
export function matchesGold(gold: unknown[][], result: AskResult, ordered: boolean): boolean {
  const tuples = rowsToTuples(result.rows);
  if (compareAnswers(gold, tuples, { ordered })) return true;
  const names = result.rows.map((r) => ('name' in r ? [r.name] : Object.values(r).slice(0, 1)));
  return compareAnswers(gold, names, { ordered });
}

export async function runNorthwindAsk(benchDir: string, log: (line: string) => void, opts: { only?: number } = {}): Promise<Record<string, NorthwindTypeScore>> {
  const config = northwindConfig();
  const logger = silentLogger();
  const wasRunning = (await localDbStatus(config)).running;
  if (!wasRunning) {
    log(`northwind: starting a second local Neo4j on port ${NORTHWIND_PORT} (${config.localDb.home})`);
    await startLocalDb(config, logger);
  }
  const db = await GraphExecutor.connect(config.neo4j, logger);
  try {
    await loadNorthwind(db, benchDir, log);
    let questions = readQuestions(benchDir);
    if (opts.only) questions = questions.slice(0, opts.only);
    const gold = await goldAnswers(db, questions);
    const catalogs = new CatalogCache(db, { logger });
    const scores: Record<string, NorthwindTypeScore> = {};
    const latencies: number[] = [];
    const samples: string[] = [];
    for (const g of gold) {
      const t0 = performance.now();
      const result = await ask({ db, catalogs, logger }, g.question, { collections: null, limit: 1000 });
      latencies.push(performance.now() - t0);
      for (const type of [g.type, 'ALL']) {
        const s = (scores[type] ??= { questions: 0, scored: 0, correct: 0, wrong: 0, none: 0 });
        s.questions++;
        // A reference that failed or returned nothing gives no gold answer to score against.
        if (!g.gold || g.gold.length === 0) continue;
        s.scored++;
        if (result.plan.strategy === 'none') s.none++;
        else if (matchesGold(g.gold, result, g.ordered)) s.correct++;
        else {
          s.wrong++;
          if (type !== 'ALL' && samples.length < 400) samples.push(`  wrong ${g.id} ${g.question} => ${result.answer.slice(0, 120)}`);
        }
      }
    }
    log('type                          scored  correct   wrong    none');
    for (const [type, s] of Object.entries(scores)) {
      const pct = (n: number) => `${((100 * n) / Math.max(1, s.scored)).toFixed(0)}%`.padStart(5);
      log(`${type.padEnd(28)} ${String(s.scored).padStart(7)} ${pct(s.correct)} ${String(s.correct).padStart(3)} ${pct(s.wrong)} ${pct(s.none)}`);
    }
    latencies.sort((a, b) => a - b);
    log(`northwind ask latency: p50 ${latencies[Math.floor(latencies.length / 2)]!.toFixed(0)} ms, p95 ${latencies[Math.floor(latencies.length * 0.95)]!.toFixed(0)} ms`);
    if (process.env.KGRAG_EVAL_VERBOSE) for (const line of samples) log(line);
    return scores;
  } finally {
    await db.close();
    if (!wasRunning) await stopLocalDb(config, logger);
  }
}
