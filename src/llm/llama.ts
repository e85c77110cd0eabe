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
  budgetedGrammars: WeakMap<object, Promise<LlamaGrammar>>;
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
  const generate = async (messages: ChatMessage[], signal: AbortSignal, schema: object | undefined, onTextChunk?: (text: string) => void) => {
    const l = await load();
    signal.throwIfAborted();
    const run = async (grammar: LlamaGrammar | undefined) =>
      l.chat.generateResponse(toHistory(messages), {
        signal,
        maxTokens: settings.maxTokens,
        // Deterministic: extraction and text-to-Cypher want the most likely reply, not variety.
        temperature: 0,
        // Greedy decoding of a small model falls into loops ("Lloyd_Lloyd_Lloyd_…"); DRY penalises
        // extending a sequence that repeats recent output, while JSON's quotes and colons stay free.
        dryRepeatPenalty: { strength: 0.8, lastTokens: 64 },
        ...(grammar ? { grammar } : {}),
        ...(onTextChunk ? { onTextChunk } : {}),
      });
    if (!schema) return (await run(undefined)).response;
    const reply = await run(await grammarFor(l, schema, undefined));
    if (reply.metadata.stopReason !== 'maxTokens') return reply.response;
    // Cut off mid-JSON: once more with lists and strings bounded to fit the token cap.
    return (await run(await grammarFor(l, schema, settings.maxTokens - 8))).response;
  };
  return {
    id: `llama-cpp:${config.model}`,
    async complete(messages, format, signal) {
      return generate(messages, signal, format.mode === 'text' || format.mode === 'prompt' ? undefined : format.schema.schema);
    },
    stream(messages, signal) {
      return streamFrom((onText, streamSignal) => generate(messages, AbortSignal.any([signal, streamSignal]), undefined, onText));
    },
    async countTokens(text) {
      return (await load()).model.tokenize(text).length;
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
    threads: settings.threads ?? llama.cpuMathCores,
    flashAttention: settings.flashAttention,
  });
  const chat = new LlamaChat({ contextSequence: context.getSequence() });
  return { llama, model, chat, grammars: new WeakMap(), budgetedGrammars: new WeakMap() };
}

function grammarFor(l: Loaded, schema: object, budget: number | undefined): Promise<LlamaGrammar> {
  const cache = budget === undefined ? l.grammars : l.budgetedGrammars;
  let grammar = cache.get(schema);
  if (!grammar) {
    grammar = l.llama.createGrammarForJsonSchema(toGrammarSchema(schema, schema, budget) as never);
    cache.set(schema, grammar);
  }
  return grammar;
}

/** Tokens a property's key, punctuation and whitespace (a newline and indentation) may take, and the least an array item is given. */
const KEY_TOKENS = 8;
const MIN_ITEM_TOKENS = 48;
const MAX_REF_DEPTH = 16;

/**
 * The part of a JSON Schema that node-llama-cpp's grammar understands, with `$ref`s inlined. What
 * it cannot express (patterns, numeric ranges, allOf, …) is left to the Ajv validation every reply
 * goes through; a schema it would misread (no type is taken as null) becomes "any value" instead.
 *
 * With a token `budget`, lists and strings are bounded so that the whole reply fits in it (a
 * string gets at most one character per token of its share, a list as many items as its share
 * allows): a small model that repeats itself inside the grammar ({"passage": 14}, {"passage": 15},
 * …) must then close its JSON before the token cap instead of being cut off mid-string.
 */
