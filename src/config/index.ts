import { existsSync } from 'node:fs';
import path from 'node:path';
import { config as loadDotenv } from 'dotenv';
import { z } from 'zod';
import { DEFAULT_EMBEDDING_MODEL, EMBEDDING_MODEL_KEYS, EMBEDDING_MODELS, type EmbeddingModelKey } from '../embedding/models.ts';
import { ConfigError } from '../errors.ts';

/**
 * All configuration, validated once. Sources, later wins: defaults < `.env` file in the working
 * directory < process environment. Every variable is documented in the README.
 */
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const EnvSchema = z.object({
  NEO4J_URI: z.string().url().optional(),
  NEO4J_USERNAME: z.string().min(1).default('neo4j'),
  NEO4J_PASSWORD: z.string().min(8, 'NEO4J_PASSWORD must have at least 8 characters').default('kgrag-local-dev'),
  NEO4J_DATABASE: z.string().min(1).default('neo4j'),
  KGRAG_HOME: z.string().optional(),
  KGRAG_LOCAL_DB: bool.optional(),
  KGRAG_NEO4J_VERSION: z.string().regex(/^\d+\.\d+\.\d+$/).default('5.26.19'),
  KGRAG_NEO4J_HEAP: z.string().regex(/^\d+[mg]$/i).default('4g'),
  KGRAG_NEO4J_PAGECACHE: z.string().regex(/^\d+[mg]$/i).default('4g'),
  KGRAG_NEO4J_TX_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  KGRAG_MODEL_DIR: z.string().optional(),
  KGRAG_EMBEDDING_MODEL: z.enum(EMBEDDING_MODEL_KEYS).default(DEFAULT_EMBEDDING_MODEL),
  KGRAG_EMBEDDING_BATCH_SIZE: z.coerce.number().int().min(1).max(512).default(8),
  KGRAG_EMBEDDING_DTYPE: z.enum(['fp32', 'q8']).optional(),
  KGRAG_CHUNK_TOKENS: z.coerce.number().int().min(32).max(8192).optional(),
  KGRAG_CHUNK_OVERLAP: z.coerce.number().int().min(0).max(1024).default(32),
  KGRAG_MAX_FILE_MB: z.coerce.number().positive().default(50),
  KGRAG_OCR_MAX_PAGES: z.coerce.number().int().min(0).default(50),
  KGRAG_OCR_TIMEOUT_MS: z.coerce.number().int().positive().default(300_000),
  KGRAG_FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(20_000),
  KGRAG_ALLOW_PRIVATE_URLS: bool.default(false),
  KGRAG_DEFAULT_COLLECTION: z.string().default('default'),
  KGRAG_INGEST_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  KGRAG_DOC_TIMEOUT_S: z.coerce.number().positive().default(120),
  KGRAG_DOC_MEMORY_MB: z.coerce.number().int().min(64).default(1024),
  KGRAG_JOB_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(2),
  KGRAG_JOB_LEASE_S: z.coerce.number().min(1).max(3600).default(30),
  KGRAG_EXTRACTOR: z.enum(['offline', 'llm', 'none']).optional(),
  KGRAG_EXTRACTION_SCHEMA: z.string().optional(),
  KGRAG_EXTRACTION_PATTERNS: z.string().optional(),
  KGRAG_EXTRACTION_ON_ERROR: z.enum(['skip', 'fail']).default('skip'),
  KGRAG_LLM_PROVIDER: z.enum(['openai', 'ollama', 'llama-cpp']).optional(),
  KGRAG_LLM_MODEL_PATH: z.string().optional(),
  KGRAG_LLM_THREADS: z.coerce.number().int().min(1).max(256).optional(),
  KGRAG_LLM_CONTEXT_SIZE: z.coerce.number().int().min(512).max(131_072).default(4096),
  KGRAG_LLM_BATCH_SIZE: z.coerce.number().int().min(16).max(8192).default(512),
  KGRAG_LLM_MAX_TOKENS: z.coerce.number().int().min(16).max(32_768).default(1024),
  KGRAG_LLM_FLASH_ATTENTION: bool.default(true),
  KGRAG_LLM_CONTEXT_TOKENS: z.coerce.number().int().min(64).max(131_072).optional(),
  KGRAG_LLM_TASKS: z
    .string()
    .transform((v, ctx) => {
      const tasks = v.split(',').map((t) => t.trim()).filter(Boolean);
      const unknown = tasks.filter((t) => !(LLM_TASKS as readonly string[]).includes(t));
      if (unknown.length) ctx.addIssue({ code: 'custom', message: `unknown task(s) ${unknown.join(', ')}; known: ${LLM_TASKS.join(', ')}` });
      return new Set(tasks as LlmTask[]);
    })
    .optional(),
  KGRAG_LLM_GPU: z.enum(['false', 'auto', 'cuda', 'vulkan', 'metal']).default('false'),
  KGRAG_LLM_BASE_URL: z.string().url().optional(),
  KGRAG_LLM_MODEL: z.string().optional(),
  KGRAG_LLM_API_KEY: z.string().optional(),
  OPENAI_API_KEY: z.string().optional(),
  KGRAG_LLM_TIMEOUT_MS: z.coerce.number().int().positive().default(120_000),
  KGRAG_LLM_CONCURRENCY: z.coerce.number().int().min(1).max(64).optional(),
  KGRAG_LLM_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  KGRAG_RERANK: z.enum(['auto', 'off', 'sentence', 'llm']).default('auto'),
  KGRAG_API_HOST: z.string().min(1).default('127.0.0.1'),
  KGRAG_API_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  KGRAG_API_AUTH: z.enum(['keys', 'disabled']).default('keys'),
  KGRAG_API_KEYS_FILE: z.string().optional(),
  KGRAG_API_RATE_LIMIT: z.coerce.number().int().min(1).default(600),
  KGRAG_API_AUTH_FAILURES: z.coerce.number().int().min(1).default(30),
  KGRAG_API_REQUEST_TIMEOUT_MS: z.coerce.number().int().positive().default(60_000),
  KGRAG_API_MAX_BODY_KB: z.coerce.number().int().positive().default(1024),
  KGRAG_API_MAX_UPLOAD_FILES: z.coerce.number().int().min(1).max(1000).default(20),
  KGRAG_API_SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(30_000),
  KGRAG_GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).max(50).default(8),
  KGRAG_GRAPHQL_MAX_COST: z.coerce.number().int().min(1).default(5000),
  KGRAG_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('warn'),
});

