/**
 * Communities of a collection's entity graph, for questions about the whole collection ("What are
 * the main topics?"). Entities are linked by their relationships (extracted or imported) and by
 * being mentioned in the same passage; Louvain (graphology-communities-louvain, seeded, nodes and
 * edges added in id order, so the same graph always gives the same communities) groups them.
 * Each community gets a summary with citations: without an LLM the most central sentences of the
 * passages that mention its most central members (a sentence scores by the members it names,
 * weighted by their centrality in the community); with one, written by the LLM from those
 * passages through the answer path (src/answer/llm.ts: only valid citations survive).
 *
 * Stored per collection with a signature of what they were computed from (entity, relationship,
 * mention and document counts and the last document update): `ensureCommunities` recomputes them
 * when the collection has changed since, so any ingest, import or delete, from any interface,
 * refreshes them on the next whole-collection question; `kgrag communities` recomputes at once.
 */
import { UndirectedGraph } from 'graphology';
import louvainModule from 'graphology-communities-louvain';
import { llmAnswer } from '../answer/llm.ts';
import { splitSentences } from '../answer/sentences.ts';
import { toCitation } from '../answer/citations.ts';
import { KgragError } from '../errors.ts';
import {
  collectionSignature,
  communityPassages,
  readCommunities,
  readEntityGraph,
  replaceCommunities,
  type CommunityPassage,
  type EntityGraph,
  type StoredCommunity,
} from '../graph/communities.ts';
import type { GraphExecutor } from '../graph/executor.ts';
import type { ChatModel } from '../llm/chat.ts';
import { silentLogger, type Logger } from '../logging.ts';
import type { Citation, ContextPassage } from '../planner/types.ts';

export interface CommunityOptions {
  /** Writes the summaries when configured. */
  chat?: ChatModel;
  logger?: Logger;
  signal?: AbortSignal;
}

/** Fixed seed of Louvain's random walk: the same graph always gives the same communities. */
// A CommonJS module whose typings declare an ES default export: at run time the import is the function itself.
const louvain = louvainModule as unknown as typeof louvainModule.default;

const SEED = 0x6b677261;
/** A co-mention weighs less than a stated relationship. */
const COMENTION_WEIGHT = 0.5;
/** Communities smaller than this are not a topic. */
const MIN_SIZE = 2;
/** Communities summarised and stored per collection, largest first. */
const MAX_COMMUNITIES = 12;
/** Central members whose passages a summary is drawn from. */
const CENTRAL_MEMBERS = 5;
/** Names shown for a community. */
const SHOWN_NAMES = 4;
/** Passages read per community, and the ones whose sentences compete. */
const PASSAGE_POOL = 200;
const SUMMARY_PASSAGES = 6;
/** Sentences of an extractive summary. */
const SUMMARY_SENTENCES = 2;
/** Shorter sentences are headings or fragments; longer ones are cut by the splitter already. */
const MIN_SENTENCE_CHARS = 20;

/** The communities of `collection`, recomputed first when the collection has changed since they were stored. */
export async function ensureCommunities(db: GraphExecutor, collection: string, opts: CommunityOptions = {}): Promise<StoredCommunity[]> {
  const [stored, signature] = await Promise.all([readCommunities(db, [collection]), collectionSignature(db, collection)]);
  const current = stored.get(collection);
  if (current && current.signature === signatureWith(signature, opts.chat)) return current.communities;
  // One computation per collection at a time in this process: concurrent questions share it.
  const key = `${collection}|${signatureWith(signature, opts.chat)}`;
  let running = inFlight.get(key);
  if (!running) {
    running = computeCommunities(db, collection, opts, signature).finally(() => inFlight.delete(key));
    inFlight.set(key, running);
  }
  return running;
}

const inFlight = new Map<string, Promise<StoredCommunity[]>>();

/** Computes, summarises and stores the communities of `collection` (replacing the stored ones). */
export async function computeCommunities(db: GraphExecutor, collection: string, opts: CommunityOptions = {}, signature?: string): Promise<StoredCommunity[]> {
  const logger = opts.logger ?? silentLogger();
  signature ??= await collectionSignature(db, collection);
  const graph = await readEntityGraph(db, collection);
  const groups = detect(graph);
  const communities: StoredCommunity[] = [];
  for (const group of groups.slice(0, MAX_COMMUNITIES)) {
    const passages = await communityPassages(db, collection, group.members.slice(0, CENTRAL_MEMBERS).map((m) => m.id), PASSAGE_POOL);
    const summary = await summarise(group, passages, opts, logger);
    communities.push({
      rank: communities.length + 1,
      size: group.members.length,
      mentions: group.mentions,
      entityIds: group.members.map((m) => m.id),
      names: group.members.slice(0, SHOWN_NAMES).map((m) => m.name),
      ...summary,
    });
  }
  await replaceCommunities(db, collection, signatureWith(signature, opts.chat), communities);
  logger.info({ collection, communities: communities.length, entities: graph.entities.length }, 'communities computed');
  return communities;
}

