import { afterAll, afterEach, beforeAll } from 'vitest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A local stand-in for an LLM server, on 127.0.0.1 and a random port, speaking the real HTTP
 * protocols so that the real clients (ChatOpenAI, ChatOllama) are exercised end to end:
 *
 * - OpenAI: `POST /v1/chat/completions` (JSON, or SSE when `stream: true`), `GET /v1/models`,
 *   errors as `{ error: { message, type, code } }`.
 * - Ollama: `POST /api/chat` (NDJSON stream by default, one JSON object with `stream: false`),
 *   `GET /api/tags`, errors as `{ error }`.
 *
 * What the "model" answers is scripted by the test: a handler gets each parsed request (messages,
 * response format, raw body) and returns the assistant's text, an HTTP error, a delay, or a hang.
 * Every request is recorded, and the server counts how many it is serving at once.
 */

export interface FakeChatMessage {
  role: string;
  /** Text content; content-part arrays are joined. */
  content: string;
}

export type FakeResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; schema?: Record<string, unknown>; strict?: boolean | null; description?: string } };

export interface FakeChatRequest {
  api: 'openai' | 'ollama';
  /** Arrival order, from 0. */
  index: number;
  model: string;
  messages: FakeChatMessage[];
  /** OpenAI `response_format`; Ollama's `format` mapped to the same shape ("json" → json_object, a schema → json_schema). */
  responseFormat: FakeResponseFormat | undefined;
  stream: boolean;
  body: Record<string, unknown>;
  headers: http.IncomingHttpHeaders;
  /** Pieces of a streamed answer written so far. */
  piecesSent: number;
  /** The client hung up before the answer was complete (a cancel, a timeout). */
  closedEarly: boolean;
}

export type FakeReply =
  /** The assistant's message content, answered at once. */
  | string
  /** `wordDelayMs`: a streamed answer waits this long before each word after the first, like a model writing. */
  | { content: string; delayMs?: number; wordDelayMs?: number; finishReason?: 'stop' | 'length' | 'content_filter' }
  /** An HTTP error; `message` goes into the provider's error body unless `body` is given. */
  | { status: number; message?: string; body?: unknown; headers?: Record<string, string>; delayMs?: number }
  /** Never answer (until the client gives up and disconnects): for timeouts. */
  | { hang: true };

export type FakeHandler = (request: FakeChatRequest, context: { signal: AbortSignal }) => FakeReply | Promise<FakeReply>;

export interface FakeLlmServer {
  /** `http://127.0.0.1:<port>`: the Ollama base URL. */
  readonly url: string;
  /** `http://127.0.0.1:<port>/v1`: the OpenAI-compatible base URL. */
  readonly openAiBaseUrl: string;
  readonly requests: FakeChatRequest[];
  /** Chat requests being served right now, and the most at any one time since the last reset. */
  readonly inFlight: number;
  readonly maxInFlight: number;
  /** Replace the script. */
  handle(handler: FakeHandler): void;
  /** Forget recorded requests and the concurrency high-water mark. */
  reset(): void;
  close(): Promise<void>;
}

export interface FakeLlmServerOptions {
  handler?: FakeHandler;
  /** Model ids listed by /v1/models and /api/tags. */
  models?: string[];
  /** When set, OpenAI requests must carry `Authorization: Bearer <apiKey>` (401 otherwise). */
  apiKey?: string;
}

/** A handler that answers with `replies` in turn and repeats the last one. */
export function scripted(...replies: FakeReply[]): FakeHandler {
  let next = 0;
  return () => {
    const reply = replies[Math.min(next, replies.length - 1)];
    next++;
    if (reply === undefined) return { status: 500, message: 'scripted() was given no replies' };
    return reply;
  };
}

/** Text of all messages with `role`, joined by blank lines. */
export function messageText(request: FakeChatRequest, role: string): string {
  return request.messages
    .filter((m) => m.role === role)
    .map((m) => m.content)
    .join('\n\n');
}

