import { chunkSource, fact } from '../domain/facts.ts';
import type { ChunkExtraction, ScalarValue } from '../extraction/types.ts';
import { VALUE_TYPES } from '../extraction/types.ts';
import { RESERVED_PROPERTIES, isSafePropertyKey, toLabel, toPropertyKey, toRelType } from '../graph/names.ts';
import { matchEntity, type MatchMethod } from './matching.ts';
import { acronymOf, entityId, normalizeName } from './normalize.ts';

/**
 * Entity resolution for one document: mentions are first clustered inside the document ("Jane
 * Smith" … "Smith"; "International Business Machines (IBM)" … "IBM"), then each cluster is linked
 * to an entity the collection already holds — an imported record or an entity from another
 * document — or becomes a new entity. Nothing is ever linked across collections: the lookup is
 * bound to one collection. A graph kgrag did not build, in the same database, is consulted first:
 * a cluster whose name is exactly the display name of one of its nodes of the same label (a
 * document's "Keanu Reeves" and an existing `:Person {name: 'Keanu Reeves'}`) is linked to that
 * node by MENTIONS only; kgrag never writes properties, labels or other relationships there.
 */

export interface ExistingEntity {
  id: string;
  type: string;
  name: string;
  normalizedName: string;
  aliases: string[];
  imported: boolean;
}

/** How the resolver sees the graph (implemented over a transaction in src/graph/entities.ts). */
export interface EntityLookup {
  /** Entities of the collection with one of these (type, normalizedName) pairs. */
  byNormalizedNames(items: Array<{ type: string; key: string }>): Promise<ExistingEntity[]>;
  /**
   * For each item, entities of the collection and type whose name or aliases resemble its name
   * (fulltext), for fuzzy matching: one list per item, in order. One call per document, not one per name.
   */
  candidates(items: Array<{ type: string; name: string }>): Promise<ExistingEntity[][]>;
  /**
   * Nodes of a graph kgrag did not build with label `type` whose display name is one of `names`
   * exactly (id: the node's elementId). Absent: no such graph.
   */
  graphNodes?(type: string, names: string[]): Promise<Array<{ id: string; name: string }>>;
}

export interface EntityWrite {
  id: string;
  type: string;
  name: string;
  normalizedName: string;
  aliases: string[];
  aliasKeys: string[];
  properties: Record<string, ScalarValue>;
  facts: string[];
}

export interface MentionWrite {
  chunkId: string;
  entityId: string;
  surfaces: string[];
  count: number;
  method: ResolutionMethod;
  score: number;
}

export interface RelationWrite {
  sourceId: string;
  targetId: string;
  type: string;
  chunkIds: string[];
  properties: Record<string, ScalarValue>;
  facts: string[];
  confidence: number;
  evidence: string | null;
}

export type ResolutionMethod = MatchMethod | 'new' | 'graph';

export interface ResolutionPlan {
  entities: EntityWrite[];
  mentions: MentionWrite[];
  /** Mentions of nodes of the graph kgrag did not build (entityId: their elementId). */
  graphMentions: MentionWrite[];
  relations: RelationWrite[];
  stats: { mentions: number; linked: number; created: number; dropped: number; relations: number };
}


/** Common synonyms from LLMs and user schemas for the types resolution knows best. */
const TYPE_SYNONYMS: Record<string, string> = {
  Organisation: 'Organization',
  Company: 'Organization',
  Org: 'Organization',
  Corporation: 'Organization',
  Location: 'Place',
  Human: 'Person',
  People: 'Person',
};

const MAX_NAME_LENGTH = 200;
const FUZZY_THRESHOLD = 0.8;

export interface Cluster {
  type: string;
  /** All normalised forms that identify the cluster (names and aliases). */
  keys: Set<string>;
  surfaces: Map<string, number>;
  aliases: Set<string>;
  /** chunkId → surfaces seen in it */
  chunks: Map<string, string[]>;
  properties: Array<{ key: string; value: ScalarValue; chunkId: string }>;
  parent: Cluster | null;
}

export function canonicalType(raw: string): string | null {
  try {
    const label = toLabel(raw);
    return TYPE_SYNONYMS[label] ?? label;
  } catch {
    return null;
  }
}

