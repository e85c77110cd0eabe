import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/index.ts';

/**
 * The prepared embedding model folder, as the app resolves it. CI always prepares the model;
 * a missing folder is a broken setup, never a reason to skip.
 */
export function requireModelDir(): string {
  const modelDir = loadConfig().embedding.modelDir;
  if (!modelDir || !existsSync(path.join(modelDir, 'onnx', 'model.onnx'))) {
    throw new Error(
      `Embedding model not found at ${modelDir ?? '.kgrag/models/all-MiniLM-L6-v2'}. Run \`npm run setup\` (or set KGRAG_MODEL_DIR) before the tests.`,
    );
  }
  return modelDir;
}
