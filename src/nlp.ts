import { createRequire } from 'node:module';
import type nlpType from 'compromise';

/**
 * compromise (English tagging and lemmas), loaded on first use: about a second of start-up that a
 * command which never tags text (an exact answer, `--help`) should not pay. Synchronous, from its
 * bundled CommonJS build (the same release as its ES modules, and faster to load); one instance
 * for the planner and the extractors.
 */
let loaded: typeof nlpType | undefined;

export function compromise(): typeof nlpType {
  return (loaded ??= createRequire(import.meta.url)('compromise') as typeof nlpType);
}
