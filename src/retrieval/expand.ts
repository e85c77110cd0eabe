import type { SearchResult } from '../domain/types.ts';
import { InputError, errorMessage } from '../errors.ts';
import { cypher } from '../graph/cypher.ts';
import { int, type GraphExecutor, type Params, type Row } from '../graph/executor.ts';
import { toLuceneQuery } from '../graph/search.ts';
import type { Logger } from '../logging.ts';
import type { ContextPassage, CypherRun, GraphFact, RetrievedContext } from '../planner/types.ts';
import { aboutness, askedStems, combineLinks, hitPrior, sentencesNaming, specificity, withinBudget } from './expand-rank.ts';
import { containsName, contentStems, isStopWord, termCoverage, tokens } from './terms.ts';

/**
 * Graph expansion of an open question's search hits. Entities named in the question and entities
 * mentioned by the top hits bring in the passages that mention them (a hit says "directed by Z",
 * the question asks where the director was born: Z's own passage answers it), their relationships
 * (up to `hops` away, at most `fanout` per entity) and the passages around the top hits.
 * Everything is ranked together within a budget, the hits' own order staying strong. Every
 * statement is scoped to the caller's collections and capped.
 */

export interface ExpandInput {
  question: string;
  /** Search hits (hybrid), best first. */
  hits: SearchResult[];
  /** Collections the caller may read; nothing outside them is ever returned. */
  collections: string[];
  /** Entities the caller already found in the question; otherwise looked up by name. */
  questionEntityIds?: string[];
  /** The question's embedding: orders linked passages by meaning (otherwise by shared words). */
  questionEmbedding?: number[];
  /** Relationship hops followed from the seed entities: 0 to 2, default 1. */
  hops?: number;
  /** Most relationships and most linked passages taken per entity: 1 to 200, default 20. */
  fanout?: number;
  /** Top hits whose entities and neighbours are followed, default 5. */
  seeds?: number;
  /** Size of the returned context: passages (default 8) and, optionally, characters of text. */
  budget?: { passages: number; chars?: number };
  /** Most facts returned, default 20. */
  maxFacts?: number;
}

export interface ExpandDeps {
  logger?: Logger;
}

export const MAX_HOPS = 2;
export const MAX_FANOUT = 200;
const DEFAULTS = { hops: 1, fanout: 20, seeds: 5, passages: 8, maxFacts: 20 };

/** Entities that pull in passages: beyond this many, weights are too small to change the ranking. */
const MAX_ENTITIES = 40;
/** Entities taken from each seed passage. */
const ENTITIES_PER_CHUNK = 50;
/** Candidates from the entity-name index checked against the question. */
const QUESTION_ENTITY_CANDIDATES = 100;
/** Entities whose relationships are followed from each hop's frontier. */
const FRONTIER = 12;
/** Top hits whose preceding and following passages join the candidates. */
const NEIGHBOUR_SEEDS = 3;
/** Name lookups for entities no other passage mentions, and passages taken per name. */
const MAX_NAME_LOOKUPS = 20;
const NAME_LOOKUP_PASSAGES = 2;
/** Passages of one entity compared with the question by embedding (the rest by mention count). */
const SIMILARITY_POOL = 500;
/** Below this weight an entity does not pull in passages. */
const MIN_ENTITY_WEIGHT = 0.1;

// Ranking weights. A linked passage scores at most LINK_WEIGHT of the top hit, so the best search
// hit stays first and strongly linked passages land among the first hits, not after all of them.
const LINK_WEIGHT = 0.8;
const NEIGHBOUR_WEIGHT = 0.45;
/** A name match found by text search is weaker evidence than a mention the graph resolved. */
const NAME_LOOKUP_DISCOUNT = 0.7;
/** Each relationship hop keeps this share of the weight of the entity it starts from. */
const HOP_DECAY = 0.5;
/** How much the words around an entity's mention in a seed move its weight (0: not at all). */
const CONTEXT_WEIGHT = 0.4;
/** How much similarity to the question moves a linked passage (0: not at all). */
const SIMILARITY_WEIGHT = 0.5;

interface EntityRef {
  id: string;
  name: string;
  type: string;
  /** Passages that mention it. */
  df: number;
}

interface EntityState extends EntityRef {
  weight: number;
  fromQuestion: boolean;
}

