import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { SchemaCatalog } from '../../src/graph/catalog.ts';
import { CatalogStore, MAX_FILES } from '../../src/graph/catalog-store.ts';
import { lemma } from '../../src/planner/lexicon.ts';
import { saveLemmas } from '../../src/planner/lemma-cache.ts';

// The CLI's cache folder (<KGRAG_HOME>/cache) must not grow with every collection scope ever asked
// about, nor keep lemma tables no version of kgrag will read again.

const identity = { uri: 'bolt://127.0.0.1:7687', database: 'neo4j', user: 'neo4j' };
const catalog = (scope: string[]): SchemaCatalog =>
  ({ collections: scope, labels: [], relationships: [], warnings: [], internal: { labels: [], relationships: [] } }) as unknown as SchemaCatalog;
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kgrag-cache-'));
  dirs.push(dir);
  return dir;
};
const aged = (file: string, minutesAgo: number) => {
  const t = new Date(Date.now() - minutesAgo * 60_000);
  utimesSync(file, t, t);
};

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('cache folder of the CLI', () => {
  it('keeps the schema catalogs of the scopes used most recently, and drops writers\' leftovers', async () => {
    const dir = tempDir();
    const store = new CatalogStore(dir);
    const key = (i: number) => ({ identity, scope: [`c${i}`], stamp: 's' });
    for (let i = 0; i < MAX_FILES; i++) {
      await store.save(key(i), catalog([`c${i}`]));
      aged(store.file(key(i)), 1000 - i); // c0 the oldest
    }
    expect(readdirSync(dir)).toHaveLength(MAX_FILES);
    // The oldest scope is used again: it now counts as recent.
    expect(await store.load(key(0))).toBeDefined();
    const leftover = `${store.file(key(1))}.123-abcd.tmp`;
    writeFileSync(leftover, '{');
    aged(leftover, 120);
    for (let i = MAX_FILES; i < MAX_FILES + 5; i++) await store.save(key(i), catalog([`c${i}`]));

    const files = readdirSync(dir);
    expect(files).toHaveLength(MAX_FILES);
    expect(files).toContain(path.basename(store.file(key(0))));
    expect(files).toContain(path.basename(store.file(key(MAX_FILES + 4))));
    expect(files).not.toContain(path.basename(store.file(key(1))));
    expect(files).not.toContain(path.basename(store.file(key(5))));
    expect(files).toContain(path.basename(store.file(key(6))));
    expect(files).not.toContain(path.basename(leftover));
    expect(await store.load(key(0))).toEqual(catalog(['c0']));
  });

  it('replaces lemma tables of other versions by the current one', async () => {
    const dir = tempDir();
    writeFileSync(path.join(dir, 'lemmas-0123456789abcdef.json'), '{"movies":"movie"}');
    writeFileSync(path.join(dir, 'notes.txt'), 'not ours');
    lemma(`zebras${Date.now()}`); // a word the table did not hold, so there is something to save
    await saveLemmas(dir);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files).toContain('notes.txt');
    expect(files.find((f) => f.startsWith('lemmas-'))).not.toBe('lemmas-0123456789abcdef.json');
  });
});
