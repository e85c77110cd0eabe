import { setTimeout as sleep } from 'node:timers/promises';
import { AIMessage, HumanMessage, SystemMessage, type BaseMessage, type MessageContent } from '@langchain/core/messages';
import { ChatOllama } from '@langchain/ollama';
import { ChatOpenAI, type ChatOpenAICallOptions } from '@langchain/openai';
import { Ajv, type ValidateFunction } from 'ajv';
import type { LlmConfig } from '../config/index.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import type { Logger } from '../logging.ts';
import { LlmError } from './errors.ts';
import { llamaCppBackend } from './llama.ts';

/**
 * The one place that builds chat models. The rest of kgrag sees only `ChatModel`: messages in,
 * validated JSON or text out, typed `LlmError`s on failure. Retries, per-request timeouts and the
 * structured-output fallback live here so every caller (extraction, answering, text-to-Cypher)
 * gets the same behaviour.
 */

export type ChatRole = 'system' | 'user' | 'assistant';

export interface ChatMessage {
  role: ChatRole;
  content: string;
}

export interface JsonSchemaSpec {
  /** Sent to the server as the schema name: letters, digits, `_` and `-`, at most 64. */
  name: string;
  /** A JSON Schema (draft-07); the reply is always validated against it here. */
  schema: object;
  /** Ask OpenAI-style servers to enforce the schema strictly; the schema must then fit their strict subset. */
  strict?: boolean;
}

export interface ChatCallOptions {
  signal?: AbortSignal;
}

export interface ChatModel {
  /** `<provider>:<model>`, for logs and provenance. Never contains credentials. */
  readonly id: string;
  /** Resolves to a value that has been parsed and validated against `schema.schema`. */
  invokeJson(messages: ChatMessage[], schema: JsonSchemaSpec, options?: ChatCallOptions): Promise<unknown>;
  invokeText(messages: ChatMessage[], options?: ChatCallOptions): Promise<string>;
  /**
   * The reply as it is generated, piece by piece. Transient failures before the first piece are
   * retried like `invokeText`; once text has been yielded a failure ends the stream with an
   * `LlmError` (the caller already showed part of it). Aborting `signal` stops generation.
   */
  streamText(messages: ChatMessage[], options?: ChatCallOptions): AsyncIterable<string>;
  /** How much retrieved context a written answer gives this model (KGRAG_LLM_CONTEXT_TOKENS); none: all passages. */
  readonly contextBudget?: ContextBudget;
}

export interface ContextBudget {
  tokens: number;
  /** Tokens of `text` for this model: its own tokenizer when it runs in process, an estimate otherwise. */
  count(text: string): Promise<number>;
}

export interface ChatModelOptions {
  /** Delay before the first retry; doubles per attempt (with jitter), capped at 30 s. Default 500 ms. */
  retryBaseDelayMs?: number;
}

/** How a JSON reply is requested, strongest first; a server that rejects one gets the next. */
export type StructuredOutputMode = 'jsonSchema' | 'jsonMode' | 'prompt';
const MODES: readonly StructuredOutputMode[] = ['jsonSchema', 'jsonMode', 'prompt'];

export type RequestFormat = { mode: 'text' } | { mode: StructuredOutputMode; schema: JsonSchemaSpec };

/** One round trip to a provider (HTTP, or the model in process): returns the assistant's text, throws whatever the client threw. */
export interface ChatBackend {
  readonly id: string;
  complete(messages: ChatMessage[], format: RequestFormat, signal: AbortSignal): Promise<string>;
  /** Plain text, piece by piece. */
  stream(messages: ChatMessage[], signal: AbortSignal): AsyncIterable<string>;
  /** Exact token count, where the tokenizer is at hand. */
  countTokens?(text: string): Promise<number>;
}

const MAX_RETRY_DELAY_MS = 30_000;
/** Local servers (llama.cpp, vLLM, LM Studio, Ollama's /v1) ignore the key but the client wants one. */
const PLACEHOLDER_API_KEY = 'kgrag-local-no-key';