export function toGrammarSchema(node: unknown, root: object, budget?: number, depth = 0): unknown {
  const any = budget === undefined ? ANY_JSON : { oneOf: [{ type: 'string', maxLength: Math.max(8, budget) }, { type: ['number', 'boolean', 'null'] }] };
  if (typeof node !== 'object' || node === null || Array.isArray(node) || depth > MAX_REF_DEPTH) return any;
  const s = node as Record<string, unknown>;
  const out: Record<string, unknown> = typeof s['description'] === 'string' ? { description: s['description'] } : {};
  if (typeof s['$ref'] === 'string') {
    const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(s['$ref']);
    const defs = match ? ((root as Record<string, unknown>)[match[1]!] as Record<string, unknown> | undefined) : undefined;
    return defs && match ? toGrammarSchema(defs[match[2]!], root, budget, depth + 1) : any;
  }
  const convert = (child: unknown, share?: number) => toGrammarSchema(child, root, share, depth);
  const alternatives = s['anyOf'] ?? s['oneOf'];
  if (Array.isArray(alternatives)) return { ...out, oneOf: alternatives.map((a) => convert(a, budget)) };
  if ('const' in s) return { ...out, const: s['const'] };
  if (Array.isArray(s['enum'])) return { ...out, enum: s['enum'] };
  const type = s['type'];
  if (type === 'object') {
    const props = (s['properties'] ?? {}) as Record<string, unknown>;
    const required = new Set(Array.isArray(s['required']) ? (s['required'] as string[]) : []);
    // The grammar writes every listed property; optional ones are left out rather than forced.
    const kept = Object.entries(props).filter(([k]) => required.has(k));
    const share = budget === undefined ? undefined : Math.max(1, Math.floor((budget - 2) / Math.max(1, kept.length)) - KEY_TOKENS);
    const extra = s['additionalProperties'];
    return {
      ...out,
      type: 'object',
      properties: Object.fromEntries(kept.map(([k, v]) => [k, convert(v, share)])),
      required: kept.map(([k]) => k),
      // Extra properties would be unbounded: with a budget, none.
      ...(extra === false || extra === undefined || budget !== undefined ? {} : { additionalProperties: extra === true ? true : convert(extra) }),
    };
  }
  if (type === 'array') {
    const minItems = typeof s['minItems'] === 'number' ? s['minItems'] : 0;
    let maxItems = typeof s['maxItems'] === 'number' ? s['maxItems'] : undefined;
    let share: number | undefined;
    if (budget !== undefined) {
      maxItems = Math.max(minItems, 1, Math.min(maxItems ?? Infinity, Math.floor((budget - 2) / MIN_ITEM_TOKENS)));
      share = Math.max(1, Math.floor((budget - 2) / maxItems) - 4);
    }
    return {
      ...out,
      type: 'array',
      ...(s['items'] !== undefined ? { items: convert(s['items'], share) } : {}),
      ...(minItems ? { minItems } : {}),
      ...(maxItems !== undefined ? { maxItems } : {}),
    };
  }
  if (type === 'string') {
    if (s['format'] === 'date-time' || s['format'] === 'date' || s['format'] === 'time') return { ...out, type, format: s['format'] };
    const minLength = typeof s['minLength'] === 'number' ? s['minLength'] : 0;
    const own = typeof s['maxLength'] === 'number' ? s['maxLength'] : Infinity;
    const maxLength = Math.min(own, budget === undefined ? Infinity : Math.max(minLength, 8, budget));
    return { ...out, type, ...(minLength ? { minLength } : {}), ...(Number.isFinite(maxLength) ? { maxLength } : {}) };
  }
  const basic = ['string', 'number', 'integer', 'boolean', 'null'];
  const types = typeof type === 'string' ? [type] : Array.isArray(type) ? type : [];
  if (types.length && types.every((t) => basic.includes(t as string))) {
    // A bare 'string' among several types cannot carry a length: bounded, it becomes its own alternative.
    if (budget === undefined || !types.includes('string')) return { ...out, type };
    const rest = types.filter((t) => t !== 'string');
    return { ...out, oneOf: [{ type: 'string', maxLength: Math.max(8, budget) }, ...(rest.length ? [{ type: rest }] : [])] };
  }
  return any;
}

const ANY_JSON = {
  oneOf: [{ type: ['string', 'number', 'boolean', 'null'] }, { type: 'array' }, { type: 'object', additionalProperties: true }],
};

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
