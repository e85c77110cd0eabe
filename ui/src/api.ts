/**
 * The REST API as the UI uses it (schemas/openapi.yaml): one fetch wrapper that adds the API key
 * and turns every failure into a message a person can act on.
 */
import { sseEvents } from './sse.ts';
import { defineMessages } from './i18n.ts';

const t = defineMessages({
  en: {
    network: 'Cannot reach the kgrag server. Is `kgrag serve` still running?',
    badKey: (said: string) => `The server did not accept this API key: ${said || 'unknown or revoked'}. Enter another one.`,
    needKey: 'This server needs an API key. Enter one with "API key".',
    forbidden: (said: string) => `Your API key may not do this. ${said}`.trim(),
    notFound: 'Not found: it may have been deleted.',
    tooLarge: (said: string) => `Too large: ${said}`,
    tooMany: 'Too many requests for this API key. Wait a minute and try again.',
    server: (said: string, ref: string) => `The server could not do this: ${said}${ref}`,
    request: (id: string) => ` (request ${id})`,
    failed: (status: number) => `The request failed (${status}).`,
    errorN: (status: number) => `error ${status}`,
  },
  zh: {
    network: '无法连接 kgrag 服务器。`kgrag serve` 还在运行吗？',
    badKey: (said: string) => `服务器不接受此 API 密钥：${said || '未知或已吊销'}。请输入另一个。`,
    needKey: '此服务器需要 API 密钥。请通过“API 密钥”输入。',
    forbidden: (said: string) => `您的 API 密钥无权执行此操作。${said}`.trim(),
    notFound: '未找到：可能已被删除。',
    tooLarge: (said: string) => `太大：${said}`,
    tooMany: '此 API 密钥的请求过多。请稍等一分钟再试。',
    server: (said: string, ref: string) => `服务器无法完成此操作：${said}${ref}`,
    request: (id: string) => `（请求 ${id}）`,
    failed: (status: number) => `请求失败（${status}）。`,
    errorN: (status: number) => `错误 ${status}`,
  },
});

export interface GraphNode { id: string; name: string; type: string; collection: string }
export interface GraphEdge { type: string; source: string; target: string; confidence?: number | null }
export interface Neighbourhood { center: GraphNode; nodes: GraphNode[]; edges: GraphEdge[]; truncated: boolean }
export interface EntitySummary { id: string; collection: string; type: string; name: string; aliases: number; mentions: number; imported: boolean }
export interface Page<T> { items: T[]; offset: number; limit: number; nextOffset: number | null }
export interface DocumentPage extends Page<DocumentSummary> { total: number }
export interface Health { status: 'ok'; auth?: 'keys' | 'disabled' }
export interface Chunk { id: string; index: number; page?: number | null; start: number; end: number; headingPath?: string[] | null; text: string }
export interface DocumentDetail { document: { id: string; collection: string; title: string; source: string; mimeType: string; metadata: Record<string, unknown> }; chunks: Chunk[] }
export interface Fact { property: string; value?: unknown; source: string }
export interface Mention { chunkId: string; documentId: string; title?: string; source?: string; page?: number | null; quote: string; surfaces?: string[]; method?: string; score?: number }
export interface Relationship {
  type: string;
  direction: 'out' | 'in';
  other: { id: string; name: string; type: string };
  properties?: Record<string, unknown>;
  facts?: Fact[];
  sources?: string[];
  importSources?: string[];
}
export interface EntityDetail {
  entity: Record<string, unknown> & { id: string; name: string; type: string; collection: string; aliases?: string[]; labels?: string[] };
  facts: Fact[];
  mentions: Mention[];
  relationships: Relationship[];
  truncated: boolean;
}
// The answer's shape is the server's own (src/planner/types.ts); type-only, so nothing of the server is bundled.
export type { AskResult, Citation, CypherRun, GraphFact } from '../../src/planner/types.ts';
import type { DocumentSummary } from '../../src/domain/documents.ts';
export type { DocumentSort, DocumentSummary } from '../../src/domain/documents.ts';
export interface SearchHit { chunkId: string; documentId: string; collection: string; title: string; source: string; page?: number | null; text: string; score: number }
export interface Job {
  id: string;
  kind: 'ingest' | 'import';
  collection: string;
  status: 'queued' | 'running' | 'succeeded' | 'failed';
  progress: Record<string, unknown>;
  result?: unknown;
  error?: { code: string; message: string };
  sources: string[];
}
export interface CollectionStats { collection: string; documents: number; chunks: number; entities: number; relationships: number }

/** An error with a message meant for the person in front of the UI. */
export class UiError extends Error {
  constructor(message: string, readonly code: string, readonly status: number, readonly requestId?: string) {
    super(message);
  }
}

const KEY_STORAGE = 'kgrag.apiKey';

/**
 * Neo4j integers reach JSON as {low, high} when a server path forgets to convert them: shown as
 * numbers. Neo4j properties cannot hold maps, so an object of exactly these two integers is one.
 */
