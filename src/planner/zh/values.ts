/**
 * Values and names a Chinese question gives, looked up in the graph: Chinese has no spaces, so
 * every substring of its Han runs (and every run of English words) is a candidate phrase, checked
 * against the short string properties of every label in one bounded statement per label — the
 * same statement the English grounding uses. The longest phrases found win.
 */
import { cypher } from '../../graph/cypher.ts';
import { fillNames, type SchemaCatalog } from '../../graph/catalog.ts';
import { int, type GraphExecutor } from '../../graph/executor.ts';
import { valueVariants } from './lexicon.ts';

export interface FoundValue {
  /** Character range in the (normalised) question. */
  start: number;
  end: number;
  /** The stored value, as stored. */
  value: string;
  label: string;
  property: string;
  isName: boolean;
}

const MAX_PHRASE_CHARS = 16;
const MAX_LATIN_WORDS = 5;
const VALUE_SCAN = 200_000;
/** kgrag's own bookkeeping properties: never what a question names. */
const HIDDEN = new Set(['id', 'type', 'createdAt', 'updatedAt', 'created', 'updated', 'collection', 'normalizedName']);

/** Candidate phrases with their character ranges. `single`: one-character words that may be values ("高"). */
export function candidatePhrases(text: string, singles: Array<{ start: number; end: number }> = []): Map<string, Array<{ start: number; end: number }>> {
  const out = new Map<string, Array<{ start: number; end: number }>>();
  const put = (key: string, start: number, end: number) => {
    if (!key) return;
    const spans = out.get(key) ?? [];
    if (!spans.some((s) => s.start === start && s.end === end)) spans.push({ start, end });
    out.set(key, spans);
  };
  const add = (start: number, end: number) => {
    const key = text.slice(start, end).toLowerCase().trim();
    put(key, start, end);
    // "阻塞" / "被阻塞" / "受阻" for a stored "已阻塞": the same state, said another way.
    for (const v of valueVariants(key)) put(v, start, end);
  };
  // Han runs, with English words and digits inside them ("Atlas项目", "HL7接口"): every substring of two or more characters.
  for (const m of text.matchAll(/[\p{Script=Han}A-Za-z0-9][\p{Script=Han}A-Za-z0-9 .&'’-]*/gu)) {
    const run = m[0].replace(/\s+$/, '');
    const at = m.index;
    for (let i = 0; i < run.length; i++) {
      if (/\s/.test(run[i]!)) continue;
      for (let j = i + 2; j <= Math.min(run.length, i + MAX_PHRASE_CHARS); j++) {
        if (/\s/.test(run[j - 1]!)) continue;
        // Inside an English word a phrase starts and ends at its edges ("Atlas", not "tla").
        if (/[A-Za-z0-9]/.test(run[i]!) && i > 0 && /[A-Za-z0-9]/.test(run[i - 1]!)) continue;
        if (/[A-Za-z0-9]/.test(run[j - 1]!) && j < run.length && /[A-Za-z0-9]/.test(run[j]!)) continue;
        add(at + i, at + j);
      }
    }
  }
  // Runs of English words: every sequence of up to five words.
  const words = [...text.matchAll(/[A-Za-z0-9][A-Za-z0-9&.'’-]*/g)];
  for (let i = 0; i < words.length; i++) {
    for (let j = i; j < Math.min(words.length, i + MAX_LATIN_WORDS); j++) {
      if (j > i && !/^\s+$/.test(text.slice(words[j - 1]!.index + words[j - 1]![0].length, words[j]!.index))) break;
      add(words[i]!.index, words[j]!.index + words[j]![0].length);
    }
  }
  for (const s of singles) add(s.start, s.end);
  // Quoted phrases, whatever they contain.
  for (const m of text.matchAll(/["“「『'‘]([^"”」』'’]+)["”」』'’]/g)) add(m.index + 1, m.index + 1 + m[1]!.length);
  return out;
}

export async function findValues(
  db: GraphExecutor,
  catalog: SchemaCatalog,
  text: string,
  opts: { collections: string[] | null; timeoutMs?: number; singles?: Array<{ start: number; end: number }> },
): Promise<FoundValue[]> {
  const phrases = candidatePhrases(text, opts.singles);
  if (phrases.size === 0) return [];
  const kgrag = catalog.internal.documents || catalog.collections !== null;
  const labels = catalog.labels;
  const params = { phrases: [...phrases.keys()], acronyms: [], collections: opts.collections, scan: int(VALUE_SCAN), maxIds: int(50) };
  const found: FoundValue[] = [];
  await Promise.all(
    labels.map(async (l) => {
      const props = l.properties
        .filter((p) => !(kgrag && HIDDEN.has(p.name)) && p.types.some((t) => t === 'STRING' || t === 'LIST<STRING>') && (p.maxLength ?? 0) <= 200)
        .map((p) => p.name);
      if (props.length === 0) return;
      const rows = await db.read(fillNames(cypher('planner/value-lookup'), { __LABEL__: l.stored ?? l.label }), { ...params, props }, { timeoutMs: opts.timeoutMs ?? 5000 });
      for (const row of rows) {
        const property = String(row.key);
        for (const span of phrases.get(String(row.phrase)) ?? []) {
          found.push({ ...span, value: String(row.value), label: l.label, property, isName: property === l.nameProperty || property === 'aliases' });
        }
      }
    }),
  );
  return found;
}

/** Longest first, no overlaps; a phrase kept once however many labels hold it. */
export function longestFirst(found: FoundValue[]): FoundValue[] {
  const chosen: FoundValue[] = [];
  for (const v of [...found].sort((a, b) => b.end - b.start - (a.end - a.start) || a.start - b.start)) {
    if (chosen.some((c) => c.start < v.end && v.start < c.end)) continue;
    chosen.push(v);
  }
  return chosen.sort((a, b) => a.start - b.start);
}
