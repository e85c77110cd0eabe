import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  AutoModel,
  AutoTokenizer,
  env,
  mean_pooling,
  type PreTrainedModel,
  type PreTrainedTokenizer,
  type Tensor,
} from '@huggingface/transformers';
import type { KgragConfig } from '../config/index.ts';
import { EmbeddingError, errorMessage } from '../errors.ts';
import type { Logger } from '../logging.ts';
import { EMBEDDING_MODELS, type EmbeddingModelSpec } from './models.ts';

export interface Embedder {
  /** `basename(modelDir)` for a local folder, else the hub id. Stored with the embeddings. */
  readonly modelId: string;
  readonly dimension: number;
  /**
   * Tokens left for the text in the model window: [CLS]/[SEP] included, the model's
   * `passage: `/`query: ` prefix already taken off.
   */
  readonly maxTokens: number;
  /** Mean-pooled, L2-normalised vectors, in input order (with the model's passage prefix). */
  embedDocuments(texts: string[]): Promise<number[][]>;
  /** A search string's vector (with the model's query prefix). */
  embedQuery(text: string): Promise<number[]>;
  /** Tokens of `text` by the model's own tokenizer, without special tokens or prefix. */
  countTokens(text: string): number;
  dispose(): Promise<void>;
}

export interface EmbedderOptions {
  /**
   * Download cache for hub models (e.g. `<KGRAG_HOME>/models/hub`). Default: transformers.js'
   * own cache (`node_modules/@huggingface/transformers/.cache`), which a reinstall wipes.
   */
  cacheDir?: string;
  /**
   * ONNX Runtime intra-op threads. Default: ONNX Runtime's own choice, one per physical core,
   * which measured best on 2 cores (1 thread: -45%; 4 threads: -55%). Logical CPUs would
   * oversubscribe SMT machines the same way, hence no `availableParallelism()` here.
   */
  threads?: number;
}

const REQUIRED_FILES = ['config.json', 'tokenizer.json', path.join('onnx', 'model.onnx')];

interface ModelSource {
  /** What transformers.js resolves: a folder name under `env.localModelPath`, or a hub id. */
  loadId: string;
  modelId: string;
  localDir: string | undefined;
}

/** transformers.js' file name for the int8 graph of a `dtype: 'q8'` load. */
const QUANTIZED_FILE = path.join('onnx', 'model_quantized.onnx');

/**
 * The weights a load will run: q8 only where the folder holds the quantised graph (a folder
 * prepared before it existed, or a user's own, runs fp32). Same vectors to within cosine 0.99,
 * so a collection embedded with one is searched correctly with the other.
 */
export function effectiveDtype(config: KgragConfig['embedding']): 'fp32' | 'q8' {
  if (config.dtype === 'q8' && config.modelDir && !existsSync(path.join(config.modelDir, QUANTIZED_FILE))) return 'fp32';
  return config.dtype;
}

interface EncodedBatch {
  input_ids: Tensor;
  attention_mask: Tensor;
  token_type_ids?: Tensor;
}

export async function createEmbedder(
  config: KgragConfig['embedding'],
  logger: Logger,
  options: EmbedderOptions = {},
): Promise<Embedder> {
  const spec = EMBEDDING_MODELS[config.model];
  const source = resolveSource(config);
  const threads = options.threads;
  const started = performance.now();
  const dtype = effectiveDtype(config);
  if (dtype !== config.dtype) {
    logger.warn({ modelDir: config.modelDir }, 'no quantised graph in the model folder (run `npm run setup`); running fp32');
  }
  const { tokenizer, model } = await loadModel(source, dtype, threads, options.cacheDir);
  const window = Math.min(
    readMaxSeqLength(source.localDir) ?? spec.maxTokens,
    positiveLimit(tokenizer.model_max_length),
    positiveLimit((model.config as { max_position_embeddings?: unknown }).max_position_embeddings),
  );
  const embedder = new TransformersEmbedder(source.modelId, tokenizer, model, window, spec, config.batchSize);
  // The probe both fixes the dimension from a real output and fails fast on a broken model.
  await embedder.probe();
  logger.info(
    {
      modelId: embedder.modelId,
      dimension: embedder.dimension,
      maxTokens: window,
      dtype,
      threads: threads ?? 'onnxruntime default',
      batchSize: config.batchSize,
      ms: Math.round(performance.now() - started),
    },
    'embedding model loaded',
  );
  return embedder;
}

function resolveSource(config: KgragConfig['embedding']): ModelSource {
  if (!config.modelDir) return { loadId: config.modelId, modelId: config.modelId, localDir: undefined };
  const dir = path.resolve(config.modelDir);
  const missing = REQUIRED_FILES.filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length > 0) {
    const what = existsSync(dir) ? `lacks ${missing.join(', ')}` : 'does not exist';
    throw new EmbeddingError(
      `The embedding model folder ${dir} ${what}. Run \`npm run setup\` to prepare the offline model, ` +
        'or set KGRAG_MODEL_DIR to a folder with config.json, tokenizer.json and onnx/model.onnx.',
    );
  }
  const name = path.basename(dir);
  return { loadId: name, modelId: name, localDir: dir };
}

