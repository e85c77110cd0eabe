/**
 * Entity and relation extraction quality on a labelled set (JSON Lines, one sentence per line:
 * {"text", "entities": [{"name","type"}], "relations": [{"type","source","target","properties"?}]}).
 *   npx tsx scripts/eval/extraction.ts [file] [--verbose]
 *
 * Matching: an entity matches when type and normalised name (normalizeName) are equal; a relation
 * when type and the normalised names of source and target are equal. Properties are scored
 * separately: among matched relations, the share of gold properties the extractor gave the same
 * value (case and punctuation folded).
 *
 * Labelling policy of test/gold/extraction.jsonl (written by hand for kgrag, label what the
 * sentence states, independently of any extractor):
 * - Person names without titles; Organization includes companies, institutions, banks,
 *   universities and named units ("Search Infrastructure team"), without a leading "the";
 *   Place = cities, regions, countries.
 * - Date = calendar expressions with a year, a month or a quarter ("2019", "March 2022",
 *   "4 May 2022"), not relative ones ("last year", "on Friday") nor durations; Money as written
 *   ("$34 billion"); Percent ("12%"); Quantity = a number in digits with what it counts
 *   ("12,000 people").
 * - Relations (vocabulary: schemas/extraction-patterns.schema.json) only for facts the sentence
 *   asserts: nothing for negated, questioned, hypothetical, planned or rumoured statements; past
 *   facts count ("was the CFO", "left Globex"). Properties: role (canonical), since/date as ISO,
 *   price as written.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { OfflineExtractor } from '../../src/extraction/offline.ts';
import type { ExtractedRelation, Extractor } from '../../src/extraction/types.ts';
import { foldText, normalizeName } from '../../src/resolution/normalize.ts';

export const DEFAULT_GOLD_FILE = path.resolve(import.meta.dirname, '../../test/gold/extraction.jsonl');

export interface Scores {
  precision: number;
  recall: number;
  f1: number;
}
export interface TypeScores extends Scores {
  support: number;
}
export interface ExtractionEvalReport {
  entities: Scores & { byType: Record<string, TypeScores> };
  relations: Scores & { byType: Record<string, TypeScores>; properties: { accuracy: number; compared: number } };
  sentences: number;
  /** Sentences where the extractor missed or added something (for --verbose). */
  mistakes: Array<{ text: string; missing: string[]; spurious: string[]; properties: string[] }>;
}

interface GoldEntity {
  name: string;
  type: string;
}
interface GoldRelation {
  type: string;
  source: string;
  target: string;
  properties?: Record<string, string | number | boolean>;
}
interface GoldLine {
  text: string;
  entities: GoldEntity[];
  relations: GoldRelation[];
}