export function createChatModel(config: LlmConfig, logger: Logger, options: ChatModelOptions = {}): ChatModel {
  const backend =
    config.provider === 'ollama' ? ollamaBackend(config) : config.provider === 'llama-cpp' ? llamaCppBackend(config) : openAiBackend(config);
  return new ResilientChatModel(backend, config, logger.child({ component: 'llm', model: backend.id }), options);
}

// ---------------------------------------------------------------------------------------------
// Providers

function openAiBackend(config: LlmConfig): ChatBackend {
  const model = new ChatOpenAI({
    model: config.model,
    apiKey: resolveOpenAiKey(config),
    configuration: config.baseUrl ? { baseURL: config.baseUrl } : {},
    timeout: config.timeoutMs,
    // Retries happen in ResilientChatModel: one budget for transient errors and invalid output.
    maxRetries: 0,
  });
  return {
    id: `openai:${config.model}`,
    async complete(messages, format, signal) {
      const callOptions: ChatOpenAICallOptions = { signal };
      if (format.mode === 'jsonSchema') {
        callOptions.response_format = {
          type: 'json_schema',
          json_schema: {
            name: format.schema.name,
            schema: sendableSchema(format.schema.schema),
            strict: format.schema.strict ?? false,
          },
        };
      } else if (format.mode === 'jsonMode') {
        callOptions.response_format = { type: 'json_object' };
      }
      const reply = await model.invoke(toLangChainMessages(messages), callOptions);
      return messageText(reply.content);
    },
    async *stream(messages, signal) {
      for await (const chunk of await model.stream(toLangChainMessages(messages), { signal })) yield messageText(chunk.content);
    },
  };
}

function resolveOpenAiKey(config: LlmConfig): string {
  if (config.apiKey) return config.apiKey;
  if (config.baseUrl) return PLACEHOLDER_API_KEY;
  throw new ConfigError(
    'An OpenAI model needs an API key: set KGRAG_LLM_API_KEY (or OPENAI_API_KEY), or set KGRAG_LLM_BASE_URL for a local OpenAI-compatible server',
  );
}

function ollamaBackend(config: LlmConfig): ChatBackend {
  return {
    id: `ollama:${config.model}`,
    async complete(messages, format, signal) {
      // ChatOllama does not pass a per-call signal to its HTTP client, and its own abort() cancels
      // every request of the client; a client per call with the signal bound into fetch cancels
      // exactly this request.
      const model = new ChatOllama({
        model: config.model,
        baseUrl: config.baseUrl,
        fetch: fetchWithSignal(signal),
        format: format.mode === 'jsonSchema' ? sendableSchema(format.schema.schema) : format.mode === 'jsonMode' ? 'json' : undefined,
      });
      const reply = await model.invoke(toLangChainMessages(messages), { signal });
      return messageText(reply.content);
    },
    async *stream(messages, signal) {
      const model = new ChatOllama({ model: config.model, baseUrl: config.baseUrl, fetch: fetchWithSignal(signal) });
      for await (const chunk of await model.stream(toLangChainMessages(messages), { signal })) yield messageText(chunk.content);
    },
  };
}

function fetchWithSignal(signal: AbortSignal): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal });
}

function toLangChainMessages(messages: ChatMessage[]): BaseMessage[] {
  return messages.map((m) =>
    m.role === 'system' ? new SystemMessage(m.content) : m.role === 'assistant' ? new AIMessage(m.content) : new HumanMessage(m.content),
  );
}

function messageText(content: MessageContent): string {
  if (typeof content === 'string') return content;
  return content
    .map((part) => (typeof part === 'string' ? part : part.type === 'text' && typeof part.text === 'string' ? part.text : ''))
    .join('');
}

/** `$schema`/`$id` are for validators and editors; some servers reject them in response formats. */
function sendableSchema(schema: object): Record<string, unknown> {
  const { $schema: _schema, $id: _id, ...rest } = schema as Record<string, unknown>;
  return rest;
}

// ---------------------------------------------------------------------------------------------
// Retries, timeouts, fallback, validation

class ResilientChatModel implements ChatModel {
  readonly id: string;
  readonly contextBudget?: ContextBudget;
  /** Strongest structured-output mode the server has accepted so far. */
  private mode: StructuredOutputMode = 'jsonSchema';
  private readonly retryBaseDelayMs: number;