export async function startFakeLlmServer(options: FakeLlmServerOptions = {}): Promise<FakeLlmServer> {
  let handler: FakeHandler = options.handler ?? (() => ({ status: 500, message: 'No reply scripted for this request' }));
  const models = options.models ?? ['fake-model'];
  const requests: FakeChatRequest[] = [];
  const pending = new Set<AbortController>();
  let inFlight = 0;
  let maxInFlight = 0;

  const server = http.createServer((req, res) => {
    void route(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { error: { message: `fake server: ${String(err)}`, type: 'server_error' } });
      else res.destroy();
    });
  });

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method === 'GET' && path === '/v1/models') {
      sendJson(res, 200, { object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'kgrag-test' })) });
    } else if (req.method === 'GET' && path === '/api/tags') {
      sendJson(res, 200, { models: models.map((name) => ({ name, model: name, size: 0, digest: 'fake' })) });
    } else if (req.method === 'POST' && path === '/v1/chat/completions') {
      await serveChat(req, res, 'openai');
    } else if (req.method === 'POST' && path === '/api/chat') {
      await serveChat(req, res, 'ollama');
    } else {
      sendJson(res, 404, { error: { message: `Unknown route ${req.method} ${path}`, type: 'invalid_request_error' } });
    }
  }

  async function serveChat(req: http.IncomingMessage, res: http.ServerResponse, api: 'openai' | 'ollama'): Promise<void> {
    const body = await readJson(req);
    if (!body) return sendError(res, api, 400, 'The request body is not a JSON object');
    if (api === 'openai' && options.apiKey && req.headers.authorization !== `Bearer ${options.apiKey}`) {
      return sendError(res, api, 401, 'Incorrect API key provided');
    }
    const request = parseChatRequest(body, req.headers, api, requests.length);
    if (typeof request === 'string') return sendError(res, api, 400, request);
    requests.push(request);

    const controller = new AbortController();
    pending.add(controller);
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let settled = false;
    // 'finish' as soon as the answer is handed over, so a client that sends its next request
    // right away is not counted twice; 'close' alone when the client hung up first.
    const settle = (): void => {
      if (settled) return;
      settled = true;
      inFlight--;
      pending.delete(controller);
    };
    res.on('finish', settle);
    res.on('close', () => {
      // The client went away before the answer (timeout, abort): end any scripted delay.
      if (!res.writableEnded) {
        controller.abort();
        request.closedEarly = true;
      }
      settle();
    });
    try {
      const reply = await handler(request, { signal: controller.signal });
      await sendReply(res, request, reply, controller.signal);
    } catch (err) {
      if (controller.signal.aborted) return;
      sendError(res, api, 500, `Scripted handler failed: ${String(err)}`);
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;

  return {
    url,
    openAiBaseUrl: `${url}/v1`,
    requests,
    get inFlight() {
      return inFlight;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    handle(next) {
      handler = next;
    },
    reset() {
      requests.length = 0;
      maxInFlight = inFlight;
    },
    async close() {
      for (const controller of pending) controller.abort();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Requests

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const value: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The parsed request, or what a real server would complain about. */
function parseChatRequest(
  body: Record<string, unknown>,
  headers: http.IncomingHttpHeaders,
  api: 'openai' | 'ollama',
  index: number,
): FakeChatRequest | string {
  if (typeof body['model'] !== 'string' || body['model'] === '') return 'model is required';
  const rawMessages = body['messages'];
  if (!Array.isArray(rawMessages) || rawMessages.length === 0) return 'messages must be a non-empty array';
  const messages: FakeChatMessage[] = [];
  for (const m of rawMessages) {
    if (!isRecord(m) || typeof m['role'] !== 'string') return 'each message needs a role';
    messages.push({ role: m['role'], content: contentText(m['content']) });
  }
  const responseFormat = api === 'openai' ? openAiFormat(body['response_format']) : ollamaFormat(body['format']);
  if (typeof responseFormat === 'string') return responseFormat;
  // Ollama streams unless told not to; OpenAI does not unless asked.
  const stream = api === 'ollama' ? body['stream'] !== false : body['stream'] === true;
  return { api, index, model: body['model'], messages, responseFormat, stream, body, headers, piecesSent: 0, closedEarly: false };
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : '')).join('');
}

function openAiFormat(raw: unknown): FakeResponseFormat | undefined | string {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) return 'response_format must be an object';
  if (raw['type'] === 'text' || raw['type'] === 'json_object') return { type: raw['type'] };
  if (raw['type'] === 'json_schema') {
    const spec = raw['json_schema'];
    if (!isRecord(spec) || typeof spec['name'] !== 'string') return "response_format.json_schema.name is required";
    return {
      type: 'json_schema',
      json_schema: {
        name: spec['name'],
        ...(isRecord(spec['schema']) ? { schema: spec['schema'] } : {}),
        ...(typeof spec['strict'] === 'boolean' ? { strict: spec['strict'] } : {}),
        ...(typeof spec['description'] === 'string' ? { description: spec['description'] } : {}),
      },
    };
  }
  return `Invalid value for response_format.type: ${String(raw['type'])}`;
}

function ollamaFormat(raw: unknown): FakeResponseFormat | undefined | string {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (raw === 'json') return { type: 'json_object' };
  if (isRecord(raw)) return { type: 'json_schema', json_schema: { name: 'format', schema: raw } };
  return `invalid format: ${String(raw)}`;
}

// ---------------------------------------------------------------------------------------------
// Responses

async function sendReply(res: http.ServerResponse, request: FakeChatRequest, reply: FakeReply, signal: AbortSignal): Promise<void> {
  if (typeof reply !== 'string' && 'hang' in reply) {
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      signal.addEventListener('abort', () => resolve(), { once: true });
    });
    return;
  }
  const delayMs = typeof reply === 'string' ? 0 : reply.delayMs ?? 0;
  if (delayMs > 0) {
    try {
      await sleep(delayMs, undefined, { signal });
    } catch {
      return; // the client disconnected
    }
  }
  if (typeof reply !== 'string' && 'status' in reply) {
    if (reply.body !== undefined) return sendJson(res, reply.status, reply.body, reply.headers);
    return sendError(res, request.api, reply.status, reply.message ?? `HTTP ${reply.status}`, reply.headers);
  }
  const content = typeof reply === 'string' ? reply : reply.content;
  const finishReason = typeof reply === 'string' ? 'stop' : reply.finishReason ?? 'stop';
  if (request.api === 'ollama') return sendOllama(res, request, content, finishReason);
  const wordDelayMs = typeof reply === 'string' ? 0 : reply.wordDelayMs ?? 0;
  return sendOpenAi(res, request, content, finishReason, wordDelayMs, signal);
}

