import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { writeCacheFile } from '../graph/catalog-store.ts';
import { lemma, lemmaTable, seedLemmas } from './lexicon.ts';

/**
 * The parser's lemmas kept on disk between CLI processes. Lemmatising a word with compromise costs
 * about a millisecond, and loading compromise most of a second: an exact answer over a known
 * schema should pay neither. The file is named after what the lemmas depend on, lemma()'s own code
 * and compromise's version, so a change to either starts a new table instead of reusing old results.
 */
let fileOf: ((dir: string) => string) | undefined;

/** compromise's version from its package.json, found above its entry point (without loading it). */
function compromiseVersion(): string | undefined {
  let dir = path.dirname(createRequire(import.meta.url).resolve('compromise'));
  for (let up = 0; up < 5; up++, dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'compromise') return pkg.version;
    } catch {
      // No package.json at this level: look one up.
    }
  }
  return undefined;
}

function cacheFile(dir: string): string {
  fileOf ??= (() => {
    const version = compromiseVersion();
    const digest = createHash('sha256').update(`${version}\n${lemma.toString()}`).digest('hex').slice(0, 16);
    return (d: string) => path.join(d, `lemmas-${digest}.json`);
  })();
  return fileOf(dir);
}

let loadedSize = 0;

/** Seeds the lemma table from `dir`; a missing or unreadable file only means computing again. */
export async function loadLemmas(dir: string): Promise<void> {
  try {
    const entries = JSON.parse(await readFile(cacheFile(dir), 'utf8')) as unknown;
    if (entries && typeof entries === 'object' && !Array.isArray(entries)) seedLemmas(Object.entries(entries));
  } catch {
    // Missing or corrupt: rebuilt by saveLemmas.
  }
  loadedSize = lemmaTable().size;
}

/** Writes the table back when this process added lemmas (temporary file and rename: never half a file). */
export async function saveLemmas(dir: string): Promise<void> {
  const table = lemmaTable();
  if (table.size <= loadedSize) return;
  try {
    const file = cacheFile(dir);
    await writeCacheFile(file, JSON.stringify(Object.fromEntries(table)));
    loadedSize = table.size;
    // Tables of an earlier lemma() or compromise version are never read again.
    const stale = (await readdir(dir)).filter((n) => /^lemmas-[0-9a-f]+\.json$/.test(n) && n !== path.basename(file));
    await Promise.all(stale.map((n) => rm(path.join(dir, n), { force: true })));
  } catch {
    // Not written (read-only home, full disk): the next process computes them again.
  }
}
