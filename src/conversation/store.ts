/**
 * Conversations in Neo4j, as bookkeeping nodes (`_KgragConversation`, `_KgragTurn`, collection
 * `@system`: no scope predicate admits them, the schema catalog skips them). Every statement
 * matches on the owner (the API key id) as well as the id, so another key's conversation is
 * indistinguishable from a missing one.
 */
import { randomUUID } from 'node:crypto';
import { cypher } from '../graph/cypher.ts';
import { int, toPlain, type GraphExecutor } from '../graph/executor.ts';
import type { AskResult } from '../planner/types.ts';
import type { TurnFocus } from './followup.ts';

export interface Conversation {
  id: string;
  title: string | null;
  /** The collections it asks over; empty: whatever the owner's key grants. */
  collections: string[];
  createdAt: string;
  updatedAt: string;
  turnCount: number;
}

export interface Turn {
  id: string;
  question: string;
  standaloneQuestion?: string;
  createdAt: string;
  result: AskResult;
}

export interface StoredTurn extends Turn {
  focus: TurnFocus | undefined;
}

/** A title from the first question: its first line, cut at a word. */
const TITLE_CHARS = 80;

export function newTurnId(): string {
  return `turn_${randomUUID()}`;
}

export class ConversationStore {
  constructor(private readonly db: GraphExecutor) {}

  async create(owner: string, input: { collections: string[]; title?: string | undefined }): Promise<Conversation> {
    const rows = await this.db.write(cypher('conversation/create'), {
      id: `conv_${randomUUID()}`,
      owner,
      collections: input.collections,
      title: input.title ?? null,
      now: new Date().toISOString(),
    });
    return conversationOf(rows[0]!.conversation);
  }

  async list(owner: string, opts: { collection?: string | undefined; offset: number; limit: number }): Promise<Conversation[]> {
    const rows = await this.db.read(cypher('conversation/list'), { owner, collection: opts.collection ?? null, skip: int(opts.offset), limit: int(opts.limit) });
    return rows.map((r) => conversationOf(r.conversation));
  }

  async get(owner: string, id: string): Promise<(Conversation & { turns: StoredTurn[] }) | undefined> {
    const rows = await this.db.read(cypher('conversation/get'), { owner, id });
    if (rows.length === 0) return undefined;
    return { ...conversationOf(rows[0]!.conversation), turns: (rows[0]!.turns as unknown[]).map(turnOf) };
  }

  /** The conversation and its latest `turns` turns, newest first. */
  async recent(owner: string, id: string, turns = 3): Promise<{ conversation: Conversation; turns: StoredTurn[] } | undefined> {
    const rows = await this.db.read(cypher('conversation/last-turn'), { owner, id, turns: int(turns) });
    if (rows.length === 0) return undefined;
    return { conversation: conversationOf(rows[0]!.conversation), turns: rows.filter((r) => r.turn).map((r) => turnOf(r.turn)) };
  }

  /** Undefined when the conversation is gone (deleted meanwhile, or not the owner's). */
  async addTurn(
    owner: string,
    id: string,
    turn: { id: string; question: string; standaloneQuestion?: string | undefined; result: AskResult; focus: TurnFocus | undefined },
  ): Promise<string | undefined> {
    const rows = await this.db.write(cypher('conversation/add-turn'), {
      owner,
      id,
      turnId: turn.id,
      now: new Date().toISOString(),
      title: titleOf(turn.question),
      question: turn.question,
      standaloneQuestion: turn.standaloneQuestion ?? null,
      result: JSON.stringify(turn.result),
      focus: turn.focus ? JSON.stringify(turn.focus) : null,
    });
    return rows[0]?.id as string | undefined;
  }

  async delete(owner: string, id: string): Promise<boolean> {
    return (await this.db.write(cypher('conversation/delete'), { owner, id })).length > 0;
  }
}

function titleOf(question: string): string {
  const line = question.split('\n')[0]!.trim();
  return line.length <= TITLE_CHARS ? line : `${line.slice(0, TITLE_CHARS).replace(/\s+\S*$/, '')}…`;
}

function conversationOf(value: unknown): Conversation {
  const c = toPlain(value) as Record<string, unknown>;
  return {
    id: String(c.id),
    title: (c.title as string | null) ?? null,
    collections: (c.collections as string[] | null) ?? [],
    createdAt: String(c.createdAt),
    updatedAt: String(c.updatedAt),
    turnCount: Number(c.turnCount ?? 0),
  };
}

function turnOf(value: unknown): StoredTurn {
  const t = toPlain(value) as Record<string, unknown>;
  return {
    id: String(t.id),
    question: String(t.question),
    ...(t.standaloneQuestion ? { standaloneQuestion: String(t.standaloneQuestion) } : {}),
    createdAt: String(t.createdAt),
    result: JSON.parse(String(t.result)) as AskResult,
    focus: t.focus ? (JSON.parse(String(t.focus)) as TurnFocus) : undefined,
  };
}
