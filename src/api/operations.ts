import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { askKgrag, retrieverOf, type Kgrag } from '../app.ts';
import { ForbiddenError, NotFoundError, InputError } from '../errors.ts';
import { validateCollection } from '../domain/ids.ts';
import { collectionStats, createCollection, deleteCollection, deleteDocument, getDocument, listDocumentPage, type DocumentQuery } from '../graph/documents.ts';
import { getEntity } from '../graph/entities.ts';
import { validateMapping } from '../import/mapping.ts';
import { COLLECTIONS_PARAM, runReadOnly, scopeToCollections, untrustedScope } from '../planner/guard.ts';
import { driverParams } from '../planner/text2cypher.ts';
import { askInConversation, HISTORY_TURNS, type ConversationAskInput, type ConversationAskResult } from '../conversation/ask.ts';
import { ConversationStore } from '../conversation/store.ts';
import { ownConversation } from './conversations.ts';
import { mayAccess, readScope, requireRole, writeScope, type Principal } from './auth/principal.ts';
import { ALL_COLLECTIONS, type KeyStore } from './auth/keys.ts';
import { findEntities, neighbourhood, type EntitySort } from './graph-reads.ts';
import { publicJob, type Job, type JobQueue, type PublicJob } from './jobs/jobs.ts';

/**
 * What the API can do, once: REST handlers and GraphQL resolvers both call these with the caller's
 * principal. Every read is scoped to the collections the key grants; an item outside them is
 * NOT_FOUND exactly like an item that does not exist.
 */
export interface ApiContext {
  app: Kgrag;
  principal: Principal;
  jobs: JobQueue;
  keys: KeyStore;
  /** Called after every write: schema catalogs and the typed GraphQL schema may have changed. */
  onWrite(): void;
  signal?: AbortSignal;
  /** Counts `units` of work against the caller's rate limit (asks and searches cost more than reads). */
  charge?(units: number): Promise<void>;
}

/** Rate-limit units per operation: what it costs the server, relative to a plain read (1). */
export const WORK = { ask: 10, search: 3 } as const;

export const LIMITS = {
  pageSize: 100,
  maxPageSize: 1000,
  searchK: 100,
  neighbourhoodHops: 3,
  // The web UI draws 5,000 nodes smoothly (WebGL, layout in a worker); one call may fetch that many.
  neighbourhoodNodes: 5000,
  entityDetailItems: 200,
  /** Deeper pages are refused: Neo4j's SKIP takes a 64-bit integer, and nobody pages a million rows. */
  maxOffset: 1_000_000,
  cypherRows: 1000,
  cypherChars: 10_000,
  cypherTimeoutMs: 10_000,
} as const;

/** Ids are opaque strings of kgrag's own alphabet: anything else cannot name an item. */
const ID = /^[A-Za-z0-9_:.-]{1,200}$/;

export function checkId(id: string): string {
  if (!ID.test(id)) throw new InputError('Not a valid id: ids have 1-200 letters, digits, "_", ":", "." or "-"');
  return id;
}

/** Never an empty scope: a name no collection can have stands in, so every query matches nothing. */
const NO_COLLECTION = '\u0000none';

async function scope(ctx: ApiContext, requested: string[] | undefined): Promise<string[]> {
  const collections = await readScope(ctx.app, ctx.principal, requested);
  return collections.length > 0 ? collections : [NO_COLLECTION];
}

/** Every collection the caller may read (never empty: see NO_COLLECTION). */
export function scopeOf(ctx: ApiContext): Promise<string[]> {
  return scope(ctx, undefined);
}

export async function collectionsOp(ctx: ApiContext): Promise<string[]> {
  return (await scope(ctx, undefined)).filter((c) => c !== NO_COLLECTION);
}

/** Creates an empty collection (admin). */
export async function createCollectionOp(ctx: ApiContext, name: string): Promise<{ collection: string; created: boolean }> {
  const collection = adminCollection(ctx, name);
  const created = await createCollection(ctx.app.db, collection);
  ctx.onWrite();
  return { collection, created };
}

