/**
 * The `kgrag` command end to end, as a user runs it: a new Node process per call, wall time
 * measured from spawn to exit. `--help` against `node -e 0` (process start alone), and `ask` on the
 * example knowledge base with an exact answer (the parser's Cypher) and with a document answer.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { median } from './report.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../kgrag.mjs');

export interface WallTimes {
  /** Median of the runs, ms. */
  median: number;
  runs: number[];
  loadAverage: number[];
}

export interface CliReport {
  runs: number;
  nodeStart: WallTimes;
  help: WallTimes;
  /** help ÷ node -e 0, medians. */
  helpRatio: number;
  askExact: WallTimes & { question: string; strategy: string };
  askDocuments: WallTimes & { question: string; strategy: string };
}

async function wallTimes(args: string[], runs: number): Promise<WallTimes & { stdout: string }> {
  const times: number[] = [];
  let stdout = '';
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    ({ stdout } = await run(process.execPath, args, { maxBuffer: 16 << 20 }).catch((err: { stdout?: string; code?: number }) => {
      // `ask` exits 2 when the knowledge base does not hold the answer: still a timed answer.
      if (err.code === 2) return { stdout: err.stdout ?? '' };
      throw err;
    }));
    times.push(Math.round(performance.now() - t));
  }
  return { median: median(times), runs: times, loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10), stdout };
}

export async function measureCli(collection: string, asOf: string, runs = 5): Promise<CliReport> {
  const nodeStart = await wallTimes(['-e', '0'], runs);
  const help = await wallTimes([BIN, '--help'], runs);
  const ask = async (question: string) => {
    const { stdout, ...t } = await wallTimes([BIN, 'ask', question, '--collection', collection, '--as-of', asOf, '--json'], runs);
    return { ...t, question, strategy: (JSON.parse(stdout) as { plan: { strategy: string } }).plan.strategy };
  };
  const { stdout: _n, ...nodeTimes } = nodeStart;
  const { stdout: _h, ...helpTimes } = help;
  return {
    runs,
    nodeStart: nodeTimes,
    help: helpTimes,
    helpRatio: Math.round((help.median / nodeStart.median) * 100) / 100,
    askExact: await ask('How many tasks are overdue?'),
    askDocuments: await ask('What award did Acme Analytics win for 2024?'),
  };
}
