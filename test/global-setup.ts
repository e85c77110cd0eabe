import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../src/config/index.ts';
import { localDbStatus, startLocalDb, stopLocalDb } from '../src/db/local.ts';
import { createLogger } from '../src/logging.ts';

/**
 * Integration tests run against a real Neo4j and the real embedding model. `npm test` works on
 * its own: it starts the local database when it is not running (and stops it again afterwards),
 * and fails early, with the fix, when the model has not been prepared.
 */
export default async function setup(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const logger = createLogger({ level: 'warn' });
  const modelDir = config.embedding.modelDir;
  if (!modelDir || !existsSync(path.join(modelDir, 'onnx', 'model.onnx'))) {
    throw new Error('The embedding model is not prepared: run `npm run setup` (or set KGRAG_MODEL_DIR) first.');
  }
  if (!config.neo4j.managed) return async () => undefined;
  const before = await localDbStatus(config);
  if (before.running) return async () => undefined;
  await startLocalDb(config, logger);
  return async () => {
    await stopLocalDb(config, logger);
  };
}