/** Deletes a collection and everything in it (admin). */
export async function deleteCollectionOp(ctx: ApiContext, name: string): Promise<{ collection: string; deleted: true; nodes: number }> {
  const collection = adminCollection(ctx, name);
  const nodes = await deleteCollection(ctx.app.db, collection);
  if (nodes === null) throw new NotFoundError(`No collection ${collection}`);
  ctx.onWrite();
  return { collection, deleted: true, nodes };
}

function adminCollection(ctx: ApiContext, name: string): string {
  requireRole(ctx.principal, 'admin');
  const collection = validateCollection(name);
  if (!mayAccess(ctx.principal, collection)) throw new ForbiddenError(`The API key does not grant collection "${collection}".`);
  return collection;
}

export async function listDocumentsOp(
  ctx: ApiContext,
  input: { collections?: string[] | undefined; offset: number; limit: number } & Pick<DocumentQuery, 'q' | 'sort' | 'order'>,
) {
  const collections = await scope(ctx, input.collections);
  const { total, items } = await listDocumentPage(ctx.app.db, collections, {
    skip: input.offset,
    limit: input.limit,
    q: input.q,
    ...(input.sort ? { sort: input.sort } : {}),
    ...(input.order ? { order: input.order } : {}),
  });
  const next = input.offset + input.limit;
  return { items, offset: input.offset, limit: input.limit, nextOffset: next < total ? next : null, total };
}

export function page<T>(rows: T[], offset: number, limit: number): { items: T[]; offset: number; limit: number; nextOffset: number | null } {
  return { items: rows.slice(0, limit), offset, limit, nextOffset: rows.length > limit ? offset + limit : null };
}

export async function getDocumentOp(ctx: ApiContext, id: string) {
  const doc = await getDocument(ctx.app.db, checkId(id), await scope(ctx, undefined));
  if (!doc) throw new NotFoundError(`No document ${id}`);
  return doc;
}

export async function deleteDocumentOp(ctx: ApiContext, id: string): Promise<{ id: string; deleted: true; chunks: number }> {
  requireRole(ctx.principal, 'editor');
  const result = await deleteDocument(ctx.app.db, checkId(id), await scope(ctx, undefined));
  if (!result) throw new NotFoundError(`No document ${id}`);
  ctx.onWrite();
  return { id, deleted: true, chunks: result.chunks };
}

export async function searchOp(ctx: ApiContext, input: { text: string; k: number; mode: 'vector' | 'fulltext' | 'hybrid'; collections?: string[] | undefined }) {
  await ctx.charge?.(WORK.search);
  const collections = await scope(ctx, input.collections);
  const results = await retrieverOf(ctx.app).search(input.text, { collections, k: input.k, mode: input.mode });
  return results.map(({ chunkId, documentId, collection, title, source, page: p, text, score }) => ({
    chunkId, documentId, collection, title, source, page: p, text, score,
  }));
}

/** The collections a read runs over, or null for a graph kgrag did not build, read whole by keys that grant everything. */
export async function readScopeOrForeign(ctx: ApiContext, requested: string[] | undefined): Promise<string[] | null> {
  const granted = await readScope(ctx.app, ctx.principal, requested);
  const foreign = granted.length === 0 && !requested?.length && ctx.principal.collections.includes(ALL_COLLECTIONS);
  return foreign ? null : granted.length ? granted : [NO_COLLECTION];
}