export function plainNumbers(_key: string, value: unknown): unknown {
  // Called for every value of every response (thousands for a big neighbourhood): cheap tests first.
  if (value && typeof value === 'object' && 'low' in value && 'high' in value && !Array.isArray(value)) {
    const keys = Object.keys(value);
    const v = value as { low?: unknown; high?: unknown };
    if (keys.length === 2 && Number.isInteger(v.low) && Number.isInteger(v.high)) return (v.high as number) * 2 ** 32 + ((v.low as number) >>> 0);
  }
  return value;
}

export class Api {
  /** Called when the server asks for a key (401), so the UI can ask the user for one. */
  onUnauthenticated: (() => void) | undefined;
  /** Called with false when the server cannot be reached, with true when a response arrives again. */
  onReachable: ((reachable: boolean) => void) | undefined;

  get key(): string | null {
    return sessionStorage.getItem(KEY_STORAGE);
  }

  set key(value: string | null) {
    if (value) sessionStorage.setItem(KEY_STORAGE, value);
    else sessionStorage.removeItem(KEY_STORAGE);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const key = this.key;
    return key ? { ...extra, authorization: `Bearer ${key}` } : extra;
  }

  async request<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
    const init: RequestInit = { method, headers: this.headers(body instanceof FormData || body === undefined ? {} : { 'content-type': 'application/json' }), ...(signal ? { signal } : {}) };
    if (body instanceof FormData) init.body = body;
    else if (body !== undefined) init.body = JSON.stringify(body);
    let res: Response;
    try {
      res = await fetch(path, init);
    } catch (err) {
      if (signal?.aborted) throw err; // cancelled by the user: not a network failure
      this.onReachable?.(false);
      throw new UiError(t('network'), 'NETWORK', 0);
    }
    this.onReachable?.(true);
    const text = await res.text();
    let parsed: unknown;
    try {
      // The reviver costs a call per value (a big neighbourhood has 100,000): only where an integer may hide.
      parsed = text ? JSON.parse(text, text.includes('"high"') ? plainNumbers : undefined) : undefined;
    } catch {
      parsed = undefined;
    }
    if (!res.ok) throw this.failure(res.status, parsed);
    return parsed as T;
  }

  private failure(status: number, body: unknown): UiError {
    const err = (body as { error?: { code?: string; message?: string; requestId?: string } } | undefined)?.error;
    const code = err?.code ?? `HTTP_${status}`;
    const said = err?.message ?? '';
    if (status === 401) {
      this.onUnauthenticated?.();
      return new UiError(this.key ? t('badKey', said) : t('needKey'), code, status);
    }
    if (status === 403) return new UiError(t('forbidden', said), code, status);
    if (status === 404) return new UiError(said || t('notFound'), code, status);
    if (status === 413) return new UiError(t('tooLarge', said), code, status);
    if (status === 429) return new UiError(t('tooMany'), code, status);
    if (status >= 500) {
      const ref = err?.requestId ? t('request', err.requestId) : '';
      return new UiError(t('server', said || t('errorN', status), ref), code, status, err?.requestId);
    }
    return new UiError(said || t('failed', status), code, status);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  post<T>(path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    return this.request<T>('POST', path, body, signal);
  }

  /** POSTs `body` and returns the open event stream; a refusal becomes a UiError (status 404: no such route). */
  async postStream(path: string, body: unknown, signal: AbortSignal): Promise<ReadableStream<BufferSource>> {
    let res: Response;
    try {
      res = await fetch(path, { method: 'POST', headers: this.headers({ 'content-type': 'application/json', accept: 'text/event-stream' }), body: JSON.stringify(body), signal });
    } catch (err) {
      if (signal.aborted) throw err;
      this.onReachable?.(false);
      throw new UiError(t('network'), 'NETWORK', 0);
    }
    this.onReachable?.(true);
    if (!res.ok || !res.body) throw this.failure(res.status, await res.json().catch(() => undefined));
    return res.body;
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>('DELETE', path);
  }

  /**
   * Follows a job's server-sent events (/v1/jobs/{id}/events). EventSource cannot send the API key,
   * so the stream is read with fetch. Resolves with the job's last state.
   */
  async followJob(id: string, onEvent: (job: Job) => void, signal?: AbortSignal): Promise<Job> {
    const res = await fetch(`/v1/jobs/${encodeURIComponent(id)}/events`, { headers: this.headers({ accept: 'text/event-stream' }), ...(signal ? { signal } : {}) });
    if (!res.ok || !res.body) throw this.failure(res.status, await res.json().catch(() => undefined));
    let last: Job | undefined;
    for await (const { data } of sseEvents(res.body, signal)) {
      last = JSON.parse(data, plainNumbers) as Job;
      onEvent(last);
    }
    // The stream may close early (a proxy, a restart): the job itself has the final word.
    if (!last || last.status === 'queued' || last.status === 'running') last = await this.get<Job>(`/v1/jobs/${encodeURIComponent(id)}`);
    return last;
  }
}

export function query(params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function documentOfChunk(chunkId: string): string {
  const at = chunkId.lastIndexOf(':');
  return at > 0 ? chunkId.slice(0, at) : chunkId;
}
