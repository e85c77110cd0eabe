import { createEmbedder } from '../src/embedding/embedder.ts';
import { loadConfig } from '../src/config/index.ts';
import { readAbstracts } from '../scripts/bench/corpus.ts';
import pino from 'pino';
const logger = pino({ level: 'warn' });
const n = Number(process.argv[2] ?? 300);
const dirs = process.argv.slice(3);
const texts = readAbstracts('/work/shared/bench').slice(0, n).map((a) => `${a.title}\n${a.text}`);
const out: number[][][] = [];
for (const dir of dirs) {
  const config = loadConfig({ ...process.env, KGRAG_MODEL_DIR: dir });
  const e = await createEmbedder(config.embedding, logger);
  await e.embedDocuments(texts.slice(0, 8));
  const t = performance.now();
  const v = await e.embedDocuments(texts);
  const ms = performance.now() - t;
  out.push(v);
  console.log(dir, `${(texts.length / (ms / 1000)).toFixed(1)} docs/s`);
}
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0);
for (let k = 1; k < out.length; k++) {
  const c = out[0]!.map((v, i) => cos(v, out[k]![i]!));
  c.sort((a, b) => a - b);
  console.log(dirs[k], 'mean', (c.reduce((s, x) => s + x, 0) / c.length).toFixed(4), 'min', c[0]!.toFixed(4), 'p5', c[Math.floor(c.length * 0.05)]!.toFixed(4));
}