interface Candidate {
  chunkId: string;
  via: ContextPassage['via'];
  /** Search rank, when the passage is a hit (ties are broken by it). */
  rank?: number;
  /** Score from search or adjacency, before links. */
  prior: number;
  /** Entities linking the passage, with their weight and how the passage names them. */
  links: Map<string, { weight: number; surfaces: string[] }>;
}

type Reader = (name: string, params: Params) => Promise<Row[]>;

/** What one expansion accumulates; each step below reads and adds to it. */
interface Expansion {
  read: Reader;
  input: ExpandInput;
  collections: string[];
  hits: SearchResult[];
  seeds: SearchResult[];
  embedding: number[] | null;
  questionStems: string[];
  entities: Map<string, EntityState>;
  /** Seed hits' strength: their search prior, raised when they are about an entity the question names. */
  seedStrength: Map<string, number>;
  facts: Map<string, { fact: GraphFact; weight: number }>;
  candidates: Map<string, Candidate>;
}

export async function expandContext(db: GraphExecutor, input: ExpandInput, deps: ExpandDeps = {}): Promise<RetrievedContext> {
  const hops = input.hops ?? DEFAULTS.hops;
  const fanout = input.fanout ?? DEFAULTS.fanout;
  const seedCount = input.seeds ?? DEFAULTS.seeds;
  const budget = { passages: input.budget?.passages ?? DEFAULTS.passages, chars: input.budget?.chars };
  const maxFacts = input.maxFacts ?? DEFAULTS.maxFacts;
  checkInteger('hops', hops, 0, MAX_HOPS);
  checkInteger('fanout', fanout, 1, MAX_FANOUT);
  checkInteger('seeds', seedCount, 0, 100);
  checkInteger('budget.passages', budget.passages, 1, 1000);
  checkInteger('maxFacts', maxFacts, 0, 1000);
  if (budget.chars !== undefined) checkInteger('budget.chars', budget.chars, 1, 10_000_000);

  const runs: CypherRun[] = [];
  if (input.collections.length === 0) return { passages: [], facts: [], entities: [], cypher: runs };
  const scope = new Set(input.collections);
  const hits = dedupeHits(input.hits.filter((h) => scope.has(h.collection)));
  const x: Expansion = {
    read: readerFor(db, runs, deps.logger),
    input,
    collections: input.collections,
    hits,
    seeds: hits.slice(0, seedCount),
    embedding: input.questionEmbedding ?? null,
    questionStems: contentStems(input.question),
    entities: new Map(),
    seedStrength: new Map(),
    facts: new Map(),
    candidates: new Map(),
  };

  await seedEntities(x);
  await followRelationships(x, hops, fanout);
  await gatherCandidates(x, fanout);
  const ranked = await rankCandidates(x);

  const entities = [...x.entities.values()]
    .sort((a, b) => Number(b.fromQuestion) - Number(a.fromQuestion) || b.weight - a.weight || a.id.localeCompare(b.id))
    .slice(0, MAX_ENTITIES)
    .map(({ id, name, type }) => ({ id, name, type }));
  const facts = [...x.facts.values()]
    .sort((a, b) => b.weight - a.weight)
    .slice(0, maxFacts)
    .map((f) => f.fact);
  deps.logger?.debug({ candidates: x.candidates.size, entities: x.entities.size, facts: x.facts.size }, 'graph expansion');
  return { passages: withinBudget(ranked, budget), facts, entities, cypher: runs };
}

// ---------------------------------------------------------------------------------------------
// Steps