/** Raised when detection or summaries change, so that stored communities are computed again. */
const METHOD_VERSION = 1;

/** A summary written by an LLM is stale once another (or no) LLM is configured. */
function signatureWith(signature: string, chat: ChatModel | undefined): string {
  return `${signature}|${chat?.id ?? 'extractive'}|${METHOD_VERSION}`;
}

// ---------------------------------------------------------------------------------------------
// Detection

interface Member {
  id: string;
  name: string;
  /** Weighted degree inside the community. */
  centrality: number;
  mentions: number;
}

interface Group {
  members: Member[];
  /** Passages mentioning any member (sum over members; a measure of size in the documents). */
  mentions: number;
}

/** Louvain communities, largest (by mentions, then members) first; members most central first. */
export function detect(input: EntityGraph): Group[] {
  const graph = new UndirectedGraph<Record<string, never>, { weight: number }>({ allowSelfLoops: false });
  const byId = new Map(input.entities.map((e) => [e.id, e]));
  for (const e of [...input.entities].sort((a, b) => a.id.localeCompare(b.id))) graph.addNode(e.id);
  const link = (a: string, b: string, w: number) => {
    if (a === b || !byId.has(a) || !byId.has(b)) return;
    const [s, t] = a < b ? [a, b] : [b, a];
    graph.updateEdge(s, t, (attr) => ({ weight: (attr.weight ?? 0) + w }));
  };
  for (const r of input.relationships) link(r.source, r.target, 1 + Math.log1p(r.support));
  for (const c of input.comentions) {
    const ids = [...c.ids].sort();
    for (let i = 0; i < ids.length; i++) for (let j = i + 1; j < ids.length; j++) link(ids[i]!, ids[j]!, COMENTION_WEIGHT);
  }
  // Isolated entities belong to no topic.
  for (const n of graph.nodes()) if (graph.degree(n) === 0) graph.dropNode(n);
  if (graph.order === 0) return [];
  const assignment = louvain(graph, { getEdgeWeight: 'weight', rng: seeded(SEED) });

  const groups = new Map<number, Member[]>();
  for (const node of graph.nodes()) {
    const community = assignment[node]!;
    let centrality = 0;
    graph.forEachEdge(node, (_edge, attr, source, target) => {
      const other = source === node ? target : source;
      if (assignment[other] === community) centrality += Number(attr.weight);
    });
    const e = byId.get(node)!;
    const list = groups.get(community) ?? [];
    list.push({ id: e.id, name: e.name, centrality, mentions: e.mentions });
    groups.set(community, list);
  }
  return [...groups.values()]
    .filter((members) => members.length >= MIN_SIZE)
    .map((members) => ({
      members: members.sort((a, b) => b.centrality - a.centrality || b.mentions - a.mentions || a.id.localeCompare(b.id)),
      mentions: members.reduce((s, m) => s + m.mentions, 0),
    }))
    .sort((a, b) => b.mentions - a.mentions || b.members.length - a.members.length || a.members[0]!.id.localeCompare(b.members[0]!.id));
}

