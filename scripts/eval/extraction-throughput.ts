/**
 * Throughput of the offline extractor on one core: chunks of about 200 words built from the
 * labelled sentences (entity-dense, so heavier than typical prose), each chunk different; or,
 * with --text, 200-word windows of the given text files.
 *   npx tsx scripts/eval/extraction-throughput.ts [--chunks 400] [--words 200] [--text a.md b.txt]
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { OfflineExtractor } from '../../src/extraction/offline.ts';
import type { ExtractionInput } from '../../src/extraction/types.ts';
import { DEFAULT_GOLD_FILE, readGold } from './extraction.ts';

export interface ThroughputReport {
  chunks: number;
  wordsPerChunk: number;
  seconds: number;
  /** CPU time the process spent (user + system), so contention on a shared machine does not count. */
  cpuSeconds: number;
  chunksPerSecond: number;
  chunksPerCpuSecond: number;
  wordsPerSecond: number;
  entities: number;
  relations: number;
}

/** Deterministic chunks: sentences taken in a rotating order until each has `words` words. */
export async function buildChunks(count: number, words: number, file: string = DEFAULT_GOLD_FILE): Promise<ExtractionInput[]> {
  const sentences = (await readGold(file)).map((l) => l.text);
  const chunks: ExtractionInput[] = [];
  let cursor = 0;
  for (let i = 0; i < count; i += 1) {
    const parts: string[] = [];
    let n = 0;
    while (n < words) {
      const s = sentences[cursor % sentences.length]!;
      cursor += 7; // a stride co-prime with the set size varies the neighbours
      parts.push(s);
      n += s.split(/\s+/).length;
    }
    chunks.push({ chunkId: `bench-${i}`, text: parts.join(' '), documentTitle: 'bench' });
  }
  return chunks;
}

/** Windows of `words` words over the files' text, repeated until there are `count` chunks. */
export function chunksFromFiles(files: string[], count: number, words: number): ExtractionInput[] {
  const tokens = files.flatMap((f) => readFileSync(f, 'utf8').split(/(?<=\s)/));
  const windows: string[] = [];
  for (let i = 0; i < tokens.length; i += words) windows.push(tokens.slice(i, i + words).join(''));
  return Array.from({ length: count }, (_, i) => ({ chunkId: `text-${i}`, text: `${windows[i % windows.length]!}`, documentTitle: 'bench' }));
}

export async function runExtractionThroughput(options: { chunks?: number; words?: number; files?: string[] } = {}): Promise<ThroughputReport> {
  const count = options.chunks ?? 400;
  const words = options.words ?? 200;
  const chunks = options.files?.length ? chunksFromFiles(options.files, count, words) : await buildChunks(count, words);
  const extractor = new OfflineExtractor();
  // Warm up compromise and V8 before timing.
  for (const chunk of chunks.slice(0, 20)) extractor.extractChunk(chunk);
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const result = await extractor.extract(chunks);
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuStarted);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const totalWords = chunks.reduce((sum, c) => sum + c.text.split(/\s+/).length, 0);
  return {
    chunks: count,
    wordsPerChunk: Math.round(totalWords / count),
    seconds: Math.round(seconds * 1000) / 1000,
    cpuSeconds: Math.round(cpuSeconds * 1000) / 1000,
    chunksPerSecond: Math.round(count / seconds),
    chunksPerCpuSecond: Math.round(count / cpuSeconds),
    wordsPerSecond: Math.round(totalWords / seconds),
    entities: result.extractions.reduce((sum, e) => sum + e.entities.length, 0),
    relations: result.extractions.reduce((sum, e) => sum + e.relations.length, 0),
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const { values } = parseArgs({
    options: { chunks: { type: 'string', default: '400' }, words: { type: 'string', default: '200' }, text: { type: 'string', multiple: true } },
  });
  const report = await runExtractionThroughput({ chunks: Number(values.chunks), words: Number(values.words), files: values.text ?? [] });
  process.stdout.write(
    `${report.chunks} chunks of ~${report.wordsPerChunk} words in ${report.seconds}s (${report.cpuSeconds}s CPU): ` +
      `${report.chunksPerSecond} chunks/s wall, ${report.chunksPerCpuSecond} chunks per CPU second, ${report.wordsPerSecond} words/s ` +
      `(${report.entities} entities, ${report.relations} relations)\n`,
  );
}