export interface KgragConfig {
  neo4j: {
    uri: string;
    username: string;
    password: string;
    database: string;
    /** kgrag starts and stops this database itself (`kgrag db start`). */
    managed: boolean;
    txTimeoutMs: number;
  };
  localDb: {
    version: string;
    heap: string;
    pagecache: string;
    /** Bolt port taken from the URI. */
    boltPort: number;
    /** Folder for jars, data, logs, pid file. Git-ignored. */
    home: string;
  };
  /** Working folder of kgrag: `.kgrag` under the current directory unless KGRAG_HOME says otherwise. */
  home: string;
  embedding: {
    /** Which row of `EMBEDDING_MODELS`: prefixes, window, dimension, preparation. */
    model: EmbeddingModelKey;
    /** Local transformers.js model folder (config.json, tokenizer.json, onnx/model.onnx). Used as is, no hub. */
    modelDir: string | undefined;
    /** Model id on the hub, used when no modelDir is set. */
    modelId: string;
    /**
     * Weights to run: `q8` is the folder's `onnx/model_quantized.onnx` (falls back to fp32 when the
     * folder has none). Default: the model row's, for a prepared folder; fp32 from the hub.
     */
    dtype: 'fp32' | 'q8';
    batchSize: number;
  };
  chunking: { maxTokens: number; overlapTokens: number };
  ingest: {
    maxFileBytes: number;
    fetchTimeoutMs: number;
    allowPrivateUrls: boolean;
    defaultCollection: string;
    /** Worker threads that parse and chunk documents, and each document's time and heap budget there. */
    workers: { threads: number; timeoutMs: number; memoryMb: number };
    /** How many times a job is started before an interrupted one is given up (crash loops end here). */
    maxJobAttempts: number;
    /** A running job's lease: a worker that stops renewing it (it died) loses the job to another after this long. */
    jobLeaseMs: number;
    /** OCR of images and of scanned PDF pages: pages per document at most (0: no OCR) and time per document. */
    ocr: { maxPages: number; timeoutMs: number };
  };
  /** Set when an LLM is configured (KGRAG_LLM_MODEL); kgrag needs none. */
  llm: LlmConfig | undefined;
  /**
   * The second stage of passage search (src/retrieval/rerank.ts): `auto` is the LLM reranker when
   * an LLM is configured, else none; `sentence` re-scores by each passage's best sentence.
   */
  rerank: 'auto' | 'off' | 'sentence' | 'llm';
  extraction: {
    /** Which extractor runs during ingest: the LLM one when an LLM is configured, else the offline one. */
    extractor: 'offline' | 'llm' | 'none';
    /** User schema of allowed entity types, relationship types and properties (JSON file). */
    schemaFile: string | undefined;
    /** Extra relation patterns for the offline extractor (JSON file), added to the built-in ones. */
    patternsFile: string | undefined;
    /** What a chunk whose extraction fails does to its document: skip the chunk and report, or fail. */
    onError: 'skip' | 'fail';
  };
  api: ApiConfig;
  logLevel: string;
}