async function loadModel(
  source: ModelSource,
  dtype: 'fp32' | 'q8',
  threads: number | undefined,
  cacheDir: string | undefined,
): Promise<{ tokenizer: PreTrainedTokenizer; model: PreTrainedModel }> {
  // transformers.js resolves ids through its global `env`; set it for this load only.
  env.allowRemoteModels = source.localDir === undefined;
  if (source.localDir) env.localModelPath = path.dirname(source.localDir);
  const common = { local_files_only: source.localDir !== undefined, ...(cacheDir ? { cache_dir: cacheDir } : {}) };
  try {
    const tokenizer = await AutoTokenizer.from_pretrained(source.loadId, common);
    const model = await AutoModel.from_pretrained(source.loadId, {
      ...common,
      dtype,
      device: 'cpu',
      session_options: threads === undefined ? {} : { intraOpNumThreads: threads },
    });
    return { tokenizer, model };
  } catch (err) {
    if (source.localDir) {
      throw new EmbeddingError(
        `Could not load the embedding model from ${source.localDir}: ${errorMessage(err)}. ` +
          'Run `npm run setup` to prepare it again, or point KGRAG_MODEL_DIR to a valid model folder.',
        { cause: err },
      );
    }
    throw new EmbeddingError(
      `Could not load the embedding model "${source.modelId}" from the model hub (${errorMessage(err)}), ` +
        'and no model is available offline. Set KGRAG_MODEL_DIR to a local model folder, ' +
        'or run `npm run setup` to prepare one.',
      { cause: err },
    );
  }
}

/** sentence-transformers records the trained window in `sentence_bert_config.json`. */
function readMaxSeqLength(dir: string | undefined): number | undefined {
  if (!dir) return undefined;
  const file = path.join(dir, 'sentence_bert_config.json');
  if (!existsSync(file)) return undefined;
  try {
    const value: unknown = (JSON.parse(readFileSync(file, 'utf8')) as { max_seq_length?: unknown }).max_seq_length;
    return typeof value === 'number' && value > 2 ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A window limit from a model file, or no limit when absent or nonsensical. */
function positiveLimit(limit: unknown): number {
  return typeof limit === 'number' && limit > 2 ? limit : Number.POSITIVE_INFINITY;
}

class TransformersEmbedder implements Embedder {
  readonly modelId: string;
  readonly maxTokens: number;
  private readonly queryPrefix: string;
  private readonly passagePrefix: string;
  private dim = 0;
  private disposed = false;
  /** ONNX Runtime already uses every core; concurrent runs would only contend. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    modelId: string,
    private readonly tokenizer: PreTrainedTokenizer,
    private readonly model: PreTrainedModel,
    /** Model window including special tokens; inputs are cut there. */
    private readonly window: number,
    spec: EmbeddingModelSpec,
    private readonly batchSize: number,
  ) {
    this.modelId = modelId;
    this.queryPrefix = spec.queryPrefix;
    this.passagePrefix = spec.passagePrefix;
    // Chunks are budgeted without the prefix, so the prefix's tokens come off the window.
    this.maxTokens = window - Math.max(this.countTokens(spec.queryPrefix), this.countTokens(spec.passagePrefix));
  }

  get dimension(): number {
    return this.dim;
  }

  async probe(): Promise<void> {
    const [vector] = await this.embedDocuments(['dimension probe']);
    this.dim = vector?.length ?? 0;
    if (this.dim === 0) throw new EmbeddingError(`The embedding model ${this.modelId} returned an empty vector.`);
  }

  countTokens(text: string): number {
    return this.tokenizer.encode(text, { add_special_tokens: false }).length;
  }

  async embedQuery(text: string): Promise<number[]> {
    const [vector] = await this.embedAll([this.queryPrefix + text]);
    if (!vector) throw new EmbeddingError('The embedding model returned no vector for the query.');
    return vector;
  }

  embedDocuments(texts: string[]): Promise<number[][]> {
    return this.embedAll(this.passagePrefix ? texts.map((t) => this.passagePrefix + t) : texts);
  }

  private async embedAll(texts: string[]): Promise<number[][]> {
    if (this.disposed) throw new EmbeddingError('The embedder was disposed; create a new one.');
    // Similar lengths in one batch means less padding, which costs as much as real tokens.
    const order = texts.map((_, i) => i).sort((a, b) => texts[b]!.length - texts[a]!.length || a - b);
    const result = new Array<number[]>(texts.length);
    for (let from = 0; from < order.length; from += this.batchSize) {
      const indices = order.slice(from, from + this.batchSize);
      const vectors = await this.serialised(() => this.runBatch(indices.map((i) => texts[i]!)));
      indices.forEach((original, k) => {
        result[original] = vectors[k]!;
      });
    }
    return result;
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.catch(() => undefined);
    await this.model.dispose();
  }

  private serialised<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async runBatch(batch: string[]): Promise<number[][]> {
    try {
      const inputs = this.tokenizer(batch, {
        padding: true,
        truncation: true,
        max_length: this.window,
      }) as EncodedBatch;
      const outputs = (await this.model(inputs)) as { last_hidden_state?: Tensor };
      if (!outputs.last_hidden_state) throw new Error('the model has no last_hidden_state output');
      const pooled = mean_pooling(outputs.last_hidden_state, inputs.attention_mask).normalize(2, -1);
      return pooled.tolist() as number[][];
    } catch (err) {
      throw new EmbeddingError(`Embedding a batch of ${batch.length} texts failed: ${errorMessage(err)}`, {
        cause: err,
      });
    }
  }
}
