import type { SearchResult } from '../domain/types.ts';
import type { Citation } from '../planner/types.ts';
import { cypher } from './cypher.ts';
import { int, type GraphExecutor, type Row } from './executor.ts';

/**
 * Storage of the communities of a collection's entity graph (computed in
 * src/retrieval/communities.ts). They are bookkeeping nodes (`_KgragCommunity`, scope @system,
 * `scope` = the collection): the schema catalog skips them, and no relationship links them to
 * entities, so the user's graph and its schema stay exactly as they were.
 */

export interface EntityNode {
  id: string;
  name: string;
  type: string;
  mentions: number;
}

export interface EntityGraph {
  entities: EntityNode[];
  /** Extracted or imported relationships; `support`: passages that state it. */
  relationships: Array<{ source: string; target: string; support: number }>;
  /** Entities mentioned together in one passage. */
  comentions: Array<{ chunkId: string; ids: string[] }>;
}

export interface CommunityPassage extends Omit<SearchResult, 'score' | 'collection'> {
  mentions: Array<{ id: string; name: string; surfaces: string[] }>;
}

export interface StoredCommunity {
  rank: number;
  size: number;
  /** Passages mentioning its members: how much of the documents it covers. */
  mentions: number;
  entityIds: string[];
  /** Names of its most central members, most central first. */
  names: string[];
  /** With [n] markers numbered as `citations`; empty when no passage mentions its members. */
  summary: string;
  summaryBy: string;
  citations: Citation[];
}

/** Passages naming more entities than this are lists, not a topic. */
const MAX_COMENTIONED = 30;

export async function collectionSignature(db: GraphExecutor, collection: string): Promise<string> {
  const [row] = await db.read(cypher('communities/signature'), { collection });
  return JSON.stringify([row?.entities, row?.relationships, row?.mentions, row?.documents, row?.updated]);
}

export async function readEntityGraph(db: GraphExecutor, collection: string): Promise<EntityGraph> {
  const [entities, relationships, comentions] = await Promise.all([
    db.read(cypher('communities/entities'), { collection }),
    db.read(cypher('communities/relationships'), { collection }),
    db.read(cypher('communities/comentions'), { collection, maxEntities: int(MAX_COMENTIONED) }),
  ]);
  return {
    entities: entities.map((r) => ({ id: String(r.id), name: String(r.name), type: String(r.type), mentions: Number(r.mentions) })),
    relationships: relationships.map((r) => ({ source: String(r.source), target: String(r.target), support: Number(r.support) })),
    comentions: comentions.map((r) => ({ chunkId: String(r.chunkId), ids: (r.ids as string[]).map(String) })),
  };
}

/** Passages of `collection` that mention any of `entityIds`. */
export async function communityPassages(db: GraphExecutor, collection: string, entityIds: string[], limit: number): Promise<CommunityPassage[]> {
  const rows = await db.read(cypher('communities/passages'), { collection, entityIds, limit: int(limit) });
  return rows.map((r) => ({
    chunkId: String(r.chunkId),
    documentId: String(r.documentId),
    title: String(r.title ?? ''),
    source: String(r.source ?? ''),
    page: r.page === null || r.page === undefined ? null : Number(r.page),
    text: String(r.text ?? ''),
    mentions: (r.mentions as Array<{ id: string; name: string; surfaces: string[] }>).map((m) => ({ id: m.id, name: m.name, surfaces: m.surfaces ?? [] })),
  }));
}

export async function replaceCommunities(db: GraphExecutor, collection: string, signature: string, communities: StoredCommunity[]): Promise<void> {
  const rows = communities.map((c) => ({ ...c, rank: int(c.rank), size: int(c.size), mentions: int(c.mentions), citations: JSON.stringify(c.citations) }));
  await db.writeTx(async (tx) => {
    await tx.run(cypher('communities/replace'), { collection, signature, communities: rows });
    await tx.run(cypher('communities/marker'), { collection, signature, count: int(communities.length) });
  });
}

/** Stored communities per collection of `collections`, with the signature they were computed from. */
export async function readCommunities(db: GraphExecutor, collections: string[]): Promise<Map<string, { signature: string; communities: StoredCommunity[] }>> {
  const rows = await db.read(cypher('communities/read'), { collections });
  const out = new Map<string, { signature: string; communities: StoredCommunity[] }>();
  for (const r of rows) {
    const communities = (r.communities as Array<Record<string, unknown>>).map((c) => ({
      rank: Number(c.rank),
      size: Number(c.size),
      mentions: Number(c.mentions),
      entityIds: (c.entityIds as string[]) ?? [],
      names: (c.names as string[]) ?? [],
      summary: String(c.summary ?? ''),
      summaryBy: String(c.summaryBy ?? ''),
      citations: JSON.parse(String(c.citations ?? '[]')) as Citation[],
    }));
    out.set(String(r.collection), { signature: String(r.signature), communities: communities.sort((a, b) => a.rank - b.rank) });
  }
  return out;
}

/** Entities of `collections` whose name or an alias shares words with `text` (Lucene query); the caller keeps the ones it names. */
export async function entityCandidates(db: GraphExecutor, query: string, collections: string[], limit: number): Promise<Array<{ id: string; name: string; type: string; aliases: string[]; collection: string; mentions: number }>> {
  const rows = await db.read(cypher('communities/entity-candidates'), { query, collections, limit: int(limit) });
  return rows.map((r) => ({ id: String(r.id), name: String(r.name), type: String(r.type), aliases: (r.aliases as string[]) ?? [], collection: String(r.collection), mentions: Number(r.mentions) }));
}

/** Relationships of the given entities (both ends in `collections`), as expansion reads them. */
export async function entityRelationships(db: GraphExecutor, entityIds: string[], collections: string[], fanout: number): Promise<Row[]> {
  return db.read(cypher('retrieval/entity-relationships'), { entityIds, collections, fanout: int(fanout) });
}
