/**
 * Conversations from the command line: the local user, who owns what the unauthenticated local
 * server shows too (the same owner id as its principal).
 */
import { LOCAL_PRINCIPAL } from '../api/auth/principal.ts';
import type { Kgrag } from '../app.ts';
import { NotFoundError } from '../errors.ts';
import { listCollections } from '../graph/documents.ts';
import { askInConversation, HISTORY_TURNS, type ConversationAskInput, type ConversationAskResult } from './ask.ts';
import { ConversationStore } from './store.ts';

export const LOCAL_OWNER = LOCAL_PRINCIPAL.keyId;

/** The named collections, else every collection; null for a graph without collections (one kgrag did not build), read whole. */
export async function cliScope(app: Kgrag, requested: string[] | undefined): Promise<string[] | null> {
  const all = requested?.length ? requested : await listCollections(app.db);
  return all.length ? all : null;
}

export async function askTurn(
  app: Kgrag,
  id: string,
  question: string,
  opts: { collections?: string[] | undefined } & Pick<ConversationAskInput, 'asOf' | 'signal' | 'onToken' | 'onPlan' | 'reading'>,
): Promise<ConversationAskResult> {
  const store = new ConversationStore(app.db);
  const conversation = await store.recent(LOCAL_OWNER, id, HISTORY_TURNS);
  if (!conversation) throw new NotFoundError(`No conversation ${id}`);
  const { collections, ...rest } = opts;
  const requested = collections?.length ? collections : conversation.conversation.collections.length ? conversation.conversation.collections : undefined;
  return askInConversation(app, store, { ...rest, question, collections: await cliScope(app, requested), owner: LOCAL_OWNER, conversation });
}