  constructor(
    private readonly backend: ChatBackend,
    private readonly config: LlmConfig,
    private readonly logger: Logger,
    options: ChatModelOptions,
  ) {
    this.id = backend.id;
    this.retryBaseDelayMs = options.retryBaseDelayMs ?? 500;
    if (config.contextTokens !== undefined) {
      const count = backend.countTokens?.bind(backend) ?? (async (text: string) => estimateTokens(text));
      this.contextBudget = { tokens: config.contextTokens, count };
    }
  }

  async invokeJson(messages: ChatMessage[], schema: JsonSchemaSpec, options: ChatCallOptions = {}): Promise<unknown> {
    const validate = compileSchema(schema.schema);
    let lastInvalid: LlmError | undefined;
    return this.withRetries(options.signal, async () => {
      // After an invalid reply, tell the model what was wrong instead of sending the same prompt.
      const conversation = lastInvalid ? withCorrection(messages, lastInvalid.message) : messages;
      try {
        const text = await this.completeStructured(conversation, schema, options.signal);
        return parseAndValidate(text, validate);
      } catch (err) {
        // Invalid output is found here (schema) or by the client (openai-node parses json_schema replies).
        if (err instanceof LlmError && err.code === 'LLM_INVALID_OUTPUT') lastInvalid = err;
        throw err;
      }
    });
  }

  async invokeText(messages: ChatMessage[], options: ChatCallOptions = {}): Promise<string> {
    return this.withRetries(options.signal, () => this.request(messages, { mode: 'text' }, options.signal));
  }

  async *streamText(messages: ChatMessage[], options: ChatCallOptions = {}): AsyncIterable<string> {
    const userSignal = options.signal;
    for (let n = 0; ; n++) {
      userSignal?.throwIfAborted();
      const timeout = AbortSignal.timeout(this.config.timeoutMs);
      const signal = userSignal ? AbortSignal.any([userSignal, timeout]) : timeout;
      let yielded = false;
      try {
        for await (const piece of this.backend.stream(messages, signal)) {
          if (!piece) continue;
          yielded = true;
          yield piece;
        }
        return;
      } catch (err) {
        if (userSignal?.aborted) throw userSignal.reason;
        const llmError = toLlmError(err, timeout.aborted, this.config.timeoutMs);
        if (yielded || !llmError.retryable || n >= this.config.maxRetries) throw llmError;
        const delayMs = retryDelay(this.retryBaseDelayMs, n, llmError);
        this.logger.warn({ attempt: n + 1, code: llmError.code, delayMs }, 'LLM stream failed before its first token; retrying');
        await sleepUnlessAborted(delayMs, userSignal);
      }
    }
  }

  /** Tries the current mode, then weaker ones when the server rejects the request format. */
  private async completeStructured(messages: ChatMessage[], schema: JsonSchemaSpec, signal: AbortSignal | undefined): Promise<string> {
    let firstRejection: LlmError | undefined;
    for (const mode of MODES.slice(MODES.indexOf(this.mode))) {
      try {
        const text = await this.request(withFormatInstructions(messages, schema, mode), { mode, schema }, signal);
        if (mode !== this.mode) {
          // Only remembered once the weaker mode worked: a 400 for another reason (prompt too
          // long) fails in every mode and must not downgrade later calls.
          this.logger.warn({ from: this.mode, to: mode, status: firstRejection?.status }, 'LLM server rejected the structured-output format; falling back');
          this.mode = mode;
        }
        return text;
      } catch (err) {
        if (!(err instanceof LlmError) || !isFormatRejection(err)) throw err;
        firstRejection ??= err;
        this.logger.debug({ mode, status: err.status }, 'LLM server rejected a structured-output mode');
      }
    }
    throw firstRejection ?? new LlmError('LLM_FAILED', 'No structured-output mode left to try');
  }