function root(c: Cluster): Cluster {
  let r = c;
  while (r.parent) r = r.parent;
  return r;
}

function union(into: Cluster, from: Cluster): void {
  const a = root(into);
  const b = root(from);
  if (a === b) return;
  b.parent = a;
  for (const k of b.keys) a.keys.add(k);
  for (const [s, n] of b.surfaces) a.surfaces.set(s, (a.surfaces.get(s) ?? 0) + n);
  for (const alias of b.aliases) a.aliases.add(alias);
  for (const [chunk, surfaces] of b.chunks) a.chunks.set(chunk, [...(a.chunks.get(chunk) ?? []), ...surfaces]);
  a.properties.push(...b.properties);
}

/** The most complete surface form: most words, then most frequent, then alphabetical. */
function canonicalName(c: Cluster): string {
  return [...c.surfaces.entries()].sort(
    (x, y) => y[0].split(/\s+/).length - x[0].split(/\s+/).length || y[1] - x[1] || x[0].localeCompare(y[0]),
  )[0]![0];
}

export class DocumentClusters {
  readonly byKey = new Map<string, Cluster>();

  add(entity: { name: string; type: string; aliases?: string[]; properties?: Record<string, ScalarValue> }, chunkId: string): Cluster | null {
    const type = canonicalType(entity.type);
    const name = entity.name.trim().replace(/\s+/g, ' ');
    if (!type || VALUE_TYPES.has(type) || !name || name.length > MAX_NAME_LENGTH) return null;
    const key = normalizeName(name, type);
    if (!key) return null;
    const id = `${type}\u0000${key}`;
    let cluster = this.byKey.get(id);
    if (!cluster) {
      cluster = { type, keys: new Set([key]), surfaces: new Map(), aliases: new Set(), chunks: new Map(), properties: [], parent: null };
      this.byKey.set(id, cluster);
    }
    cluster.surfaces.set(name, (cluster.surfaces.get(name) ?? 0) + 1);
    cluster.chunks.set(chunkId, [...(cluster.chunks.get(chunkId) ?? []), name]);
    for (const alias of entity.aliases ?? []) {
      const a = alias.trim();
      const aliasKey = normalizeName(a, type);
      if (a && aliasKey && a.length <= MAX_NAME_LENGTH) {
        cluster.aliases.add(a);
        cluster.keys.add(aliasKey);
      }
    }
    for (const [k, v] of Object.entries(entity.properties ?? {})) {
      const propKey = safePropertyKey(k);
      if (propKey && isScalar(v)) cluster.properties.push({ key: propKey, value: v, chunkId });
    }
    return cluster;
  }

  find(name: string, rawType: string): Cluster | undefined {
    const type = canonicalType(rawType);
    if (!type) return undefined;
    const c = this.byKey.get(`${type}\u0000${normalizeName(name.trim(), type)}`);
    return c ? root(c) : undefined;
  }

  /** Joins short forms to the one full form they can stand for in this document. */
  mergeShortForms(): Set<Cluster> {
    const ambiguous = new Set<Cluster>();
    const all = [...this.byKey.values()];
    for (const c of all) {
      for (const other of all) {
        if (c !== other && c.type === other.type && [...c.aliases].some((a) => other.keys.has(normalizeName(a, c.type)))) union(c, other);
      }
    }
    for (const short of all) {
      if (root(short) !== short) continue;
      const key = [...short.keys][0]!;
      const candidates = new Set(
        all
          .map(root)
          .filter((full) => full !== short && full.type === short.type && standsFor(key, full, short.type)),
      );
      if (candidates.size === 1) union([...candidates][0]!, short);
      else if (candidates.size > 1 || (short.type === 'Person' && !key.includes(' ') && !HAN_FULL_NAME.test(key))) ambiguous.add(short);
    }
    return ambiguous;
  }

  roots(): Cluster[] {
    return [...new Set([...this.byKey.values()].map(root))];
  }
}

/** A Chinese personal name is written without spaces: two to four characters are a full name (张伟, 欧阳明远). */
const HAN_FULL_NAME = /^\p{Script=Han}{2,4}$/u;
const HAN_ONLY = /^\p{Script=Han}+$/u;

