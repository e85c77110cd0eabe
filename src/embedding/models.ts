/**
 * The embedding models kgrag knows, with every setting that depends on the model in ONE place.
 * `KGRAG_EMBEDDING_MODEL` picks a row; `npm run setup` prepares that row's local folder offline;
 * `KGRAG_MODEL_DIR` may point at another folder holding the same model.
 */
export interface EmbeddingModelSpec {
  /** Name of the prepared folder under `<KGRAG_HOME>/models/`; stored with the embeddings. */
  readonly name: string;
  /** Where transformers.js downloads it when no local folder exists (machines with internet). */
  readonly hubId: string;
  readonly dimension: number;
  /** Window the model was trained with, in tokens, [CLS]/[SEP] (or <s>/</s>) included. */
  readonly maxTokens: number;
  /** Default chunk size in tokens (KGRAG_CHUNK_TOKENS overrides, capped by the window). */
  readonly chunkTokens: number;
  /** Prepended to search strings and to chunks: e5 was trained with them, MiniLM without. */
  readonly queryPrefix: string;
  readonly passagePrefix: string;
  /**
   * Whether it was trained on Chinese, Japanese and Korean. all-MiniLM-L6-v2 was not: on CMRC 2018
   * its vectors rank the right paragraph in the top 10 for 36% of the questions, and fusing them
   * with BM25 drops BM25's nDCG@10 from 0.98 to 0.58, so hybrid search leaves them out there.
   */
  readonly readsCjk: boolean;
  /**
   * Weights of a prepared folder: `q8` runs `onnx/model_quantized.onnx`, which `npm run setup`
   * writes beside the fp32 graph (per-channel int8 MatMul weights; see README, "Embedding models").
   */
  readonly dtype: 'fp32' | 'q8';
  /** Both models are mean-pooled and L2-normalised (sentence-transformers' configuration). */
  readonly pooling: 'mean';
  /** The offline preparation script of `../shared/tools` that `npm run setup` runs. */
  readonly prepare: { tool: string; script: string };
}

export const EMBEDDING_MODELS = {
  minilm: {
    name: 'all-MiniLM-L6-v2',
    hubId: 'Xenova/all-MiniLM-L6-v2',
    dimension: 384,
    maxTokens: 256,
    chunkTokens: 256,
    queryPrefix: '',
    passagePrefix: '',
    readsCjk: false,
    dtype: 'q8',
    pooling: 'mean',
    prepare: { tool: 'bert-onnx', script: 'prepare-minilm.sh' },
  },
  e5: {
    name: 'multilingual-e5-small',
    hubId: 'Xenova/multilingual-e5-small',
    dimension: 384,
    maxTokens: 512,
    chunkTokens: 512,
    queryPrefix: 'query: ',
    passagePrefix: 'passage: ',
    readsCjk: true,
    dtype: 'q8',
    pooling: 'mean',
    prepare: { tool: 'e5-onnx', script: 'prepare-e5.sh' },
  },
} as const satisfies Record<string, EmbeddingModelSpec>;

export type EmbeddingModelKey = keyof typeof EMBEDDING_MODELS;
export const EMBEDDING_MODEL_KEYS = Object.keys(EMBEDDING_MODELS) as [EmbeddingModelKey, ...EmbeddingModelKey[]];

/** See README, "Embedding models", for the measurements behind this choice. */
export const DEFAULT_EMBEDDING_MODEL: EmbeddingModelKey = 'minilm';

/** Whether the model that made `modelId` (a folder name or hub id) reads CJK; unknown models are trusted to. */
export function modelReadsCjk(modelId: string): boolean {
  const spec = Object.values(EMBEDDING_MODELS).find((m) => m.name === modelId || m.hubId === modelId);
  return spec?.readsCjk ?? true;
}