/** Entities named in the question, and those the top hits mention, weighted by where they come from. */
async function seedEntities(x: Expansion): Promise<void> {
  for (const e of await questionEntities(x)) raise(x, e, 1, true);
  x.seeds.forEach((h, rank) => x.seedStrength.set(h.chunkId, hitPrior(rank)));
  if (x.seeds.length === 0) return;
  const rows = await x.read('retrieval/chunk-entities', {
    chunkIds: x.seeds.map((h) => h.chunkId),
    collections: x.collections,
    perChunk: int(ENTITIES_PER_CHUNK),
  });
  const seedOf = new Map(x.seeds.map((h) => [h.chunkId, h]));
  const surfacesOf = (r: Row) => (r.surfaces as string[] | null) ?? [];

  // A seed about an entity the question names is stronger than its search rank says, and its
  // entities carry that strength (the film's passage, then the film's director). The question's
  // wording makes the name precise however common it is, so no damping for frequency here.
  for (const r of rows) {
    const named = x.entities.get(r.id as string);
    const seed = seedOf.get(r.chunkId as string);
    if (!named?.fromQuestion || !seed) continue;
    const strength = LINK_WEIGHT * aboutness(seed.title, seed.text, named.name, surfacesOf(r));
    x.seedStrength.set(seed.chunkId, Math.max(x.seedStrength.get(seed.chunkId) ?? 0, strength));
  }

  // Within a seed, the entity named among the question's other words ("directed by Z" for "the
  // director of …") is the likely bridge; entities named elsewhere in the passage count less.
  const asked = askedStems(x.questionStems, [...x.entities.values()].filter((e) => e.fromQuestion).map((e) => e.name));
  const relevance = rows.map((r) => termCoverage(asked, sentencesNaming(seedOf.get(r.chunkId as string)?.text ?? '', surfacesOf(r))));
  const bestInSeed = new Map<string, number>();
  rows.forEach((r, i) => bestInSeed.set(r.chunkId as string, Math.max(bestInSeed.get(r.chunkId as string) ?? 0, relevance[i]!)));
  rows.forEach((r, i) => {
    const best = bestInSeed.get(r.chunkId as string) ?? 0;
    const context = best > 0 ? 1 - CONTEXT_WEIGHT + (CONTEXT_WEIGHT * relevance[i]!) / best : 1;
    raise(x, entityRef(r), (x.seedStrength.get(r.chunkId as string) ?? 0) * context);
  });
}

/** Relationships, hop by hop from the strongest entities; the far ends join at a decayed weight. */
async function followRelationships(x: Expansion, hops: number, fanout: number): Promise<void> {
  let frontier = strongest(x.entities, FRONTIER);
  for (let hop = 1; hop <= hops && frontier.length > 0; hop++) {
    const rows = await x.read('retrieval/entity-relationships', {
      entityIds: frontier.map((e) => e.id),
      collections: x.collections,
      fanout: int(fanout),
    });
    const reached = new Set<string>();
    for (const r of rows) {
      const from = x.entities.get(r.entityId as string);
      if (!from) continue;
      const seen = x.facts.get(r.relId as string);
      if (!seen || seen.weight < from.weight) x.facts.set(r.relId as string, { fact: toFact(r), weight: from.weight });
      const other: EntityRef = { id: r.otherId as string, name: r.otherName as string, type: r.otherType as string, df: Number(r.otherDf ?? 0) };
      if (!x.entities.has(other.id)) reached.add(other.id);
      raise(x, other, from.weight * HOP_DECAY);
    }
    frontier = strongest(x.entities, FRONTIER, reached);
  }
}