/** "smith" stands for "jane smith"; "ibm" for "international business machines"; "acme" for "acme analytics"; "云杉数据" for "云杉数据科技". */
function standsFor(shortKey: string, full: Cluster, type: string): boolean {
  if (shortKey.includes(' ') && type === 'Person') return false;
  for (const fullKey of full.keys) {
    // Chinese organisation names are not spaced: the short form is the start of the full name.
    if (type !== 'Person' && HAN_ONLY.test(shortKey) && shortKey.length >= 2 && HAN_ONLY.test(fullKey) && fullKey.length > shortKey.length && fullKey.startsWith(shortKey)) return true;
    const tokens = fullKey.split(' ');
    if (tokens.length < 2) continue;
    if (type === 'Person' && (tokens[tokens.length - 1] === shortKey || tokens[0] === shortKey)) return true;
    if (type !== 'Person') {
      if (acronymOf(fullKey) === shortKey.replace(/ /g, '')) return true;
      if (fullKey.startsWith(shortKey + ' ')) return true;
    }
  }
  return false;
}

function isScalar(v: unknown): v is ScalarValue {
  return typeof v === 'string' || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v));
}

function safePropertyKey(raw: string): string | null {
  try {
    const key = toPropertyKey(raw);
    return isSafePropertyKey(key) && !RESERVED_PROPERTIES.has(key) ? key : null;
  } catch {
    return null;
  }
}

function safeRelType(raw: string): string | null {
  try {
    return toRelType(raw);
  } catch {
    return null;
  }
}

/** What the graph is asked about one cluster: its exact keys, and its name (and aliases) for the fuzzy look-up. */
export interface LookupNeed {
  type: string;
  keys: string[];
  name: string;
  aliases: string[];
}

/** A document's mentions clustered (no graph read yet), and what resolving them will look up. */
export interface ClusteredDocument {
  readonly extractions: ChunkExtraction[];
  readonly needs: LookupNeed[];
  readonly clusters: DocumentClusters;
  readonly roots: Cluster[];
  readonly ambiguous: Set<Cluster>;
  readonly mentionCount: number;
  readonly dropped: number;
}

/** Clusters a document's mentions: the in-document half of resolution, which reads nothing. */
export function clusterDocument(extractions: ChunkExtraction[]): ClusteredDocument {
  const clusters = new DocumentClusters();
  let mentionCount = 0;
  for (const ex of extractions) {
    for (const e of ex.entities) if (clusters.add(e, ex.chunkId)) mentionCount++;
    // Relation endpoints are mentions too, even if the extractor did not list them as entities.
    for (const r of ex.relations) {
      if (!clusters.find(r.source.name, r.source.type)) clusters.add(r.source, ex.chunkId);
      if (!clusters.find(r.target.name, r.target.type)) clusters.add(r.target, ex.chunkId);
    }
  }
  const ambiguous = clusters.mergeShortForms();
  const roots = clusters.roots().filter((c) => !ambiguous.has(c));
  const dropped = clusters.roots().length - roots.length;
  const needs = roots.map((c) => ({ type: c.type, keys: [...c.keys], name: canonicalName(c), aliases: [...c.aliases] }));
  return { extractions, needs, clusters, roots, ambiguous, mentionCount, dropped };
}

export async function resolveDocument(
  collection: string,
  extractions: ChunkExtraction[],
  lookup: EntityLookup,
): Promise<ResolutionPlan> {
  return resolveClustered(collection, clusterDocument(extractions), lookup);
}

