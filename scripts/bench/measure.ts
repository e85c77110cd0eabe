/** Timing and memory helpers shared by the benchmark parts and the load test. */

/** Nearest-rank percentile of an ascending array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export interface Latency {
  n: number;
  p50: number;
  p95: number;
  p99: number;
  mean: number;
}

export function latencyOf(samples: readonly number[]): Latency {
  const sorted = [...samples].sort((a, b) => a - b);
  const mean = sorted.reduce((s, x) => s + x, 0) / Math.max(1, sorted.length);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    n: sorted.length,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    mean: round(mean),
  };
}

/** Runs `run` on each input in turn (one client, as a user would), after `warmup` untimed calls. */
export async function timeEach<T>(inputs: readonly T[], run: (input: T) => Promise<unknown>, warmup = 3): Promise<Latency> {
  for (const input of inputs.slice(0, warmup)) await run(input);
  return latencyOf(await timeSamples(inputs, run));
}

/** Each input's wall time in ms, one at a time. */
export async function timeSamples<T>(inputs: readonly T[], run: (input: T) => Promise<unknown>): Promise<number[]> {
  const samples: number[] = [];
  for (const input of inputs) {
    const t = performance.now();
    await run(input);
    samples.push(performance.now() - t);
  }
  return samples;
}

/**
 * Runs `work` while sampling this process's resident memory every 20 ms; returns its result, the
 * wall time and the peak RSS in MB (the Neo4j server is another process and is not counted).
 */
export async function measured<T>(work: () => Promise<T>): Promise<{ result: T; ms: number; peakRssMb: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 20);
  const t = performance.now();
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage.rss());
    return { result, ms: performance.now() - t, peakRssMb: Math.round(peak / 2 ** 20) };
  } finally {
    clearInterval(timer);
  }
}

export const ratio = (a: number, b: number): number => Math.round((a / b) * 100) / 100;