/** Candidate passages: the hits, the neighbours of the top hits, and passages linked by entities. */
async function gatherCandidates(x: Expansion, fanout: number): Promise<void> {
  const { candidates } = x;
  const linked = (chunkId: string): Candidate => {
    let c = candidates.get(chunkId);
    if (!c) candidates.set(chunkId, (c = { chunkId, via: 'entity', prior: 0, links: new Map() }));
    return c;
  };
  x.hits.forEach((h, rank) =>
    candidates.set(h.chunkId, { chunkId: h.chunkId, via: 'search', rank, prior: x.seedStrength.get(h.chunkId) ?? hitPrior(rank), links: new Map() }),
  );

  const neighbourSeeds = x.seeds.slice(0, NEIGHBOUR_SEEDS);
  if (neighbourSeeds.length) {
    const rows = await x.read('retrieval/neighbours', { chunkIds: neighbourSeeds.map((h) => h.chunkId), collections: x.collections });
    for (const r of rows) {
      const prior = NEIGHBOUR_WEIGHT * (x.seedStrength.get(r.fromId as string) ?? 0);
      const seen = candidates.get(r.chunkId as string);
      if (!seen) candidates.set(r.chunkId as string, { chunkId: r.chunkId as string, via: 'neighbour', prior, links: new Map() });
      else seen.prior = Math.max(seen.prior, prior);
    }
  }

  // The seeds themselves are excluded: they already rank by their own strength.
  const exclude = x.seeds.map((h) => h.chunkId);
  const linking = strongest(x.entities, MAX_ENTITIES).filter((e) => e.weight >= MIN_ENTITY_WEIGHT);
  if (linking.length) {
    const rows = await x.read('retrieval/entity-chunks', {
      entityIds: linking.map((e) => e.id),
      collections: x.collections,
      exclude,
      embedding: x.embedding,
      fanout: int(fanout),
      pool: int(Math.max(fanout, SIMILARITY_POOL)),
    });
    for (const r of rows) {
      const weight = x.entities.get(r.entityId as string)?.weight ?? 0;
      linked(r.chunkId as string).links.set(r.entityId as string, { weight, surfaces: (r.surfaces as string[] | null) ?? [] });
    }
  }

  // An entity no other passage mentions may be named there differently ("Alex Cox" / "Alexander
  // B. H. Cox") where resolution could not link it: its name is looked up in the passages' text.
  const dangling = linking.filter((e) => e.df <= 1 && tokens(e.name).length >= 2).slice(0, MAX_NAME_LOOKUPS);
  if (dangling.length) {
    const rows = await x.read('retrieval/name-chunks', {
      names: dangling.map((e) => ({ entityId: e.id, query: toLuceneQuery(e.name) })),
      collections: x.collections,
      exclude,
      perName: int(NAME_LOOKUP_PASSAGES),
    });
    for (const r of rows) {
      const entity = x.entities.get(r.entityId as string);
      const c = linked(r.chunkId as string);
      if (!entity || c.links.has(entity.id)) continue;
      // The surname is what the other spelling most likely shares.
      const surname = entity.name.trim().split(/\s+/).at(-1) ?? '';
      c.links.set(entity.id, { weight: entity.weight * NAME_LOOKUP_DISCOUNT, surfaces: surname.length > 3 ? [surname] : [] });
    }
  }

  // Passages that state a followed relationship support a fact of the answer.
  for (const { fact, weight } of x.facts.values()) {
    for (const chunkId of fact.chunkIds) {
      const c = linked(chunkId);
      const link = c.links.get(fact.subjectId);
      if (!link || link.weight < weight) c.links.set(fact.subjectId, { weight, surfaces: [fact.subject] });
    }
  }
}

/** Fetches every candidate (which also drops any outside the collections) and ranks them. */
async function rankCandidates(x: Expansion): Promise<ContextPassage[]> {
  const rows = await x.read('retrieval/passages', { chunkIds: [...x.candidates.keys()], collections: x.collections, embedding: x.embedding });
  const similarity = rows.map((r) =>
    typeof r.similarity === 'number' ? r.similarity : termCoverage(x.questionStems, `${(r.title as string) ?? ''} ${r.text as string}`),
  );
  // Similarity orders the linked passages among themselves: a bridging passage shares few words
  // with the question by nature, so measuring it against the search hits would sink it.
  const isLinked = rows.map((r) => (x.candidates.get(r.chunkId as string)?.links.size ?? 0) > 0);
  const best = Math.max(1e-9, ...similarity.filter((_, i) => isLinked[i]));

  const ranked = rows.map((r, i): ContextPassage & { rank: number } => {
    const c = x.candidates.get(r.chunkId as string)!;
    const title = (r.title as string | null) ?? '';
    const text = r.text as string;
    let score = c.prior;
    if (isLinked[i]) {
      const link = combineLinks(
        [...c.links].map(([id, l]) => l.weight * aboutness(title, text, x.entities.get(id)?.name ?? '', l.surfaces)),
      );
      score = Math.max(score, LINK_WEIGHT * link * (1 - SIMILARITY_WEIGHT + (SIMILARITY_WEIGHT * similarity[i]!) / best));
    }
    return {
      chunkId: c.chunkId,
      documentId: r.documentId as string,
      title,
      source: (r.source as string | null) ?? '',
      page: (r.page as number | null) ?? null,
      text,
      score,
      via: c.via,
      rank: c.rank ?? Number.MAX_SAFE_INTEGER,
    };
  });
  ranked.sort((a, b) => b.score - a.score || a.rank - b.rank || a.chunkId.localeCompare(b.chunkId));
  return ranked.map(({ rank: _rank, ...passage }) => passage);
}

// ---------------------------------------------------------------------------------------------
// Pieces

