import path from 'node:path';
import type { ChatHistoryItem, Llama, LlamaChat, LlamaGrammar, LlamaModel } from 'node-llama-cpp';
import type { LlamaCppConfig, LlmConfig } from '../config/index.ts';
import { ConfigError, errorMessage } from '../errors.ts';
import type { ChatBackend, ChatMessage } from './chat.ts';
import { LlmError } from './errors.ts';

/**
 * A GGUF model run inside kgrag by node-llama-cpp (llama.cpp's prebuilt CPU binaries from npm).
 * The binding is imported on first use only: commands that never call the model stay light.
 * One model load per process and file, shared by every ChatModel built for it; calls queue on the
 * chat's lock (one sequence: on a few CPU cores parallel sequences only share the same threads).
 * JSON replies are constrained by a grammar built from the JSON schema, so even a small model
 * cannot produce text that does not parse.
 */

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  chat: LlamaChat;
  grammars: WeakMap<object, Promise<LlamaGrammar>>;
}

const loaded = new Map<string, Promise<Loaded>>();

export function llamaCppBackend(config: LlmConfig): ChatBackend {
  const settings = config.llamaCpp;
  if (!settings) throw new ConfigError('KGRAG_LLM_PROVIDER=llama-cpp needs KGRAG_LLM_MODEL_PATH (a .gguf file)');
  const key = JSON.stringify(settings);
  const load = (): Promise<Loaded> => {
    let pending = loaded.get(key);
    if (!pending) {
      pending = loadModel(settings);
      // A failed load (missing file) is not cached: fixing the file and asking again works.
      pending.catch(() => loaded.delete(key));
      loaded.set(key, pending);
    }
    return pending;
  };
  const generate = async (messages: ChatMessage[], signal: AbortSignal, grammarOf: ((l: Loaded) => Promise<LlamaGrammar>) | undefined, onTextChunk?: (text: string) => void) => {
    const l = await load();
    signal.throwIfAborted();
    const grammar = grammarOf ? await grammarOf(l) : undefined;
    const reply = await l.chat.generateResponse(toHistory(messages), {
      signal,
      maxTokens: settings.maxTokens,
      // Deterministic: extraction and text-to-Cypher want the most likely reply, not variety.
      temperature: 0,
      ...(grammar ? { grammar } : {}),
      ...(onTextChunk ? { onTextChunk } : {}),
    });
    return reply.response;
  };
  return {
    id: `llama-cpp:${config.model}`,
    async complete(messages, format, signal) {
      if (format.mode === 'text' || format.mode === 'prompt') return generate(messages, signal, undefined);
      return generate(messages, signal, (l) => grammarFor(l, format.schema.schema));
    },
    stream(messages, signal) {
      return streamFrom((onText, streamSignal) => generate(messages, AbortSignal.any([signal, streamSignal]), undefined, onText));
    },
  };
}

async function loadModel(settings: LlamaCppConfig): Promise<Loaded> {
  const { getLlama, LlamaChat, LlamaLogLevel } = await import('node-llama-cpp');
  let llama: Llama;
  try {
    // build: 'never': the prebuilt binaries from npm or nothing; never compile or download at run time.
    llama = await getLlama({ gpu: settings.gpu, build: 'never', logLevel: LlamaLogLevel.error, progressLogs: false });
  } catch (err) {
    throw new LlmError('LLM_FAILED', `Cannot start llama.cpp (node-llama-cpp's prebuilt binary for this platform is missing?): ${errorMessage(err)}`, { cause: err });
  }
  let model: LlamaModel;
  try {
    model = await llama.loadModel({ modelPath: settings.modelPath });
  } catch (err) {
    throw new LlmError('LLM_FAILED', `Cannot load the model ${path.basename(settings.modelPath)}: ${errorMessage(err)}`, { cause: err });
  }
  const context = await model.createContext({
    contextSize: Math.min(settings.contextSize, model.trainContextSize),
    batchSize: settings.batchSize,
    threads: settings.threads,
    flashAttention: settings.flashAttention,
  });
  const chat = new LlamaChat({ contextSequence: context.getSequence() });
  return { llama, model, chat, grammars: new WeakMap() };
}

function grammarFor(l: Loaded, schema: object): Promise<LlamaGrammar> {
  let grammar = l.grammars.get(schema);
  if (!grammar) {
    grammar = l.llama.createGrammarForJsonSchema(toGrammarSchema(schema, schema) as never);
    l.grammars.set(schema, grammar);
  }
  return grammar;
}

const ANY_JSON = {
  oneOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'array' }, { type: 'object', additionalProperties: true }],
};