/** Links a clustered document's clusters to the collection's entities (or new ones) and plans the writes. */
export async function resolveClustered(collection: string, doc: ClusteredDocument, lookup: EntityLookup): Promise<ResolutionPlan> {
  const { extractions, clusters, roots, ambiguous, mentionCount, dropped } = doc;
  const resolved = await linkToGraph(collection, roots, lookup);
  const entities: EntityWrite[] = [];
  const mentions: MentionWrite[] = [];
  const graphMentions: MentionWrite[] = [];
  for (const c of roots) {
    const r = resolved.get(c)!;
    if (r.method === 'graph') {
      for (const [chunkId, surfaces] of c.chunks) {
        graphMentions.push({ chunkId, entityId: r.id, surfaces: [...new Set(surfaces)], count: surfaces.length, method: r.method, score: r.score });
      }
      continue;
    }
    const names = new Set([...c.surfaces.keys(), ...c.aliases]);
    const aliases = [...names].filter((n) => n.toLowerCase() !== r.name.toLowerCase()).sort();
    entities.push({
      id: r.id,
      type: c.type,
      name: r.name,
      normalizedName: normalizeName(r.name, c.type),
      aliases,
      aliasKeys: [...new Set(aliases.map((a) => normalizeName(a, c.type)))].sort(),
      properties: firstValues(c.properties),
      facts: c.properties.map((p) => fact(p.key, p.value, chunkSource(p.chunkId))),
    });
    for (const [chunkId, surfaces] of c.chunks) {
      mentions.push({ chunkId, entityId: r.id, surfaces: [...new Set(surfaces)], count: surfaces.length, method: r.method, score: r.score });
    }
  }

  const relations = new Map<string, RelationWrite>();
  for (const ex of extractions) {
    for (const rel of ex.relations) {
      const type = safeRelType(rel.type);
      const s = clusters.find(rel.source.name, rel.source.type);
      const t = clusters.find(rel.target.name, rel.target.type);
      if (!type || !s || !t || ambiguous.has(s) || ambiguous.has(t)) continue;
      // The graph kgrag did not build gets no relationships from documents, only MENTIONS.
      if (resolved.get(s)!.method === 'graph' || resolved.get(t)!.method === 'graph') continue;
      const sourceId = resolved.get(s)!.id;
      const targetId = resolved.get(t)!.id;
      if (sourceId === targetId) continue;
      const key = `${sourceId}|${type}|${targetId}`;
      let w = relations.get(key);
      if (!w) {
        w = { sourceId, targetId, type, chunkIds: [], properties: {}, facts: [], confidence: 0, evidence: rel.evidence ?? null };
        relations.set(key, w);
      }
      if (!w.chunkIds.includes(ex.chunkId)) w.chunkIds.push(ex.chunkId);
      w.confidence = Math.max(w.confidence, rel.confidence);
      for (const [k, v] of Object.entries(rel.properties ?? {})) {
        const propKey = safePropertyKey(k);
        if (!propKey || !isScalar(v)) continue;
        w.properties[propKey] ??= v;
        const f = fact(propKey, v, chunkSource(ex.chunkId));
        if (!w.facts.includes(f)) w.facts.push(f);
      }
    }
  }
  const linked = roots.filter((c) => resolved.get(c)!.method !== 'new').length;
  return {
    entities,
    mentions,
    graphMentions,
    relations: [...relations.values()],
    stats: { mentions: mentionCount, linked, created: roots.length - linked, dropped, relations: relations.size },
  };
}

function firstValues(props: Cluster['properties']): Record<string, ScalarValue> {
  const out: Record<string, ScalarValue> = {};
  for (const p of props) out[p.key] ??= p.value;
  return out;
}

interface Resolution {
  id: string;
  name: string;
  method: ResolutionMethod;
  score: number;
}