  /** One request with its own timeout; every failure comes out as LlmError, except the caller's abort. */
  private async request(messages: ChatMessage[], format: RequestFormat, userSignal: AbortSignal | undefined): Promise<string> {
    userSignal?.throwIfAborted();
    const timeout = AbortSignal.timeout(this.config.timeoutMs);
    const signal = userSignal ? AbortSignal.any([userSignal, timeout]) : timeout;
    const started = Date.now();
    try {
      const text = await this.backend.complete(messages, format, signal);
      this.logger.debug({ mode: format.mode, ms: Date.now() - started, chars: text.length }, 'LLM call done');
      return text;
    } catch (err) {
      if (userSignal?.aborted) throw userSignal.reason;
      throw toLlmError(err, timeout.aborted, this.config.timeoutMs);
    }
  }

  private async withRetries<T>(userSignal: AbortSignal | undefined, attempt: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (err) {
        if (!(err instanceof LlmError) || !err.retryable || n >= this.config.maxRetries) throw err;
        const delayMs = retryDelay(this.retryBaseDelayMs, n, err);
        this.logger.warn({ attempt: n + 1, code: err.code, status: err.status, delayMs, reason: err.message }, 'LLM call failed; retrying');
        await sleepUnlessAborted(delayMs, userSignal);
      }
    }
  }
}

async function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (err) {
    if (signal?.aborted) throw signal.reason;
    throw err;
  }
}

/** Exponential backoff with full jitter; a server's Retry-After wins when it asks for longer. */
function retryDelay(baseMs: number, attempt: number, err: LlmError): number {
  const exp = Math.min(MAX_RETRY_DELAY_MS, baseMs * 2 ** attempt);
  const jittered = exp / 2 + Math.random() * (exp / 2);
  const retryAfter = retryAfterMs(err.cause);
  return Math.round(Math.min(MAX_RETRY_DELAY_MS, Math.max(jittered, retryAfter ?? 0)));
}