class Counter {
  tp = 0;
  predicted = 0;
  gold = 0;
  scores(): TypeScores {
    const precision = this.predicted === 0 ? (this.gold === 0 ? 1 : 0) : this.tp / this.predicted;
    const recall = this.gold === 0 ? 1 : this.tp / this.gold;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    return { precision: round(precision), recall: round(recall), f1: round(f1), support: this.gold };
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

export async function readGold(file: string): Promise<GoldLine[]> {
  const text = await readFile(file, 'utf8');
  return text
    .split('\n')
    .map((line, i) => [line.trim(), i + 1] as const)
    .filter(([line]) => line !== '')
    .map(([line, n]) => {
      try {
        return JSON.parse(line) as GoldLine;
      } catch (err) {
        throw new Error(`${file}:${n}: not valid JSON (${(err as Error).message})`);
      }
    });
}

function entityKey(name: string, type: string): string {
  return `${type}|${normalizeName(name, type)}`;
}

/** Adds set-overlap counts for one sentence to the overall and per-type counters. */
function tally(gold: Map<string, string>, predicted: Map<string, string>, overall: Counter, byType: Map<string, Counter>): { missing: string[]; spurious: string[] } {
  const counter = (type: string) => byType.get(type) ?? byType.set(type, new Counter()).get(type)!;
  for (const [key, type] of gold) {
    overall.gold += 1;
    counter(type).gold += 1;
    if (predicted.has(key)) {
      overall.tp += 1;
      counter(type).tp += 1;
    }
  }
  for (const type of predicted.values()) {
    overall.predicted += 1;
    counter(type).predicted += 1;
  }
  return {
    missing: [...gold.keys()].filter((k) => !predicted.has(k)),
    spurious: [...predicted.keys()].filter((k) => !gold.has(k)),
  };
}

function byTypeScores(counters: Map<string, Counter>): Record<string, TypeScores> {
  return Object.fromEntries([...counters.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([type, c]) => [type, c.scores()]));
}

export async function runExtractionEval(file: string = DEFAULT_GOLD_FILE, options: { extractor?: Extractor } = {}): Promise<ExtractionEvalReport> {
  const lines = await readGold(file);
  const extractor = options.extractor ?? new OfflineExtractor();
  const result = await extractor.extract(lines.map((line, i) => ({ chunkId: `gold-${i + 1}`, text: line.text, documentTitle: 'gold' })));
  const byChunk = new Map(result.extractions.map((e) => [e.chunkId, e]));
  const entityAll = new Counter();
  const relationAll = new Counter();
  const entityTypes = new Map<string, Counter>();
  const relationTypes = new Map<string, Counter>();
  let propertiesCompared = 0;
  let propertiesCorrect = 0;
  const mistakes: ExtractionEvalReport['mistakes'] = [];

  lines.forEach((line, i) => {
    const extraction = byChunk.get(`gold-${i + 1}`);
    const goldEntities = new Map(line.entities.map((e) => [entityKey(e.name, e.type), e.type]));
    const predictedEntities = new Map((extraction?.entities ?? []).map((e) => [entityKey(e.name, e.type), e.type]));
    const entityDiff = tally(goldEntities, predictedEntities, entityAll, entityTypes);

    const typeOf = new Map(line.entities.map((e) => [e.name, e.type]));
    const goldKey = (r: GoldRelation) => `${r.type}|${normalizeName(r.source, typeOf.get(r.source))}|${normalizeName(r.target, typeOf.get(r.target))}`;
    const predictedKey = (r: ExtractedRelation) => `${r.type}|${normalizeName(r.source.name, r.source.type)}|${normalizeName(r.target.name, r.target.type)}`;
    const goldRelations = new Map(line.relations.map((r) => [goldKey(r), r.type]));
    const predictedByKey = new Map((extraction?.relations ?? []).map((r) => [predictedKey(r), r]));
    const predictedRelations = new Map([...predictedByKey].map(([k, r]) => [k, r.type]));
    const relationDiff = tally(goldRelations, predictedRelations, relationAll, relationTypes);

    const propertyErrors: string[] = [];
    for (const gold of line.relations) {
      const predicted = predictedByKey.get(goldKey(gold));
      if (!predicted) continue;
      for (const [key, value] of Object.entries(gold.properties ?? {})) {
        propertiesCompared += 1;
        const got = predicted.properties?.[key];
        if (got !== undefined && foldText(String(got)) === foldText(String(value))) propertiesCorrect += 1;
        else propertyErrors.push(`${goldKey(gold)} ${key}: expected ${JSON.stringify(value)}, got ${JSON.stringify(got ?? null)}`);
      }
    }
    const missing = [...entityDiff.missing, ...relationDiff.missing];
    const spurious = [...entityDiff.spurious, ...relationDiff.spurious];
    if (missing.length || spurious.length || propertyErrors.length) mistakes.push({ text: line.text, missing, spurious, properties: propertyErrors });
  });

  const entityScores = entityAll.scores();
  const relationScores = relationAll.scores();
  return {
    entities: { precision: entityScores.precision, recall: entityScores.recall, f1: entityScores.f1, byType: byTypeScores(entityTypes) },
    relations: {
      precision: relationScores.precision,
      recall: relationScores.recall,
      f1: relationScores.f1,
      byType: byTypeScores(relationTypes),
      properties: { accuracy: propertiesCompared ? round(propertiesCorrect / propertiesCompared) : 1, compared: propertiesCompared },
    },
    sentences: lines.length,
    mistakes,
  };
}

export function formatExtractionReport(report: ExtractionEvalReport): string {
  const pct = (x: number) => (x * 100).toFixed(1).padStart(6);
  const row = (label: string, s: Scores & { support?: number }) =>
    `${label.padEnd(20)}${pct(s.precision)}${pct(s.recall)}${pct(s.f1)}${String(s.support ?? '').padStart(9)}`;
  const header = `${''.padEnd(20)}${'P'.padStart(6)}${'R'.padStart(6)}${'F1'.padStart(6)}${'support'.padStart(9)}`;
  const lines = [`extraction eval: ${report.sentences} sentences`, '', `ENTITIES`, header, row('all', report.entities)];
  for (const [type, s] of Object.entries(report.entities.byType)) lines.push(row(`  ${type}`, s));
  lines.push('', 'RELATIONS', header, row('all', report.relations));
  for (const [type, s] of Object.entries(report.relations.byType)) lines.push(row(`  ${type}`, s));
  const p = report.relations.properties;
  lines.push('', `relation properties: ${(p.accuracy * 100).toFixed(1)}% of ${p.compared} gold properties correct on matched relations`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const file = args.find((a) => !a.startsWith('--')) ?? DEFAULT_GOLD_FILE;
  const report = await runExtractionEval(path.resolve(file));
  process.stdout.write(formatExtractionReport(report) + '\n');
  if (verbose) {
    for (const m of report.mistakes) {
      const lines = [...m.missing.map((k) => `  - missed   ${k}`), ...m.spurious.map((k) => `  + spurious ${k}`), ...m.properties.map((k) => `  ~ property ${k}`)];
      process.stdout.write(`\n${m.text}\n${lines.join('\n')}\n`);
    }
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main().catch((err: unknown) => {
    process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}