/** The HTTP server (`kgrag serve`). */
export interface ApiConfig {
  host: string;
  port: number;
  /** `disabled` only for local use: the server then refuses any address but loopback. */
  auth: 'keys' | 'disabled';
  /** Hashed API keys (JSON), `.kgrag/api-keys.json` by default. */
  keysFile: string;
  /** Units of work per minute per API key (a read is 1, a search 3, an ask 10). */
  rateLimitPerMinute: number;
  /** Failed authentications per minute per client address. */
  authFailuresPerMinute: number;
  requestTimeoutMs: number;
  maxBodyBytes: number;
  maxUploadFiles: number;
  /** How long shutdown waits for in-flight requests and the running job. */
  shutdownGraceMs: number;
  graphql: { maxDepth: number; maxCost: number };
}

export interface LlmConfig {
  provider: 'openai' | 'ollama' | 'llama-cpp';
  /** OpenAI-compatible base URL (e.g. http://127.0.0.1:8000/v1) or the Ollama server URL. */
  baseUrl: string | undefined;
  model: string;
  apiKey: string | undefined;
  timeoutMs: number;
  concurrency: number;
  maxRetries: number;
  /** Set for provider llama-cpp: the GGUF model kgrag runs in process. */
  llamaCpp?: LlamaCppConfig | undefined;
  /** What the model is used for when a question is asked (extraction has its own switch, KGRAG_EXTRACTOR). */
  tasks: ReadonlySet<LlmTask>;
  /**
   * Tokens of retrieved context in a written answer's prompt, counted with the model's tokenizer;
   * undefined: every passage (each cut at 4,000 characters). Time to the first token grows with it.
   */
  contextTokens: number | undefined;
}

/**
 * answer: written answers (and community summaries); cypher: text-to-Cypher for what the parser
 * cannot map; rewrite: follow-up questions made standalone; rerank: passage reranking (KGRAG_RERANK=auto).
 */
export const LLM_TASKS = ['answer', 'cypher', 'rewrite', 'rerank'] as const;
export type LlmTask = (typeof LLM_TASKS)[number];

/**
 * An in-process model runs on this machine's CPU, where every prompt token costs: one call to
 * write Cypher from the schema or to rerank twenty passages reads thousands of tokens before the
 * answer can start (about 10 s each with a small model on two cores). So by default it writes the
 * answers only, from a context cut to its most relevant sentences; the rules resolve follow-ups.
 */
const LOCAL_TASKS: readonly LlmTask[] = ['answer'];
/** Measured on the demo (README, "A local LLM"): about 1 s of prompt evaluation on two cores with SmolLM2-135M. */
const LOCAL_CONTEXT_TOKENS = 128;