/** mulberry32: a small seeded generator, for Louvain's random walk. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Summaries

interface Scored {
  passage: CommunityPassage;
  score: number;
}

async function summarise(
  group: Group,
  passages: CommunityPassage[],
  opts: CommunityOptions,
  logger: Logger,
): Promise<Pick<StoredCommunity, 'summary' | 'summaryBy' | 'citations'>> {
  const weight = new Map(group.members.map((m) => [m.id, m.centrality]));
  // Passages ranked by the centrality of the members they mention.
  const ranked: Scored[] = passages
    .map((p) => ({ passage: p, score: p.mentions.reduce((s, m) => s + (weight.get(m.id) ?? 0), 0) }))
    .sort((a, b) => b.score - a.score || a.passage.chunkId.localeCompare(b.passage.chunkId))
    .slice(0, SUMMARY_PASSAGES);
  if (ranked.length === 0) return { summary: '', summaryBy: 'none', citations: [] };
  if (opts.chat) {
    try {
      const context = ranked.map(({ passage, score }): ContextPassage => ({ ...passage, score, via: 'entity' }));
      const names = group.members.slice(0, SHOWN_NAMES).map((m) => m.name).join(', ');
      const written = await llmAnswer(
        opts.chat,
        `In two sentences, what do these passages say about ${names}? Summarise the topic they share.`,
        { passages: context, facts: [], entities: [], cypher: [] },
        { ...(opts.signal ? { signal: opts.signal } : {}), logger },
      );
      if (written.found) return { summary: written.answer, summaryBy: opts.chat.id, citations: written.citations };
    } catch (err) {
      if (!(err instanceof KgragError)) throw err;
      logger.warn({ err }, 'the LLM did not summarise a community; its summary is extractive');
    }
  }
  return extractiveSummary(ranked, weight, SUMMARY_SENTENCES);
}

/**
 * Sentences of `collection` that name the entity `entityId`, cited: those that also name more of
 * the entities around it (its community, weighted by centrality) first.
 */
export async function sentencesAbout(
  db: GraphExecutor,
  collection: string,
  entityId: string,
  around: Map<string, number>,
  count: number,
): Promise<Pick<StoredCommunity, 'summary' | 'citations'>> {
  const passages = await communityPassages(db, collection, [entityId], PASSAGE_POOL);
  const weight = new Map(around);
  weight.set(entityId, Math.max(1, ...around.values()) * 2);
  const ranked = passages
    .map((p) => ({ passage: p, score: p.mentions.reduce((s, m) => s + (weight.get(m.id) ?? 0), 0) }))
    .sort((a, b) => b.score - a.score || a.passage.chunkId.localeCompare(b.passage.chunkId))
    .slice(0, SUMMARY_PASSAGES);
  const summary = extractiveSummary(ranked, weight, count, entityId);
  return { summary: summary.summary, citations: summary.citations };
}

/** The sentences that name the community's most central members, cited to their passages. */
function extractiveSummary(ranked: Scored[], weight: Map<string, number>, count: number, required?: string): Pick<StoredCommunity, 'summary' | 'summaryBy' | 'citations'> {
  const candidates: Array<{ passage: CommunityPassage; rank: number; start: number; end: number; text: string; score: number }> = [];
  ranked.forEach(({ passage }, rank) => {
    const own = passage.mentions.filter((m) => weight.has(m.id));
    for (const whole of splitSentences(passage.text)) {
      // A list item's bullet is not part of what it says.
      const bullet = /^[-*•]\s+/.exec(whole.text)?.[0].length ?? 0;
      const span = { start: whole.start + bullet, end: whole.end, text: whole.text.slice(bullet) };
      if (span.text.length < MIN_SENTENCE_CHARS || /[?？]$/.test(span.text) || span.text.includes('|')) continue;
      // A member counts once however often it is named; a sentence naming several members is central to the topic.
      const named = own.filter((m) => [m.name, ...m.surfaces].some((s) => namedIn(span.text, s)));
      if (required && !named.some((m) => m.id === required)) continue;
      const score = named.reduce((s, m) => s + (weight.get(m.id) ?? 0), 0);
      if (score > 0) candidates.push({ passage, rank, start: span.start, end: span.end, text: span.text, score });
    }
  });
  candidates.sort((a, b) => b.score - a.score || a.rank - b.rank || a.start - b.start);
  const chosen: typeof candidates = [];
  for (const c of candidates) {
    if (chosen.length >= count) break;
    if (chosen.some((o) => o.text === c.text)) continue;
    chosen.push(c);
  }
  if (chosen.length === 0) return { summary: '', summaryBy: 'none', citations: [] };
  // Each sentence cites its passage, with itself as the verbatim quote.
  const citations: Citation[] = chosen.map((c, i) => toCitation({ ...c.passage, score: c.score, via: 'entity' }, i + 1, c.text));
  const parts = chosen.map((c, i) => `${c.text} [${i + 1}]`);
  return { summary: parts.join(' '), summaryBy: 'extractive', citations };
}

const HAN = /\p{Script=Han}/u;

/** Whether `text` names `surface` (as written in the passage): as a whole word, or anywhere for Chinese (no spaces between words). */
function namedIn(text: string, surface: string): boolean {
  const s = surface.trim();
  if (!s) return false;
  if (HAN.test(s)) return text.includes(s);
  return new RegExp(`(^|[^\\p{L}\\p{N}])${s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[^\\p{L}\\p{N}])`, 'u').test(text);
}
