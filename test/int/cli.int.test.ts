import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Kgrag } from '../../src/app.ts';
import { dropCollections, openTestApp, tempFiles, uniqueCollection } from '../helpers.ts';

const run = promisify(execFile);
const BIN = path.resolve(import.meta.dirname, '../../scripts/kgrag.mjs');

/** Runs the real `kgrag` command; resolves with exit code and output instead of throwing. */
async function kgrag(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

describe('kgrag command line', () => {
  let app: Kgrag;
  const collection = uniqueCollection('cli');
  const files = tempFiles({
    'tides.md': '# Tides\n\nSpring tides happen at new and full moon, when the sun and moon pull in a line.\n',
    'photo.png': Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]),
  });

  beforeAll(async () => {
    app = await openTestApp();
  });
  afterAll(async () => {
    await dropCollections(app, [collection]);
    await app.close();
    files.cleanup();
  });

  it('ingests with a JSON summary and exits non-zero when a file failed', async () => {
    const res = await kgrag('ingest', files.dir, '--collection', collection, '--json');
    expect(res.code).toBe(1);
    const summary = JSON.parse(res.stdout);
    expect(summary).toMatchObject({ collection, documents: 1, failed: 1, unchanged: 0 });
    expect(summary.outcomes).toContainEqual(expect.objectContaining({ status: 'failed', code: 'UNSUPPORTED_TYPE' }));

    const human = await kgrag('ingest', files.path('tides.md'), '--collection', collection);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/0 documents ingested .* 1 unchanged, 0 failed/);
  });

  it('searches with the documented JSON shape', async () => {
    const res = await kgrag('search', 'why are some tides stronger', '--collection', collection, '--json', '--k', '3');
    expect(res.code).toBe(0);
    const { results } = JSON.parse(res.stdout);
    expect(results).toHaveLength(1);
    expect(Object.keys(results[0]).sort()).toEqual(['chunkId', 'documentId', 'page', 'score', 'source', 'text', 'title']);
    expect(results[0]).toMatchObject({ title: 'Tides', source: files.path('tides.md'), page: null });
    for (const mode of ['vector', 'fulltext']) {
      const r = await kgrag('search', 'moon tides', '--collection', collection, '--mode', mode, '--json');
      expect(JSON.parse(r.stdout).results[0].title).toBe('Tides');
    }
  });

  it('asks with the documented JSON shape, citing the passage', async () => {
    const res = await kgrag('ask', 'At which moon phases do spring tides happen?', '--collection', collection, '--json');
    expect(res.code).toBe(0);
    const r = JSON.parse(res.stdout);
    expect(Object.keys(r).sort()).toEqual(['answer', 'citations', 'cypher', 'facts', 'found', 'plan', 'question', 'rows', 'timings']);
    expect(r.plan.strategy).toBe('semantic');
    expect(r.answer).toContain('new and full moon');
    expect(Object.keys(r.citations[0]).sort()).toEqual(['chunkId', 'documentId', 'n', 'page', 'quote', 'source', 'title']);
    expect(r.citations[0]).toMatchObject({ title: 'Tides', source: files.path('tides.md'), page: null });

    // Nothing to answer with: exit code 2, and the text says so.
    const none = await kgrag('ask', 'What is the airspeed of an unladen swallow?', '--collection', collection, '--explain');
    expect(none.code).toBe(2);
    expect(none.stdout).toMatch(/does not contain|could not answer/i);
    expect(none.stdout).toContain('Strategy: none');
  });

  it('lists, shows and deletes documents, and reports a missing one clearly', async () => {
    const list = JSON.parse((await kgrag('documents', 'list', '--collection', collection, '--json')).stdout);
    expect(list.documents).toHaveLength(1);
    const id = list.documents[0].id as string;
    const show = JSON.parse((await kgrag('documents', 'show', id, '--json')).stdout);
    expect(show.document).toMatchObject({ id, title: 'Tides', collection });
    expect(show.chunks[0].text).toContain('Spring tides');

    const stats = JSON.parse((await kgrag('stats', '--json')).stdout);
    expect(stats.collections).toContainEqual({ collection, documents: 1, chunks: 1, entities: 0, relationships: 0 });

    expect((await kgrag('documents', 'delete', id, '--json')).code).toBe(0);
    const gone = await kgrag('documents', 'show', id, '--json');
    expect(gone.code).toBe(1);
    expect(JSON.parse(gone.stdout)).toEqual({ error: { code: 'NOT_FOUND', message: `No document with id ${id}` } });
  });

  it('rejects bad options with a message and offers help for every command', async () => {
    const badK = await kgrag('search', 'x', '--k', '0');
    expect(badK.code).not.toBe(0);
    expect(badK.stderr).toMatch(/integer from 1 to 1000/);
    const badCollection = await kgrag('search', 'x', '--collection', "a' OR 1=1");
    expect(badCollection.code).not.toBe(0);
    expect(badCollection.stderr).toMatch(/Invalid collection name/);
    for (const cmd of [['db'], ['ingest'], ['search'], ['documents'], ['stats']]) {
      const help = await kgrag(...cmd, '--help');
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/Usage: kgrag/);
    }
  });
});
