import path from 'node:path';
import type { KgragConfig } from '../config/index.ts';
import type { Logger } from '../logging.ts';
import { createLlmExtractor } from './llm.ts';
import { createOfflineExtractor } from './offline.ts';
import type { Extractor } from './types.ts';

/** The extractor the configuration asks for: the LLM one when an LLM is configured, else offline patterns. */
export async function createExtractor(config: KgragConfig, logger: Logger): Promise<Extractor | undefined> {
  switch (config.extraction.extractor) {
    case 'none':
      return undefined;
    case 'llm':
      return createLlmExtractor(config, logger);
    case 'offline':
      return createOfflineExtractor({ patternsFile: config.extraction.patternsFile, chineseModelDir: path.join(config.home, 'models-extra', 'lac') }, logger);
  }
}