export async function askOp(
  ctx: ApiContext,
  input: { question: string; collections?: string[] | undefined; asOf?: string | undefined; conversationId?: string | undefined; reading?: number | undefined; limit?: number | undefined },
  stream: Pick<ConversationAskInput, 'onStart' | 'onPlan' | 'onToken'> = {},
): Promise<ConversationAskResult> {
  await ctx.charge?.(WORK.ask);
  const store = new ConversationStore(ctx.app.db);
  const conversation = input.conversationId ? await ownConversation(ctx, store, input.conversationId, HISTORY_TURNS) : undefined;
  // A conversation keeps asking over its own collections unless the question names others.
  const requested = input.collections ?? (conversation?.conversation.collections.length ? conversation.conversation.collections : undefined);
  return askInConversation(ctx.app, store, {
    question: input.question,
    collections: await readScopeOrForeign(ctx, requested),
    owner: ctx.principal.keyId,
    ...(conversation ? { conversation } : {}),
    ...(input.asOf ? { asOf: input.asOf } : {}),
    ...(input.reading !== undefined ? { reading: input.reading } : {}),
    ...(input.limit !== undefined ? { limit: input.limit } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
    ...stream,
  });
}

/**
 * The caller's own Cypher, through the same guard as generated queries: one read-only statement,
 * EXPLAIN-checked, every MATCH scoped to the caller's collections, a row cap and a timeout.
 */
export async function readCypherOp(
  ctx: ApiContext,
  input: { query: string; params?: Record<string, unknown> | undefined; limit: number; collections?: string[] | undefined },
) {
  if (input.query.length > LIMITS.cypherChars) throw new InputError(`The query is longer than ${LIMITS.cypherChars} characters`);
  const collections = untrustedScope(await readScopeOrForeign(ctx, input.collections));
  const query = scopeToCollections(input.query, COLLECTIONS_PARAM);
  // The guard sets `$collections` itself, over any parameter of that name.
  const result = await runReadOnly(ctx.app.db, query, driverParams(input.params ?? {}), {
    collections,
    limit: Math.min(input.limit, LIMITS.cypherRows),
    timeoutMs: LIMITS.cypherTimeoutMs,
  });
  return { query: result.query, rows: result.rows, truncated: result.truncated };
}

export async function listEntitiesOp(
  ctx: ApiContext,
  input: { collections?: string[] | undefined; type?: string | undefined; q?: string | undefined; sort: EntitySort; offset: number; limit: number },
) {
  const collections = await scope(ctx, input.collections);
  const rows = await findEntities(ctx.app.db, collections, { type: input.type, q: input.q, sort: input.sort, skip: input.offset, limit: input.limit + 1 });
  return page(rows, input.offset, input.limit);
}

export async function getEntityOp(ctx: ApiContext, id: string) {
  const limit = LIMITS.entityDetailItems;
  const entity = await getEntity(ctx.app.db, checkId(id), await scope(ctx, undefined), limit + 1);
  if (!entity) throw new NotFoundError(`No entity ${id}`);
  const truncated = entity.mentions.length > limit || entity.relationships.length > limit;
  return { ...entity, mentions: entity.mentions.slice(0, limit), relationships: entity.relationships.slice(0, limit), truncated };
}

export async function neighbourhoodOp(ctx: ApiContext, id: string, input: { hops: number; limit: number; collections?: string[] | undefined }) {
  const result = await neighbourhood(ctx.app.db, checkId(id), await scope(ctx, input.collections), {
    hops: input.hops,
    maxNodes: input.limit,
    maxEdges: input.limit * 4,
  });
  if (!result) throw new NotFoundError(`No entity ${id}`);
  return result;
}

export async function schemaOp(ctx: ApiContext, input: { collections?: string[] | undefined }) {
  return ctx.app.catalogs.get(await scope(ctx, input.collections));
}

export async function statsOp(ctx: ApiContext) {
  const granted = new Set(await scope(ctx, undefined));
  return (await collectionStats(ctx.app.db)).filter((s) => granted.has(s.collection));
}

// ---- jobs -------------------------------------------------------------------------------------

/** Jobs are visible to keys that grant their collection (and, for readers, not at all). */
function jobScope(ctx: ApiContext): string[] | '*' {
  // A job's collection may not exist yet (nothing ingested so far): `*` keys see every job.
  return ctx.principal.collections.includes(ALL_COLLECTIONS) ? '*' : ctx.principal.collections;
}

export async function getJobOp(ctx: ApiContext, id: string): Promise<PublicJob> {
  requireRole(ctx.principal, 'editor');
  const job = await ctx.jobs.get(checkId(id));
  const scope = jobScope(ctx);
  if (!job || (scope !== '*' && !scope.includes(job.collection))) throw new NotFoundError(`No job ${id}`);
  return publicJob(job);
}

export async function listJobsOp(ctx: ApiContext, limit: number): Promise<PublicJob[]> {
  requireRole(ctx.principal, 'editor');
  return (await ctx.jobs.list(jobScope(ctx), limit)).map(publicJob);
}

export async function waitForJob(ctx: ApiContext, id: string): Promise<PublicJob> {
  await ctx.jobs.finished(id, ctx.signal);
  return getJobOp(ctx, id);
}

/** Queues an ingest of files the request already stored in the job's input folder. */
export async function submitFilesOp(
  ctx: ApiContext,
  input: { jobId: string; collection?: string | undefined; files: Array<{ path: string; name: string }> },
): Promise<PublicJob> {
  const collection = writeScope(ctx.principal, input.collection, ctx.app.config.ingest.defaultCollection);
  if (input.files.length === 0) throw new InputError('No files: send them as multipart form fields named "files"');
  const job = await ctx.jobs.submit({
    id: input.jobId,
    kind: 'ingest',
    collection,
    owner: ctx.principal.keyId,
    spec: { sources: input.files.map((f) => ({ path: f.path, name: `upload:${f.name}` })) },
  });
  return publicJob(job);
}

export async function submitUrlOp(ctx: ApiContext, input: { url: string; collection?: string | undefined }): Promise<PublicJob> {
  const collection = writeScope(ctx.principal, input.collection, ctx.app.config.ingest.defaultCollection);
  const url = z.url({ protocol: /^https?$/ }).safeParse(input.url);
  if (!url.success) throw new InputError('url must be an http(s) URL');
  // The fetch itself refuses private and loopback addresses on every hop (src/ingest/fetch.ts).
  const job = await ctx.jobs.submit({ kind: 'ingest', collection, owner: ctx.principal.keyId, spec: { sources: [{ url: url.data, name: url.data }] } });
  return publicJob(job);
}

export async function submitTextOp(ctx: ApiContext, input: { title: string; text: string; collection?: string | undefined }): Promise<PublicJob> {
  const collection = writeScope(ctx.principal, input.collection, ctx.app.config.ingest.defaultCollection);
  const title = input.title.trim();
  if (!title || title.length > 200) throw new InputError('title must have 1 to 200 characters');
  if (!input.text.trim()) throw new InputError('text is empty');
  const id = ctx.jobs.newId();
  const dir = ctx.jobs.inputDir(id);
  await mkdir(dir, { recursive: true });
  // Markdown keeps the title as the document's title (a first-level heading).
  const file = path.join(dir, 'text.md');
  await writeFile(file, `# ${title.replace(/\s+/g, ' ')}\n\n${input.text}`);
  const job = await ctx.jobs.submit({ id, kind: 'ingest', collection, owner: ctx.principal.keyId, spec: { sources: [{ path: file, name: `text:${title}` }] } });
  return publicJob(job);
}

/** Queues an import of a records file the request stored; the mapping is validated before anything is queued. */
export async function submitImportOp(
  ctx: ApiContext,
  input: { jobId: string; collection?: string | undefined; file: { path: string; name: string }; mapping: unknown },
): Promise<PublicJob> {
  const collection = writeScope(ctx.principal, input.collection, ctx.app.config.ingest.defaultCollection);
  const mapping = validateMapping(input.mapping);
  const job = await ctx.jobs.submit({
    id: input.jobId,
    kind: 'import',
    collection,
    owner: ctx.principal.keyId,
    spec: { sources: [{ path: input.file.path, name: input.file.name }], mapping },
  });
  return publicJob(job);
}

// ---- keys -------------------------------------------------------------------------------------

export async function listKeysOp(ctx: ApiContext) {
  requireRole(ctx.principal, 'admin');
  return ctx.keys.list();
}

export async function createKeyOp(ctx: ApiContext, input: { name: string; role: 'reader' | 'editor' | 'admin'; collections: string[] }) {
  requireRole(ctx.principal, 'admin');
  return ctx.keys.create(input);
}

export async function revokeKeyOp(ctx: ApiContext, id: string) {
  requireRole(ctx.principal, 'admin');
  return ctx.keys.revoke(checkId(id));
}