function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, api: 'openai' | 'ollama', status: number, message: string, headers?: Record<string, string>): void {
  const type = status === 401 ? 'authentication_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  sendJson(res, status, api === 'ollama' ? { error: message } : { error: { message, type, param: null, code: null } }, headers);
}

/** Rough token count: what usage fields need to look plausible. */
function tokens(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

async function sendOpenAi(res: http.ServerResponse, request: FakeChatRequest, content: string, finishReason: string, wordDelayMs: number, signal: AbortSignal): Promise<void> {
  const id = `chatcmpl-fake-${request.index}`;
  const created = Math.floor(Date.now() / 1000);
  const promptTokens = tokens(request.messages.map((m) => m.content).join('\n'));
  const usage = { prompt_tokens: promptTokens, completion_tokens: tokens(content), total_tokens: promptTokens + tokens(content) };
  const base = { id, created, model: request.model, system_fingerprint: 'fp_kgrag_fake' };
  if (!request.stream) {
    sendJson(res, 200, {
      ...base,
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content, refusal: null }, logprobs: null, finish_reason: finishReason }],
      usage,
    });
    return;
  }
  const streamOptions = request.body['stream_options'];
  const includeUsage = isRecord(streamOptions) && streamOptions['include_usage'] === true;
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}): string =>
    `data: ${JSON.stringify({ ...base, object: 'chat.completion.chunk', choices, ...extra })}\n\n`;
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  // Like a real server: one delta per word (the first carries the role).
  const pieces = content.match(/\S+\s*|\s+/g) ?? [''];
  for (const [i, piece] of pieces.entries()) {
    if (i > 0 && wordDelayMs > 0) {
      try {
        await sleep(wordDelayMs, undefined, { signal });
      } catch {
        return; // the client disconnected mid-answer
      }
    }
    res.write(chunk([{ index: 0, delta: i === 0 ? { role: 'assistant', content: piece } : { content: piece }, logprobs: null, finish_reason: null }]));
    request.piecesSent++;
  }
  res.write(chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]));
  if (includeUsage) res.write(chunk([], { usage }));
  res.end('data: [DONE]\n\n');
}

function sendOllama(res: http.ServerResponse, request: FakeChatRequest, content: string, finishReason: string): void {
  const base = { model: request.model, created_at: new Date().toISOString() };
  const done = {
    ...base,
    message: { role: 'assistant', content: request.stream ? '' : content },
    done: true,
    done_reason: finishReason,
    total_duration: 1_000_000,
    load_duration: 0,
    prompt_eval_count: tokens(request.messages.map((m) => m.content).join('\n')),
    prompt_eval_duration: 0,
    eval_count: tokens(content),
    eval_duration: 0,
  };
  if (!request.stream) return sendJson(res, 200, done);
  res.writeHead(200, { 'content-type': 'application/x-ndjson' });
  res.write(`${JSON.stringify({ ...base, message: { role: 'assistant', content }, done: false })}\n`);
  res.end(`${JSON.stringify(done)}\n`);
}

/**
 * One fake server for a test file: started before its tests, reset after each (replying 500 until
 * a test scripts its replies), closed at the end. Returns a getter for the running server.
 */
export function useFakeLlmServer(options: FakeLlmServerOptions = {}): () => FakeLlmServer {
  let server: FakeLlmServer | undefined;
  beforeAll(async () => {
    server = await startFakeLlmServer(options);
  });
  afterAll(async () => {
    await server?.close();
  });
  afterEach(() => {
    server?.reset();
    server?.handle(() => ({ status: 500, message: 'no reply scripted' }));
  });
  return () => {
    if (!server) throw new Error('The fake LLM server is not running (use it inside a test)');
    return server;
  };
}
