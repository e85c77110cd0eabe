import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import type { EmbeddingModelKey } from '../src/embedding/models.ts';

/**
 * The prepared folder of an embedding model (default: the configured one), as the app resolves
 * it. CI prepares every model (`npm run setup -- minilm e5`); a missing folder is a broken setup,
 * never a reason to skip.
 */
export function requireModelDir(model?: EmbeddingModelKey): string {
  const env = model ? { ...process.env, KGRAG_EMBEDDING_MODEL: model } : process.env;
  const modelDir = loadConfig(env).embedding.modelDir;
  if (!modelDir || !existsSync(path.join(modelDir, 'onnx', 'model.onnx'))) {
    throw new Error(
      `Embedding model ${model ?? ''} not found${modelDir ? ` at ${modelDir}` : ''}. Run \`npm run setup -- minilm e5\` (or set KGRAG_MODEL_DIR) before the tests.`,
    );
  }
  return modelDir;
}
