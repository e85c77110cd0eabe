/**
 * Conversations over the API (REST and GraphQL call these): each belongs to the API key that
 * created it. Another key's conversation, or one over a collection the key no longer grants, is
 * NOT_FOUND exactly like a missing id.
 */
import { ConversationStore, type Conversation, type StoredTurn, type Turn } from '../conversation/store.ts';
import { NotFoundError } from '../errors.ts';
import { mayAccess, readScope } from './auth/principal.ts';
import { checkId, page, type ApiContext } from './operations.ts';

export async function ownConversation(ctx: ApiContext, store: ConversationStore, id: string, turns: number): Promise<{ conversation: Conversation; turns: StoredTurn[] }> {
  const found = await store.recent(ctx.principal.keyId, checkId(id), turns);
  if (!found || !granted(ctx, found.conversation)) throw new NotFoundError(`No conversation ${id}`);
  return found;
}

function granted(ctx: ApiContext, c: Conversation): boolean {
  return c.collections.every((name) => mayAccess(ctx.principal, name));
}

export async function createConversationOp(ctx: ApiContext, input: { collections?: string[] | undefined; title?: string | undefined }): Promise<Conversation> {
  // Checked now: a conversation cannot be opened over collections the key does not grant.
  const collections = input.collections?.length ? await readScope(ctx.app, ctx.principal, input.collections) : [];
  return new ConversationStore(ctx.app.db).create(ctx.principal.keyId, { collections, title: input.title });
}

export async function listConversationsOp(ctx: ApiContext, input: { collection?: string | undefined; offset: number; limit: number }) {
  const rows = await new ConversationStore(ctx.app.db).list(ctx.principal.keyId, { collection: input.collection, offset: input.offset, limit: input.limit + 1 });
  return page(
    rows.filter((c) => granted(ctx, c)),
    input.offset,
    input.limit,
  );
}

export async function getConversationOp(ctx: ApiContext, id: string): Promise<Conversation & { turns: Turn[] }> {
  const found = await new ConversationStore(ctx.app.db).get(ctx.principal.keyId, checkId(id));
  if (!found || !granted(ctx, found)) throw new NotFoundError(`No conversation ${id}`);
  return { ...found, turns: found.turns.map(({ focus: _focus, ...turn }) => turn) };
}

export async function deleteConversationOp(ctx: ApiContext, id: string): Promise<{ id: string; deleted: true }> {
  const store = new ConversationStore(ctx.app.db);
  await ownConversation(ctx, store, id, 1);
  if (!(await store.delete(ctx.principal.keyId, id))) throw new NotFoundError(`No conversation ${id}`);
  return { id, deleted: true };
}
