/**
 * The `kgrag` command end to end, as a user runs it: a new Node process per call, wall time
 * measured from spawn to exit. `--help` against `node -e 0` (process start alone), and `ask` on the
 * example knowledge base with an exact answer (the parser's Cypher) and with a document answer.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { median } from './report.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../kgrag.mjs');
/** GNU time reports the child's CPU time: on a loaded machine wall time mostly measures the others. */
const TIME = '/usr/bin/time';

export interface WallTimes {
  /** Median of the runs, ms. */
  median: number;
  runs: number[];
  /** Median CPU time (user + system) of the kgrag process, ms, when /usr/bin/time is there. */
  cpuMedian?: number;
  loadAverage: number[];
}

/** An ask's wall times, with the answer's own timings (ms, from its JSON) of the last run. */
export type AskTimes = WallTimes & { question: string; strategy: string; timings: Record<string, number> };

export interface CliReport {
  runs: number;
  nodeStart: WallTimes;
  help: WallTimes;
  /** help ÷ node -e 0, medians. */
  helpRatio: number;
  askExact: AskTimes;
  askDocuments: AskTimes;
}

async function wallTimes(args: string[], runs: number): Promise<WallTimes & { stdout: string }> {
  const times: number[] = [];
  const cpu: number[] = [];
  const timed = existsSync(TIME);
  let stdout = '';
  let stderr = '';
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const [file, argv] = timed ? [TIME, ['-f', 'cpu %U %S', process.execPath, ...args]] : [process.execPath, args];
    ({ stdout, stderr } = await run(file, argv, { maxBuffer: 16 << 20 }).catch((err: { stdout?: string; stderr?: string; code?: number }) => {
      // `ask` exits 2 when the knowledge base does not hold the answer: still a timed answer.
      if (err.code === 2) return { stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
      throw err;
    }));
    times.push(Math.round(performance.now() - t));
    const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(stderr);
    if (m) cpu.push(Math.round((Number(m[1]) + Number(m[2])) * 1000));
  }
  return {
    median: median(times),
    runs: times,
    ...(cpu.length ? { cpuMedian: median(cpu) } : {}),
    loadAverage: os.loadavg().map((l) => Math.round(l * 10) / 10),
    stdout,
  };
}

export async function measureCli(collection: string, asOf: string, runs = 5): Promise<CliReport> {
  const nodeStart = await wallTimes(['-e', '0'], runs);
  const help = await wallTimes([BIN, '--help'], runs);
  const ask = async (question: string) => {
    const { stdout, ...t } = await wallTimes([BIN, 'ask', question, '--collection', collection, '--as-of', asOf, '--json'], runs);
    const result = JSON.parse(stdout) as { plan: { strategy: string }; timings: Record<string, number> };
    return { ...t, question, strategy: result.plan.strategy, timings: result.timings };
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
