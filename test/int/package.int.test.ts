import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Kgrag } from '../../src/app.ts';
import { importRecords } from '../../src/import/importer.ts';
import { loadMapping } from '../../src/import/mapping.ts';
import { dropCollections, ingestInto, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

const run = promisify(execFile);
const ROOT = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(ROOT, 'scripts/kgrag.mjs');
const RECORDER = path.join(ROOT, 'test/support/record-imports.mjs');
/** Packages that only embedding, PDF loading, LLMs, or the HTTP server need. */
const HEAVY = ['@huggingface/transformers', 'onnxruntime-node', 'onnxruntime-common', 'pdfjs-dist', '@langchain/core', '@langchain/openai', 'node-llama-cpp', 'graphql', 'graphql-yoga', '@neo4j/graphql', 'express'];

/** The packages a `kgrag` command imported, recorded by a module hook, and its output. */
async function packagesLoadedBy(...args: string[]): Promise<{ packages: Set<string>; code: number; stdout: string }> {
  const dir = mkdtempSync(path.join(ROOT, '.kgrag', 'imports-'));
  const log = path.join(dir, 'imports.log');
  let code = 0;
  let stdout = '';
  try {
    ({ stdout } = await run(process.execPath, ['--import', RECORDER, BIN, ...args], { env: { ...process.env, KGRAG_IMPORT_LOG: log }, maxBuffer: 16 << 20 }));
  } catch (err) {
    const e = err as { code?: number; stdout?: string };
    code = e.code ?? -1;
    stdout = e.stdout ?? '';
  }
  const urls = existsSync(log) ? readFileSync(log, 'utf8').split('\n') : [];
  rmSync(dir, { recursive: true, force: true });
  const packages = new Set(urls.map((u) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u)?.[1]).filter((p): p is string => !!p));
  return { packages, code, stdout };
}

describe('the compiled package', () => {
  let app: Kgrag;
  const collection = uniqueCollection('pkg');
  const companiesCsv = path.join(ROOT, 'examples/data/companies.csv');
  /** One record per line after the header. */
  const companies = readFileSync(companiesCsv, 'utf8').trim().split('\n').length - 1;
  const files = tempFiles({ 'tides.md': '# Tides\n\nSpring tides happen at new and full moon, when the sun and the moon pull in a line.\n' });

  beforeAll(async () => {
    expect(existsSync(path.join(ROOT, 'dist/index.js')), 'dist/ is built by `npm run build` (npm test runs it first)').toBe(true);
    app = await openTestApp();
    const mapping = await loadMapping(path.join(ROOT, 'examples/mappings/companies.mapping.json'));
    const imported = await importRecords(app.db, companiesCsv, mapping, { collection, logger: app.logger });
    expect(imported.errorCount).toBe(0);
    const ingested = await ingestInto(app, [files.dir], { collection });
    expect(ingested.documents).toBe(1);
  });
  afterAll(async () => {
    await dropCollections(app, [collection]);
    await app.close();
    files.cleanup();
  });

  it('answers --help, db status, stats, documents list and schema without the model, LangChain, pdf.js or the server', async () => {
    for (const args of [['--help'], ['db', 'status'], ['stats'], ['documents', 'list', '--collection', collection], ['schema', '--collection', collection]]) {
      const { packages, code, stdout } = await packagesLoadedBy(...args);
      expect(code, args.join(' ')).toBe(0);
      expect(stdout.length, args.join(' ')).toBeGreaterThan(0);
      expect(HEAVY.filter((p) => packages.has(p)), args.join(' ')).toEqual([]);
    }
  });

  it('gives an exact answer without loading the model, and loads it for an answer from passages', async () => {
    const exact = await packagesLoadedBy('ask', 'How many organizations are there?', '--collection', collection, '--json');
    expect(exact.code).toBe(0);
    const result = JSON.parse(exact.stdout);
    expect(result).toMatchObject({ found: true, plan: { strategy: 'structured' } });
    expect(result.rows).toEqual([expect.objectContaining({ count: companies })]);
    expect(exact.packages.has('@huggingface/transformers')).toBe(false);

    const open = await packagesLoadedBy('ask', 'Which tides happen at new and full moon?', '--collection', collection, '--json');
    expect(JSON.parse(open.stdout).citations[0]).toMatchObject({ title: 'Tides' });
    expect(open.packages.has('@huggingface/transformers')).toBe(true);
  });

  it('installs from `npm pack` offline into a scratch folder and searches and answers as a library', async () => {
    const scratch = mkdtempSync(path.join(ROOT, '.kgrag', 'pack-'));
    try {
      const { stdout: packed } = await run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', scratch], { cwd: ROOT });
      const tarball = path.join(scratch, packed.trim().split('\n').pop()!);
      writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true, type: 'module' }));
      // No network: the project's own node_modules, hard-linked (same file system), is the cache
      // npm resolves the package's dependencies from; npm adds the tarball and prunes the rest.
      await run('cp', ['-al', path.join(ROOT, 'node_modules'), path.join(scratch, 'node_modules')]);
      rmSync(path.join(scratch, 'node_modules', '.package-lock.json'), { force: true });
      await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--omit=dev', '--ignore-scripts', tarball], { cwd: scratch });
      expect(existsSync(path.join(scratch, 'node_modules/kgrag/dist/index.d.ts'))).toBe(true);
      expect(existsSync(path.join(scratch, 'node_modules/kgrag/src'))).toBe(false);

      writeFileSync(
        path.join(scratch, 'use.mjs'),
        `import { openKnowledgeBase } from 'kgrag';
const kb = await openKnowledgeBase();
try {
  const hits = await kb.search('why are some tides stronger', { collections: [process.argv[2]], k: 3 });
  const exact = await kb.ask('How many organizations are there?', { collections: [process.argv[2]] });
  const open = await kb.ask('Which tides happen at new and full moon?', { collections: [process.argv[2]] });
  console.log(JSON.stringify({ hits, exact, open }));
} finally {
  await kb.close();
}
`,
      );
      // The scratch folder is inside the checkout only for the hard links; the library must not reach
      // back into it: its configuration comes from the environment like any user's.
      const env = { ...process.env, NEO4J_URI: app.config.neo4j.uri, KGRAG_MODEL_DIR: app.config.embedding.modelDir ?? '', KGRAG_HOME: app.config.home };
      const { stdout } = await run(process.execPath, ['use.mjs', collection], { cwd: scratch, env, maxBuffer: 16 << 20 });
      const { hits, exact, open } = JSON.parse(stdout);
      expect(hits[0]).toMatchObject({ title: 'Tides', collection });
      expect(exact).toMatchObject({ found: true, plan: { strategy: 'structured' } });
      expect(exact.rows).toEqual([expect.objectContaining({ count: companies })]);
      expect(open.found).toBe(true);
      expect(open.citations[0]).toMatchObject({ title: 'Tides' });
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  }, 600_000);
});