async function linkToGraph(collection: string, clusters: Cluster[], lookup: EntityLookup): Promise<Map<Cluster, Resolution>> {
  const out = new Map<Cluster, Resolution>();
  const graph = await linkToExistingGraph(clusters, lookup);
  const items = clusters.filter((c) => !graph.has(c)).flatMap((c) => [...c.keys].map((key) => ({ type: c.type, key })));
  const exact = items.length ? await lookup.byNormalizedNames(items) : [];
  for (const [c, r] of graph) out.set(c, r);
  const named = clusters.filter((c) => !graph.has(c)).map((c) => {
    const name = canonicalName(c);
    const canonicalKey = normalizeName(name, c.type);
    const hits = exact.filter((e) => e.type === c.type && c.keys.has(e.normalizedName));
    return { c, name, canonicalKey, exact: pickExisting(hits, canonicalKey) };
  });
  // Fuzzy candidates for every cluster without an exact hit, in one look-up.
  const fuzzy = named.filter((n) => !n.exact);
  const found = fuzzy.length ? await lookup.candidates(fuzzy.map((n) => ({ type: n.c.type, name: n.name }))) : [];
  const candidatesOf = new Map(fuzzy.map((n, i) => [n.c, found[i] ?? []]));
  for (const { c, name, canonicalKey, exact: hit } of named) {
    let best = hit;
    let method: ResolutionMethod = best ? (best.normalizedName === canonicalKey ? 'exact' : 'alias') : 'new';
    let score = best ? 1 : 0;
    if (!best) {
      const candidates = (candidatesOf.get(c) ?? []).filter((e) => e.type === c.type);
      for (const candidate of candidates) {
        if (candidate.type !== c.type) continue;
        const names = [name, ...c.aliases];
        for (const n of names) {
          const m = matchEntity(n, c.type, candidate);
          if (m && m.score >= FUZZY_THRESHOLD && m.score > score) {
            best = candidate;
            method = m.method;
            score = m.score;
          }
        }
      }
      // "Acme" in a memo is the collection's one "Acme Analytics" — but only when there is exactly one.
      if (!best) {
        const prefixed = candidates.filter((e) => standsForLonger(canonicalKey, c.type, e));
        if (prefixed.length === 1) {
          best = prefixed[0];
          method = 'fuzzy';
          score = FUZZY_THRESHOLD;
        }
      }
    }
    out.set(c, best ? { id: best.id, name: best.name, method, score } : { id: entityId(collection, c.type, canonicalKey), name, method: 'new', score: 1 });
  }
  return out;
}

/** A one-word name that is not a person's stands for a longer one it starts ("acme" → "acme analytics"). */
function standsForLonger(key: string, type: string, candidate: ExistingEntity): boolean {
  return type !== 'Person' && !key.includes(' ') && candidate.normalizedName.startsWith(key + ' ');
}

/**
 * Whether a fuzzy candidate can decide how a cluster is linked in linkToGraph: one of the
 * cluster's names matches it well enough, or the cluster's one word stands for it. Any other
 * candidate is passed over there, wherever it ranks.
 */
export function candidateMatters(need: Pick<LookupNeed, 'type' | 'name' | 'aliases'>, candidate: ExistingEntity): boolean {
  if (candidate.type !== need.type) return false;
  if ([need.name, ...need.aliases].some((n) => (matchEntity(n, need.type, candidate)?.score ?? 0) >= FUZZY_THRESHOLD)) return true;
  return standsForLonger(normalizeName(need.name, need.type), need.type, candidate);
}

/**
 * Clusters named exactly like exactly one node of the existing graph's label of the same type: its
 * names as written (surfaces and aliases), compared with the display name as stored, so that the
 * lookup can use the graph's own index on that property. Two nodes with the name: not linked.
 */
async function linkToExistingGraph(clusters: Cluster[], lookup: EntityLookup): Promise<Map<Cluster, Resolution>> {
  const out = new Map<Cluster, Resolution>();
  if (!lookup.graphNodes) return out;
  const byType = new Map<string, Cluster[]>();
  for (const c of clusters) byType.set(c.type, [...(byType.get(c.type) ?? []), c]);
  for (const [type, group] of byType) {
    const namesOf = (c: Cluster) => [...new Set([...c.surfaces.keys(), ...c.aliases])];
    const nodes = await lookup.graphNodes(type, [...new Set(group.flatMap(namesOf))]);
    if (nodes.length === 0) continue;
    for (const c of group) {
      const names = new Set(namesOf(c));
      const hits = [...new Map(nodes.filter((n) => names.has(n.name)).map((n) => [n.id, n])).values()];
      if (hits.length === 1) out.set(c, { id: hits[0]!.id, name: hits[0]!.name, method: 'graph', score: 1 });
    }
  }
  return out;
}

/** Among exact hits: the one named exactly so, imported records first, then the oldest id. */
function pickExisting(hits: ExistingEntity[], canonicalKey: string): ExistingEntity | undefined {
  return [...hits].sort(
    (a, b) =>
      Number(b.normalizedName === canonicalKey) - Number(a.normalizedName === canonicalKey) ||
      Number(b.imported) - Number(a.imported) ||
      a.id.localeCompare(b.id),
  )[0];
}