function retryAfterMs(cause: unknown): number | undefined {
  const headers = isRecord(cause) ? cause['headers'] : undefined;
  if (!(headers instanceof Headers)) return undefined;
  const seconds = Number(headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : undefined;
}

// ---------------------------------------------------------------------------------------------
// Prompt helpers

/** Without a server-enforced schema, the schema goes into the system message. */
function withFormatInstructions(messages: ChatMessage[], schema: JsonSchemaSpec, mode: StructuredOutputMode): ChatMessage[] {
  if (mode === 'jsonSchema') return messages;
  const instructions =
    'Reply with one JSON object and nothing else (no prose, no code fences). It must conform to this JSON Schema:\n' +
    JSON.stringify(sendableSchema(schema.schema));
  return appendToFirst(messages, 'system', instructions);
}

/** Appended to the last user message: many chat templates reject two user turns in a row. */
function withCorrection(messages: ChatMessage[], problem: string): ChatMessage[] {
  const note = `Your previous reply was rejected (${problem}). Reply again with only the JSON object, conforming to the schema.`;
  const lastUser = messages.map((m) => m.role).lastIndexOf('user');
  if (lastUser < 0) return [...messages, { role: 'user', content: note }];
  return messages.map((m, i) => (i === lastUser ? { ...m, content: `${m.content}\n\n${note}` } : m));
}

/** Extends the first message of `role`, or prepends one: some chat templates allow one system message only. */
function appendToFirst(messages: ChatMessage[], role: ChatRole, text: string): ChatMessage[] {
  const index = messages.findIndex((m) => m.role === role);
  if (index < 0) return [{ role, content: text }, ...messages];
  return messages.map((m, i) => (i === index ? { ...m, content: `${m.content}\n\n${text}` } : m));
}

// ---------------------------------------------------------------------------------------------
// Parsing and validation

const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new WeakMap<object, ValidateFunction>();

function compileSchema(schema: object): ValidateFunction {
  let validate = validators.get(schema);
  if (!validate) {
    // Compiled without $id so that two copies of one schema file do not collide in Ajv's registry.
    const { $id: _id, ...rest } = schema as Record<string, unknown>;
    validate = ajv.compile(rest);
    validators.set(schema, validate);
  }
  return validate;
}

export function parseAndValidate(text: string, validate: ValidateFunction): unknown {
  let value: unknown;
  try {
    value = JSON.parse(jsonPart(text));
  } catch (err) {
    throw new LlmError('LLM_INVALID_OUTPUT', `The LLM reply is not valid JSON: ${errorMessage(err).slice(0, 120)}`, { cause: err });
  }
  if (!validate(value)) {
    const problems = ajv.errorsText(validate.errors, { separator: '; ', dataVar: 'reply' }).slice(0, 400);
    throw new LlmError('LLM_INVALID_OUTPUT', `The LLM reply does not match the JSON schema: ${problems}`);
  }
  return value;
}

/** Tolerates what servers without enforced JSON add: reasoning blocks, code fences, a sentence around it. */
function jsonPart(text: string): string {
  let t = text.replace(/<think>[\s\S]*?<\/think>/gi, '').trim();
  const fenced = /```(?:json)?\s*([\s\S]*?)```/i.exec(t);
  if (fenced?.[1] !== undefined) t = fenced[1].trim();
  if (!t.startsWith('{') && !t.startsWith('[')) {
    const start = t.indexOf('{');
    const end = t.lastIndexOf('}');
    if (start >= 0 && end > start) t = t.slice(start, end + 1);
  }
  return t;
}

// ---------------------------------------------------------------------------------------------
// Error classification

const RETRYABLE_STATUS = new Set([408, 409, 425, 429, 500, 502, 503, 504]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
/** openai-node throws these from `chat.completions.parse` when the reply cannot be a schema answer. */
const OUTPUT_ERROR_NAMES = new Set(['SyntaxError', 'LengthFinishReasonError', 'ContentFilterFinishReasonError']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function className(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  const ctor: unknown = Object.getPrototypeOf(value)?.constructor;
  return typeof ctor === 'function' ? ctor.name : undefined;
}

function isFormatRejection(err: LlmError): boolean {
  return err.code === 'LLM_FAILED' && (err.status === 400 || err.status === 422);
}

function httpStatus(err: unknown): number | undefined {
  if (!isRecord(err)) return undefined;
  // openai-node: `status`; ollama-js: `status_code`.
  const status = err['status'] ?? err['status_code'];
  return typeof status === 'number' && status >= 400 ? status : undefined;
}

function isNetworkError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; isRecord(e) && depth < 4; e = e['cause'], depth++) {
    if (typeof e['code'] === 'string' && NETWORK_CODES.has(e['code'])) return true;
    if (className(e) === 'APIConnectionError') return true;
    if (e instanceof TypeError && /fetch failed|network/i.test(e.message)) return true;
  }
  return false;
}

/** Server messages are kept short: they can be long, and are for humans, not for matching. */
function brief(message: string): string {
  return message.length > 300 ? `${message.slice(0, 300)}…` : message;
}

export function toLlmError(err: unknown, timedOut: boolean, timeoutMs: number): LlmError {
  if (err instanceof LlmError) return err;
  if (timedOut || (err instanceof Error && err.name === 'TimeoutError')) {
    return new LlmError('LLM_TIMEOUT', `The LLM did not answer within ${timeoutMs} ms`, { cause: err });
  }
  const status = httpStatus(err);
  if (status !== undefined) {
    return new LlmError('LLM_FAILED', `The LLM server answered HTTP ${status}: ${brief(errorMessage(err))}`, {
      cause: err,
      status,
      retryable: RETRYABLE_STATUS.has(status),
    });
  }
  if (err instanceof Error && OUTPUT_ERROR_NAMES.has(className(err) ?? '')) {
    return new LlmError('LLM_INVALID_OUTPUT', `The LLM reply could not be used: ${brief(err.message)}`, { cause: err });
  }
  if (isNetworkError(err)) {
    return new LlmError('LLM_FAILED', `Could not reach the LLM server: ${brief(errorMessage(err))}`, { cause: err, retryable: true });
  }
  return new LlmError('LLM_FAILED', `The LLM call failed: ${brief(errorMessage(err))}`, { cause: err, retryable: false });
}

/**
 * Tokens of `text` for a model whose tokenizer is not at hand: BPE vocabularies of current models
 * spend about one token per four characters of English and about one per Han or kana character.
 */
export function estimateTokens(text: string): number {
  const cjk = text.match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu)?.length ?? 0;
  return Math.ceil(cjk + (text.length - cjk) / 4);
}
