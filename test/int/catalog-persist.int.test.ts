import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kgrag } from '../../src/app.ts';
import type { SchemaCatalog } from '../../src/graph/catalog.ts';
import { CatalogStore } from '../../src/graph/catalog-store.ts';
import { dropCollections, openTestApp, uniqueCollection } from '../helpers.ts';

// The CLI keeps schema catalogs on disk between commands (one process each). What a user must
// never notice: a catalog older than the data, or one collection's catalog serving another.

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../scripts/kgrag.mjs');

describe('schema catalog kept between CLI processes', () => {
  let app: Kgrag;
  const home = mkdtempSync(path.join(tmpdir(), 'kgrag-catalog-home-'));
  const cacheDir = path.join(home, 'cache');
  const [a, b] = [uniqueCollection('cat-a'), uniqueCollection('cat-b')];

  /** The real `kgrag` command with its own KGRAG_HOME (so its cache folder is this test's). */
  async function kgrag(...args: string[]): Promise<{ code: number; stdout: string }> {
    try {
      const { stdout } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, KGRAG_HOME: home }, maxBuffer: 16 << 20 });
      return { code: 0, stdout };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      if (e.code !== 2) throw new Error(`kgrag ${args.join(' ')} failed (${e.code}): ${e.stderr}`);
      return { code: e.code, stdout: e.stdout ?? '' };
    }
  }
  const schema = async (...collections: string[]): Promise<SchemaCatalog> =>
    JSON.parse((await kgrag('schema', ...collections.flatMap((c) => ['-c', c]), '--json')).stdout) as SchemaCatalog;
  const labels = (c: SchemaCatalog) => c.labels.map((l) => l.label).sort();
  const cacheFile = (collections: string[]) => new CatalogStore(cacheDir).file({ identity: app.db.identity, scope: [...collections].sort() });

  beforeAll(async () => {
    app = await openTestApp();
    await app.db.write("UNWIND range(1, 3) AS i CREATE (:Windmill {collection: $a, name: 'Mill ' + i, state: 'running'})", { a });
    await app.db.write("CREATE (:Lighthouse {collection: $b, name: 'Fastnet', state: 'lit'})", { b });
  });
  afterAll(async () => {
    await dropCollections(app, [a, b]);
    await app.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('reuses the stored catalog until a write, then shows the new label and answers with it', async () => {
    const first = await schema(a);
    expect(labels(first)).toEqual(['Windmill']);
    // Nothing written since: the next process serves the same catalog (the same build time stamp).
    expect((await schema(a)).generatedAt).toBe(first.generatedAt);

    const before = JSON.parse((await kgrag('ask', 'How many turbines are there?', '-c', a, '--json')).stdout);
    expect(before.plan.strategy).not.toBe('structured');

    // A write from outside kgrag's own commands (no version bump): the next process still sees it.
    await app.db.write("UNWIND range(1, 2) AS i CREATE (:Turbine {collection: $a, name: 'T' + i, state: 'idle'})", { a });
    const after = await schema(a);
    expect(labels(after)).toEqual(['Turbine', 'Windmill']);
    expect(after.generatedAt).not.toBe(first.generatedAt);
    const answer = JSON.parse((await kgrag('ask', 'How many turbines are there?', '-c', a, '--json')).stdout);
    expect(answer.plan.strategy).toBe('structured');
    expect(answer.answer).toMatch(/\b2\b/);
  });

  it('never serves one collection scope the catalog of another, even from a swapped file', async () => {
    expect(labels(await schema(b))).toEqual(['Lighthouse']);
    const ofA = await schema(a);
    expect(labels(ofA)).not.toContain('Lighthouse');
    const both = await schema(a, b);
    expect(labels(both)).toEqual(expect.arrayContaining(['Lighthouse', 'Windmill']));
    expect(new Set([cacheFile([a]), cacheFile([b]), cacheFile([a, b])]).size).toBe(3);

    // B's stored catalog put where A's belongs (same database, same state): A still gets its own.
    writeFileSync(cacheFile([a]), readFileSync(cacheFile([b])));
    const again = await schema(a);
    expect(labels(again)).toEqual(labels(ofA));
    expect(labels(again)).not.toContain('Lighthouse');
  });

  it('rebuilds a corrupt or truncated cache file and replaces it', async () => {
    const good = await schema(a);
    for (const broken of ['{"identity": {"uri"', 'null', '[]', JSON.stringify({ catalog: { labels: 'Windmill' } })]) {
      writeFileSync(cacheFile([a]), broken);
      const rebuilt = await schema(a);
      expect(labels(rebuilt)).toEqual(labels(good));
      expect(rebuilt.generatedAt).not.toBe(good.generatedAt);
      const stored = JSON.parse(readFileSync(cacheFile([a]), 'utf8')) as { catalog: SchemaCatalog };
      expect(labels(stored.catalog)).toEqual(labels(good));
    }
    // Written by rename: no temporary file is left behind.
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('answers the same with a corrupt lemma file, and writes a good one again', async () => {
    const ask = async () => JSON.parse((await kgrag('ask', 'How many windmills are running?', '-c', a, '--json')).stdout);
    const before = await ask();
    expect(before.plan.strategy).toBe('structured');
    expect(before.answer).toMatch(/\b3\b/);
    const [lemmas] = readdirSync(cacheDir).filter((f) => f.startsWith('lemmas-'));
    expect(lemmas).toBeDefined();
    writeFileSync(path.join(cacheDir, lemmas!), '{"windmills": ');
    const after = await ask();
    expect(after.answer).toBe(before.answer);
    const queries = (r: { cypher: Array<{ query: string; params: unknown }> }) => r.cypher.map((c) => [c.query, c.params]);
    expect(queries(after)).toEqual(queries(before));
    expect(JSON.parse(readFileSync(path.join(cacheDir, lemmas!), 'utf8'))).toMatchObject({ windmills: expect.any(String) });
  });
});
