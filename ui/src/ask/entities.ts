/**
 * The nodes an answer is about: the entities of its rows and of the facts its cited passages
 * support. These are what the graph highlights and what names in the answer link to. A "not
 * found" answer is about nothing, and a fact that merely sat in the retrieved context (no cited
 * passage supports it) is not part of the answer.
 */
import { query, type Api, type AskResult, type EntitySummary, type GraphFact, type Page } from '../api.ts';

export interface EntityRef { id: string; name: string; type: string; collection: string }
export interface AnswerGraph {
  nodes: EntityRef[];
  edges: Array<{ source: string; target: string; type: string }>;
  /** Every name the answer can link, to its node. */
  byName: Map<string, EntityRef>;
}

/** Row values resolved per page: a name looked up once, whichever answer shows it. */
const MAX_ROW_NAMES = 40;

/** The facts an answer rests on: those a cited passage supports (imported records cite no passage). */
export function answerFacts(r: AskResult): GraphFact[] {
  if (!r.found || r.plan.strategy === 'none') return [];
  const cited = new Set(r.citations.map((c) => c.chunkId));
  return r.facts.filter((f) => f.chunkIds.some((id) => cited.has(id)));
}

/** The entity names in the answer's rows: the `name` column (and `names` lists) the structured answer returns. */
export function rowNames(r: AskResult): string[] {
  if (!r.found || r.plan.strategy === 'none') return [];
  const names = new Set<string>();
  for (const row of r.rows) {
    for (const [column, value] of Object.entries(row)) {
      if (!/(^|_)names?$/i.test(column)) continue;
      for (const v of Array.isArray(value) ? value : [value]) if (typeof v === 'string' && v.trim()) names.add(v);
    }
  }
  return [...names].slice(0, MAX_ROW_NAMES);
}

export class EntityResolver {
  private readonly cache = new Map<string, Promise<EntityRef | undefined>>();

  constructor(private readonly api: Api) {}

  /**
   * The one entity with exactly this name (case aside) in the collection, or undefined when there
   * is none or several: a link to the wrong node would be worse than no link.
   */
  resolve(name: string, collection: string): Promise<EntityRef | undefined> {
    const key = `${collection}\u0000${name}`;
    let found = this.cache.get(key);
    if (!found) {
      found = this.api
        .get<Page<EntitySummary>>(`/v1/entities${query({ q: name, collection, limit: 50 })}`)
        .then((page) => {
          const same = page.items.filter((e) => e.name.toLowerCase() === name.toLowerCase());
          return same.length === 1 ? { id: same[0]!.id, name: same[0]!.name, type: same[0]!.type, collection: same[0]!.collection } : undefined;
        })
        .catch(() => {
          this.cache.delete(key); // a failed look-up may succeed next time
          return undefined;
        });
      this.cache.set(key, found);
    }
    return found;
  }

  async answerGraph(r: AskResult, collection: string): Promise<AnswerGraph> {
    const byName = new Map<string, EntityRef>();
    const nodes = new Map<string, EntityRef>();
    const edges: AnswerGraph['edges'] = [];
    const ambiguous = new Set<string>();
    const add = (e: EntityRef) => {
      nodes.set(e.id, e);
      const same = byName.get(e.name);
      if (same && same.id !== e.id) ambiguous.add(e.name); // two nodes, one name: link neither
      byName.set(e.name, e);
    };
    for (const f of answerFacts(r)) {
      add({ id: f.subjectId, name: f.subject, type: f.subjectType, collection: '' });
      add({ id: f.objectId, name: f.object, type: f.objectType, collection: '' });
      edges.push({ source: f.subjectId, target: f.objectId, type: f.predicate });
    }
    // An entity of the context that the written answer names is part of the answer too.
    if (r.found && r.plan.strategy !== 'none') {
      for (const f of r.facts) {
        for (const e of [{ id: f.subjectId, name: f.subject, type: f.subjectType, collection: '' }, { id: f.objectId, name: f.object, type: f.objectType, collection: '' }]) {
          if (!nodes.has(e.id) && names(r.answer, e.name)) add(e);
        }
      }
    }
    const resolved = await Promise.all(rowNames(r).map((n) => this.resolve(n, collection)));
    for (const e of resolved) if (e) add(e);
    for (const name of ambiguous) byName.delete(name);
    return { nodes: [...nodes.values()].filter((e) => !ambiguous.has(e.name)), edges, byName };
  }
}

/** Whether `text` names `name` as a whole word (names of one letter or digit are too likely to be chance). */
export function names(text: string, name: string): boolean {
  if (name.trim().length < 2) return false;
  return wordRe([name]).test(text);
}

/**
 * A pattern matching any of `list` where it is not part of a longer word. Chinese and Japanese
 * text has no spaces between words, so a name's Han edge needs no boundary; a Latin edge does
 * ("Ann" is not in "Annual").
 */
export function wordRe(list: string[]): RegExp {
  const han = /\p{Script=Han}/u;
  const alternatives = [...list]
    .sort((a, b) => b.length - a.length)
    .map((n) => {
      const body = n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const before = han.test(n[0] ?? '') ? '' : '(?<![\\p{L}\\p{N}_])';
      const after = han.test(n[n.length - 1] ?? '') ? '' : '(?![\\p{L}\\p{N}_])';
      return `${before}${body}${after}`;
    });
  return new RegExp(`(${alternatives.join('|')})`, 'u');
}