/** Runs a statement and records it; the embedding is summarised (384 floats help nobody reading a trace). */
function readerFor(db: GraphExecutor, runs: CypherRun[], logger: Logger | undefined): Reader {
  return async (name, params) => {
    const query = cypher(name);
    const shown: Params = { ...params };
    if (Array.isArray(shown.embedding)) shown.embedding = `[${shown.embedding.length} floats]`;
    const started = performance.now();
    try {
      const rows = await db.read(query, params);
      runs.push({ query, params: shown, origin: 'expansion', rows: rows.length, ms: Math.round(performance.now() - started) });
      return rows;
    } catch (err) {
      runs.push({ query, params: shown, origin: 'expansion', error: errorMessage(err) });
      logger?.warn({ query: name, err: errorMessage(err) }, 'graph expansion query failed');
      throw err;
    }
  };
}

/** The caller's question entities, or entities whose whole name (or alias) the question contains. */
async function questionEntities(x: Expansion): Promise<EntityRef[]> {
  const { input, collections } = x;
  if (input.questionEntityIds) {
    if (input.questionEntityIds.length === 0) return [];
    return (await x.read('retrieval/entities-by-id', { entityIds: input.questionEntityIds, collections })).map(entityRef);
  }
  // Only content words go to the index: "the" and "of" would match half the entities. Words keep
  // their accents: the name index does not fold them.
  const words = input.question.split(/\s+/).filter((w) => tokens(w).some((t) => t.length > 1 && !isStopWord(t)));
  const query = toLuceneQuery(words.join(' '));
  if (!query) return [];
  const rows = await x.read('retrieval/question-entities', { query, collections, limit: int(QUESTION_ENTITY_CANDIDATES) });
  const matched = rows.flatMap((r) => {
    const names = [r.name as string, ...((r.aliases as string[] | null) ?? [])].filter((n) => containsName(input.question, n));
    const longest = names.sort((a, b) => b.length - a.length)[0];
    return longest ? [{ row: r, key: ` ${tokens(longest).join(' ')} ` }] : [];
  });
  // The longest match wins: "Harbor" inside "Northwind Harbor" is not a second name in the question.
  return matched.filter((m) => !matched.some((o) => o.key.length > m.key.length && o.key.includes(m.key))).map((m) => entityRef(m.row));
}

/** Adds an entity or raises its weight; frequent entities are damped. */
function raise(x: Expansion, e: EntityRef, weight: number, fromQuestion = false): void {
  const w = weight * specificity(e.df);
  const seen = x.entities.get(e.id);
  if (!seen) x.entities.set(e.id, { ...e, weight: w, fromQuestion });
  else {
    seen.weight = Math.max(seen.weight, w);
    seen.fromQuestion ||= fromQuestion;
  }
}

function entityRef(r: Row): EntityRef {
  return { id: r.id as string, name: r.name as string, type: r.type as string, df: Number(r.df ?? 0) };
}

function strongest(entities: Map<string, EntityState>, n: number, among?: Set<string>): EntityState[] {
  return [...entities.values()]
    .filter((e) => !among || among.has(e.id))
    .sort((a, b) => b.weight - a.weight || a.id.localeCompare(b.id))
    .slice(0, n);
}

/** Relationship properties kept as context; the rest is provenance bookkeeping. */
const INTERNAL_PROPERTIES = new Set(['sources', 'documentIds', 'importSources', 'facts', 'createdAt', 'updatedAt', 'confidence', 'evidence']);

export function toFact(r: Row): GraphFact {
  const props = (r.properties as Record<string, unknown> | null) ?? {};
  const self = { id: r.entityId as string, name: r.entityName as string, type: r.entityType as string };
  const other = { id: r.otherId as string, name: r.otherName as string, type: r.otherType as string };
  const [subject, object] = r.outgoing ? [self, other] : [other, self];
  return {
    subjectId: subject.id,
    subject: subject.name,
    subjectType: subject.type,
    predicate: r.type as string,
    objectId: object.id,
    object: object.name,
    objectType: object.type,
    properties: Object.fromEntries(Object.entries(props).filter(([k]) => !INTERNAL_PROPERTIES.has(k))),
    chunkIds: Array.isArray(props.sources) ? props.sources.filter((s): s is string => typeof s === 'string') : [],
  };
}

function dedupeHits(hits: SearchResult[]): SearchResult[] {
  const seen = new Set<string>();
  return hits.filter((h) => !seen.has(h.chunkId) && seen.add(h.chunkId));
}

function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new InputError(`${name} must be an integer from ${min} to ${max}`);
}
