import { dropCollectionIndexes } from '../../src/graph/collection-index.ts';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Kgrag } from '../../src/app.ts';

/** A SciFact abstract: real scientific prose, so that chunking, fulltext and embedding costs are realistic. */
export interface Abstract {
  id: string;
  title: string;
  text: string;
}

export function readAbstracts(benchDir: string): Abstract[] {
  return readFileSync(path.join(benchDir, 'scifact', 'corpus.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const r = JSON.parse(line) as { _id: string; title: string; text: string };
      return { id: r._id, title: r.title, text: r.text };
    })
    .filter((a) => a.text.trim().length > 0);
}

export interface GeneratedCorpus {
  dir: string;
  files: string[];
  bytes: number;
}

const SECTIONS_PER_DOCUMENT = 3;
const FORMATS = ['md', 'html', 'txt'] as const;

const escapeHtml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * Writes `docs` report-like documents into `dir`, each made of three consecutive SciFact abstracts
 * as sections, rotating through Markdown, HTML and plain text so that three loaders run. The same
 * `docs` always gives the same files.
 */
export function generateCorpus(abstracts: readonly Abstract[], docs: number, dir: string): GeneratedCorpus {
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  let bytes = 0;
  for (let i = 0; i < docs; i++) {
    const sections = Array.from({ length: SECTIONS_PER_DOCUMENT }, (_, s) => abstracts[(i * SECTIONS_PER_DOCUMENT + s) % abstracts.length]!);
    const title = `Review ${i + 1}: ${sections[0]!.title}`;
    const format = FORMATS[i % FORMATS.length]!;
    let body: string;
    if (format === 'md') {
      body = `# ${title}\n\n` + sections.map((a) => `## ${a.title}\n\n${a.text}\n`).join('\n');
    } else if (format === 'html') {
      body =
        `<!doctype html><html><head><title>${escapeHtml(title)}</title></head><body><article><h1>${escapeHtml(title)}</h1>` +
        sections.map((a) => `<section><h2>${escapeHtml(a.title)}</h2><p>${escapeHtml(a.text)}</p></section>`).join('') +
        '</article></body></html>\n';
    } else {
      body = `${title}\n\n` + sections.map((a) => `${a.title}\n\n${a.text}\n`).join('\n');
    }
    const file = path.join(dir, `review-${String(i + 1).padStart(5, '0')}.${format}`);
    writeFileSync(file, body);
    bytes += statSync(file).size;
    files.push(file);
  }
  return { dir, files, bytes };
}

/** Removes a benchmark collection (chunks, entities, documents), in batches. */
export async function dropCollection(app: Kgrag, collection: string): Promise<void> {
  for (const label of ['Chunk', 'KgragEntity', 'Document']) {
    await app.db.runSchema(
      `MATCH (n:${label} {collection: $collection}) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS`,
      { collection },
    );
  }
  await dropCollectionIndexes(app.db, collection);
}