/**
 * The part of a JSON Schema that node-llama-cpp's grammar understands. What it cannot express
 * (patterns, numeric ranges, allOf, …) is left to the Ajv validation every reply goes through; a
 * schema it would misread (no type: taken as null) becomes "any JSON" rather than a wrong constraint.
 */
export function toGrammarSchema(node: unknown, root: object): unknown {
  if (node === true || node === undefined) return ANY_JSON;
  if (typeof node !== 'object' || node === null || Array.isArray(node)) return ANY_JSON;
  const s = node as Record<string, unknown>;
  const convert = (child: unknown) => toGrammarSchema(child, root);
  const out: Record<string, unknown> = {};
  if (typeof s['description'] === 'string') out['description'] = s['description'];
  const defs = (s['$defs'] ?? s['definitions']) as Record<string, unknown> | undefined;
  if (defs && typeof defs === 'object') out['$defs'] = Object.fromEntries(Object.entries(defs).map(([k, v]) => [k, convert(v)]));
  if (typeof s['$ref'] === 'string') {
    const ref = s['$ref'].replace(/^#\/definitions\//, '#/$defs/');
    return ref.startsWith('#/$defs/') ? { ...out, $ref: ref } : ANY_JSON;
  }
  const alternatives = s['anyOf'] ?? s['oneOf'];
  if (Array.isArray(alternatives)) return { ...out, oneOf: alternatives.map(convert) };
  if ('const' in s) return { ...out, const: s['const'] };
  if (Array.isArray(s['enum'])) return { ...out, enum: s['enum'] };
  const type = s['type'];
  if (type === 'object') {
    const props = (s['properties'] ?? {}) as Record<string, unknown>;
    const required = new Set(Array.isArray(s['required']) ? (s['required'] as string[]) : []);
    // The grammar writes every listed property; optional ones are left out rather than forced.
    const kept = Object.entries(props).filter(([k]) => required.has(k));
    const extra = s['additionalProperties'];
    return {
      ...out,
      type: 'object',
      properties: Object.fromEntries(kept.map(([k, v]) => [k, convert(v)])),
      required: kept.map(([k]) => k),
      ...(extra === false || extra === undefined ? {} : { additionalProperties: extra === true ? true : convert(extra) }),
    };
  }
  if (type === 'array') {
    return {
      ...out,
      type: 'array',
      ...(s['items'] !== undefined ? { items: convert(s['items']) } : {}),
      ...(typeof s['minItems'] === 'number' ? { minItems: s['minItems'] } : {}),
      ...(typeof s['maxItems'] === 'number' ? { maxItems: s['maxItems'] } : {}),
    };
  }
  if (type === 'string') {
    if (s['format'] === 'date-time' || s['format'] === 'date' || s['format'] === 'time') return { ...out, type, format: s['format'] };
    return {
      ...out,
      type,
      ...(typeof s['minLength'] === 'number' ? { minLength: s['minLength'] } : {}),
      ...(typeof s['maxLength'] === 'number' ? { maxLength: s['maxLength'] } : {}),
    };
  }
  const basic = ['string', 'number', 'integer', 'boolean', 'null'];
  if (typeof type === 'string' && basic.includes(type)) return { ...out, type };
  if (Array.isArray(type) && type.every((t) => basic.includes(t as string))) return { ...out, type };
  return ANY_JSON;
}

function toHistory(messages: ChatMessage[]): ChatHistoryItem[] {
  return messages.map((m): ChatHistoryItem =>
    m.role === 'system' ? { type: 'system', text: m.content } : m.role === 'user' ? { type: 'user', text: m.content } : { type: 'model', response: [m.content] },
  );
}

/**
 * Turns a generation that reports text through a callback into an async iterable. Leaving the
 * loop early (break, an error in the consumer) aborts the generation and waits for it to stop.
 */
async function* streamFrom(run: (onText: (text: string) => void, signal: AbortSignal) => Promise<unknown>): AsyncIterable<string> {
  const stop = new AbortController();
  const pieces: string[] = [];
  let wake: (() => void) | undefined;
  let done = false;
  let failure: { err: unknown } | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };
  const running = run((text) => {
    pieces.push(text);
    notify();
  }, stop.signal).then(
    () => {
      done = true;
      notify();
    },
    (err: unknown) => {
      failure = { err };
      done = true;
      notify();
    },
  );
  try {
    for (;;) {
      if (pieces.length) {
        yield pieces.splice(0).join('');
        continue;
      }
      if (done) break;
      await new Promise<void>((resolve) => (wake = resolve));
    }
    if (failure) throw failure.err;
  } finally {
    stop.abort();
    await running;
  }
}