export interface LlamaCppConfig {
  modelPath: string;
  /**
   * Default: the machine's math cores (llama.cpp's own default). Prompt evaluation is compute-bound:
   * on 2 idle cores 2 threads read 149 prompt tokens/s, 1 thread 90; on a machine busy with other
   * work, fewer threads than cores avoid waiting for a descheduled one (KGRAG_LLM_THREADS=1).
   */
  threads: number | undefined;
  /** Tokens of prompt plus reply; capped at the model's training context. */
  contextSize: number;
  /** Prompt tokens evaluated per step. */
  batchSize: number;
  /** Most tokens one reply may have: a small model can otherwise run on until the context is full. */
  maxTokens: number;
  flashAttention: boolean;
  /** false: CPU only (the default; no probing for GPU libraries). */
  gpu: false | 'auto' | 'cuda' | 'vulkan' | 'metal';
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  options: { cwd?: string; dotenv?: boolean } = {},
): KgragConfig {
  const cwd = options.cwd ?? process.cwd();
  let merged: Record<string, string | undefined> = env;
  if (options.dotenv !== false) {
    const parsed = loadDotenv({ path: path.join(cwd, '.env'), processEnv: {}, quiet: true }).parsed ?? {};
    merged = { ...parsed, ...env };
  }
  // Empty strings mean "unset", as in most shells' `VAR= cmd`.
  const cleaned = Object.fromEntries(Object.entries(merged).filter(([, v]) => v !== undefined && v !== ''));
  const result = EnvSchema.safeParse(cleaned);
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new ConfigError(`Invalid configuration: ${problems}`);
  }
  const e = result.data;
  const home = path.resolve(cwd, e.KGRAG_HOME ?? '.kgrag');
  const uri = e.NEO4J_URI ?? 'bolt://127.0.0.1:7687';
  const parsedUri = new URL(uri);
  const loopback = ['127.0.0.1', 'localhost', '[::1]', '::1'].includes(parsedUri.hostname);
  const managed = e.KGRAG_LOCAL_DB ?? (e.NEO4J_URI === undefined || loopback);
  const spec = EMBEDDING_MODELS[e.KGRAG_EMBEDDING_MODEL];
  const chunkTokens = e.KGRAG_CHUNK_TOKENS ?? spec.chunkTokens;
  if (e.KGRAG_CHUNK_OVERLAP >= chunkTokens / 2) {
    throw new ConfigError('KGRAG_CHUNK_OVERLAP must be less than half of KGRAG_CHUNK_TOKENS');
  }
  let modelDir = e.KGRAG_MODEL_DIR ? path.resolve(cwd, e.KGRAG_MODEL_DIR) : undefined;
  if (!modelDir) {
    // The folder `npm run setup` prepares offline; used when present so no hub is needed.
    const prepared = path.join(home, 'models', spec.name);
    if (existsSync(path.join(prepared, 'onnx', 'model.onnx'))) modelDir = prepared;
  }
  const provider = e.KGRAG_LLM_PROVIDER ?? (e.KGRAG_LLM_MODEL_PATH ? 'llama-cpp' : 'openai');
  if (provider === 'llama-cpp' && !e.KGRAG_LLM_MODEL_PATH) {
    throw new ConfigError('KGRAG_LLM_PROVIDER=llama-cpp needs KGRAG_LLM_MODEL_PATH: the .gguf file to run (npm run setup -- smollm2 prepares a small one)');
  }
  if (provider !== 'llama-cpp' && e.KGRAG_LLM_MODEL_PATH) {
    throw new ConfigError(`KGRAG_LLM_MODEL_PATH is for KGRAG_LLM_PROVIDER=llama-cpp, not ${provider}`);
  }
  const modelPath = e.KGRAG_LLM_MODEL_PATH ? path.resolve(cwd, e.KGRAG_LLM_MODEL_PATH) : undefined;
  const llmModel = e.KGRAG_LLM_MODEL ?? (modelPath ? path.basename(modelPath).replace(/\.gguf$/i, '') : undefined);
  const llm: LlmConfig | undefined = llmModel
    ? {
        provider,
        baseUrl: e.KGRAG_LLM_BASE_URL,
        model: llmModel,
        // An OpenAI key is only ever sent to OpenAI itself, never to a custom base URL.
        apiKey: e.KGRAG_LLM_API_KEY ?? (e.KGRAG_LLM_BASE_URL ? undefined : e.OPENAI_API_KEY),
        timeoutMs: e.KGRAG_LLM_TIMEOUT_MS,
        // A model in process answers one call at a time: more in flight would only wait in its
        // queue, where their timeouts already run.
        concurrency: e.KGRAG_LLM_CONCURRENCY ?? (provider === 'llama-cpp' ? 1 : 4),
        maxRetries: e.KGRAG_LLM_MAX_RETRIES,
        tasks: e.KGRAG_LLM_TASKS ?? new Set(provider === 'llama-cpp' ? LOCAL_TASKS : LLM_TASKS),
        contextTokens: e.KGRAG_LLM_CONTEXT_TOKENS ?? (provider === 'llama-cpp' ? LOCAL_CONTEXT_TOKENS : undefined),
        llamaCpp: modelPath
          ? {
              modelPath,
              threads: e.KGRAG_LLM_THREADS,
              contextSize: e.KGRAG_LLM_CONTEXT_SIZE,
              batchSize: e.KGRAG_LLM_BATCH_SIZE,
              maxTokens: e.KGRAG_LLM_MAX_TOKENS,
              flashAttention: e.KGRAG_LLM_FLASH_ATTENTION,
              gpu: e.KGRAG_LLM_GPU === 'false' ? false : e.KGRAG_LLM_GPU,
            }
          : undefined,
      }
    : undefined;
  if (e.KGRAG_RERANK === 'llm' && !llm) {
    throw new ConfigError('KGRAG_RERANK=llm needs an LLM: set KGRAG_LLM_MODEL (and KGRAG_LLM_BASE_URL for a local server)');
  }
  if (e.KGRAG_EXTRACTOR === 'llm' && !llm) {
    throw new ConfigError('KGRAG_EXTRACTOR=llm needs an LLM: set KGRAG_LLM_MODEL (and KGRAG_LLM_BASE_URL for a local server)');
  }
  return {
    neo4j: {
      uri,
      username: e.NEO4J_USERNAME,
      password: e.NEO4J_PASSWORD,
      database: e.NEO4J_DATABASE,
      managed,
      txTimeoutMs: e.KGRAG_NEO4J_TX_TIMEOUT_MS,
    },
    localDb: {
      version: e.KGRAG_NEO4J_VERSION,
      heap: e.KGRAG_NEO4J_HEAP,
      pagecache: e.KGRAG_NEO4J_PAGECACHE,
      boltPort: parsedUri.port ? Number(parsedUri.port) : 7687,
      home: path.join(home, 'neo4j'),
    },
    home,
    embedding: {
      model: e.KGRAG_EMBEDDING_MODEL,
      modelDir,
      modelId: spec.hubId,
      dtype: e.KGRAG_EMBEDDING_DTYPE ?? (modelDir ? spec.dtype : 'fp32'),
      batchSize: e.KGRAG_EMBEDDING_BATCH_SIZE,
    },
    chunking: { maxTokens: chunkTokens, overlapTokens: e.KGRAG_CHUNK_OVERLAP },
    ingest: {
      maxFileBytes: Math.round(e.KGRAG_MAX_FILE_MB * 1024 * 1024),
      fetchTimeoutMs: e.KGRAG_FETCH_TIMEOUT_MS,
      allowPrivateUrls: e.KGRAG_ALLOW_PRIVATE_URLS,
      defaultCollection: e.KGRAG_DEFAULT_COLLECTION,
      workers: { threads: e.KGRAG_INGEST_WORKERS, timeoutMs: Math.round(e.KGRAG_DOC_TIMEOUT_S * 1000), memoryMb: e.KGRAG_DOC_MEMORY_MB },
      maxJobAttempts: e.KGRAG_JOB_MAX_ATTEMPTS,
      jobLeaseMs: Math.round(e.KGRAG_JOB_LEASE_S * 1000),
      ocr: { maxPages: e.KGRAG_OCR_MAX_PAGES, timeoutMs: e.KGRAG_OCR_TIMEOUT_MS },
    },
    llm,
    rerank: e.KGRAG_RERANK,
    extraction: {
      extractor: e.KGRAG_EXTRACTOR ?? (llm ? 'llm' : 'offline'),
      schemaFile: e.KGRAG_EXTRACTION_SCHEMA ? path.resolve(cwd, e.KGRAG_EXTRACTION_SCHEMA) : undefined,
      patternsFile: e.KGRAG_EXTRACTION_PATTERNS ? path.resolve(cwd, e.KGRAG_EXTRACTION_PATTERNS) : undefined,
      onError: e.KGRAG_EXTRACTION_ON_ERROR,
    },
    api: {
      host: e.KGRAG_API_HOST,
      port: e.KGRAG_API_PORT,
      auth: e.KGRAG_API_AUTH,
      keysFile: e.KGRAG_API_KEYS_FILE ? path.resolve(cwd, e.KGRAG_API_KEYS_FILE) : path.join(home, 'api-keys.json'),
      rateLimitPerMinute: e.KGRAG_API_RATE_LIMIT,
      authFailuresPerMinute: e.KGRAG_API_AUTH_FAILURES,
      requestTimeoutMs: e.KGRAG_API_REQUEST_TIMEOUT_MS,
      maxBodyBytes: e.KGRAG_API_MAX_BODY_KB * 1024,
      maxUploadFiles: e.KGRAG_API_MAX_UPLOAD_FILES,
      shutdownGraceMs: e.KGRAG_API_SHUTDOWN_GRACE_MS,
      graphql: { maxDepth: e.KGRAG_GRAPHQL_MAX_DEPTH, maxCost: e.KGRAG_GRAPHQL_MAX_COST },
    },
    logLevel: e.KGRAG_LOG_LEVEL,
  };
}
