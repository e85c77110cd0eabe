/**
 * Questions and conversations over the REST API (schemas/openapi.yaml, /v1/ask, /v1/ask/stream,
 * /v1/conversations). A server without the stream endpoint (an older kgrag) is asked with the
 * plain POST /v1/ask; one without conversations still answers, one question at a time.
 */
import { UiError, plainNumbers, query, type Api, type AskResult } from '../api.ts';
import { sseEvents } from '../sse.ts';

/** POST /v1/ask's response: the answer plus, in a conversation, where it was stored and how the question was read. */
export interface AskResponse extends AskResult {
  conversationId?: string;
  turnId?: string;
  /** The question resolved against the previous turns, when it differs from what was typed. */
  standaloneQuestion?: string;
}

export interface AskRequest {
  question: string;
  collections?: string[];
  /** YYYY-MM-DD: relative questions ("overdue") are asked as of this day. */
  asOf?: string;
  conversationId?: string;
  /** One of the readings a previous ask of this question offered (`plan.alternatives`, by index), chosen by the person. */
  reading?: number;
}

export interface Conversation { id: string; title: string; collections: string[]; createdAt: string; updatedAt: string; turnCount: number }
export interface ConversationTurn { id: string; question: string; standaloneQuestion?: string | null; createdAt: string; result: AskResponse }
export interface ConversationDetail extends Conversation { turns: ConversationTurn[] }
interface ConversationPage { items: Conversation[]; offset: number; limit: number; nextOffset: number | null }

export interface StreamHandlers {
  /** The plan, as soon as the server knows it. */
  onPlan?(plan: Pick<AskResult['plan'], 'strategy' | 'steps'>): void;
  /** A piece of a written answer. */
  onToken?(text: string): void;
}

/** The server's answer to a route it does not have (src/api/server.ts), as opposed to a missing conversation. */
function noSuchRoute(err: unknown): boolean {
  return err instanceof UiError && (err.status === 405 || (err.status === 404 && /^No such endpoint/i.test(err.message)));
}

export class AskClient {
  /** Cleared once the server shows it has no stream endpoint; then every question is a plain POST. */
  private streams = true;
  /** Cleared once the server shows it keeps no conversations. */
  conversationsSupported = true;

  constructor(private readonly api: Api) {}

  /** Asks, streaming when the server can; resolves with the full answer, rejects with an AbortError when cancelled. */
  async ask(body: AskRequest, signal: AbortSignal, on: StreamHandlers = {}): Promise<AskResponse> {
    if (this.streams) {
      let stream: ReadableStream<BufferSource> | undefined;
      try {
        stream = await this.api.postStream('/v1/ask/stream', body, signal);
      } catch (err) {
        if (!noSuchRoute(err)) throw err;
        this.streams = false;
      }
      if (stream) return readAnswer(stream, signal, on);
    }
    return this.api.post<AskResponse>('/v1/ask', body, signal);
  }

  /** A new conversation over these collections (all the key may read when none are given); undefined on a server without conversations. */
  async create(collections: string[] | undefined, title: string): Promise<Conversation | undefined> {
    if (!this.conversationsSupported) return undefined;
    try {
      return await this.api.post<Conversation>('/v1/conversations', { ...(collections ? { collections } : {}), title });
    } catch (err) {
      if (!noSuchRoute(err)) throw err;
      this.conversationsSupported = false;
      return undefined;
    }
  }

  async list(collection: string, limit = 30): Promise<Conversation[]> {
    if (!this.conversationsSupported) return [];
    try {
      return (await this.api.get<ConversationPage>(`/v1/conversations${query({ collection, limit })}`)).items;
    } catch (err) {
      if (!noSuchRoute(err)) throw err;
      this.conversationsSupported = false;
      return [];
    }
  }

  get(id: string): Promise<ConversationDetail> {
    return this.api.get<ConversationDetail>(`/v1/conversations/${encodeURIComponent(id)}`);
  }

  async remove(id: string): Promise<void> {
    await this.api.delete(`/v1/conversations/${encodeURIComponent(id)}`);
  }
}

/** Follows the events of POST /v1/ask/stream until `done` (the answer) or `error`. */
async function readAnswer(stream: ReadableStream<BufferSource>, signal: AbortSignal, on: StreamHandlers): Promise<AskResponse> {
  for await (const { event, data } of sseEvents(stream, signal)) {
    const payload = JSON.parse(data, plainNumbers) as unknown;
    if (event === 'plan') on.onPlan?.(payload as Pick<AskResult['plan'], 'strategy' | 'steps'>);
    else if (event === 'token') on.onToken?.((payload as { text: string }).text);
    else if (event === 'done') return payload as AskResponse;
    else if (event === 'error') {
      const e = payload as { code?: string; message?: string };
      throw new UiError(`The server could not answer: ${e.message ?? 'unknown error'}`, e.code ?? 'STREAM', 500);
    }
  }
  if (signal.aborted) throw new DOMException('The question was cancelled.', 'AbortError');
  throw new UiError('The answer stream ended before the answer was complete. Try again.', 'STREAM', 0);
}
