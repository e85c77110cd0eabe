/**
 * Runs in a worker thread: loads one source (reading, format detection, parsing) and, when the
 * configured model's tokenizer is available, chunks its documents. Everything that costs CPU in
 * proportion to an untrusted file happens here, away from the server's event loop, within the
 * worker's memory limit and the caller's time budget.
 */
import path from 'node:path';
import { AutoTokenizer, env, type PreTrainedTokenizer } from '@huggingface/transformers';
import { chunkDocument } from '../../chunking/chunker.ts';
import type { ChunkDraft, LoadedDocument } from '../../domain/types.ts';
import { KgragError, errorMessage } from '../../errors.ts';
import { loadSource, type LoadOptions } from '../load.ts';

/** Where the configured embedding model's tokenizer is (the worker loads it once). */
export interface TokenizerSpec {
  /** A local model folder, or undefined for a hub id. */
  localDir: string | undefined;
  modelId: string;
  cacheDir: string | undefined;
}

export interface ParseTask {
  source: string;
  load: LoadOptions;
  chunking?: { maxTokens: number; overlapTokens: number; tokenizer: TokenizerSpec };
}

export type ParseOutcome =
  | { ok: true; doc: LoadedDocument; chunks?: ChunkDraft[] }
  | { ok: false; source: string; code: string; message: string };

let tokenizer: Promise<PreTrainedTokenizer> | undefined;

function tokenizerOf(spec: TokenizerSpec): Promise<PreTrainedTokenizer> {
  tokenizer ??= (async () => {
    env.allowRemoteModels = spec.localDir === undefined;
    if (spec.localDir) env.localModelPath = path.dirname(spec.localDir);
    const id = spec.localDir ? path.basename(spec.localDir) : spec.modelId;
    return AutoTokenizer.from_pretrained(id, { local_files_only: spec.localDir !== undefined, ...(spec.cacheDir ? { cache_dir: spec.cacheDir } : {}) });
  })();
  return tokenizer;
}

export default async function parse(task: ParseTask): Promise<ParseOutcome[]> {
  const out: ParseOutcome[] = [];
  const tok = task.chunking ? await tokenizerOf(task.chunking.tokenizer) : undefined;
  for await (const outcome of loadSource(task.source, task.load)) {
    if (!outcome.ok) {
      out.push({ ok: false, source: outcome.source, code: outcome.error.code, message: outcome.error.message });
      continue;
    }
    if (!task.chunking || !tok) {
      out.push({ ok: true, doc: outcome.doc });
      continue;
    }
    try {
      const { maxTokens, overlapTokens } = task.chunking;
      const chunks = chunkDocument(outcome.doc, { maxTokens, overlapTokens, countTokens: (s) => tok.encode(s, { add_special_tokens: false }).length });
      out.push({ ok: true, doc: outcome.doc, chunks });
    } catch (err) {
      out.push({ ok: false, source: outcome.doc.source, code: err instanceof KgragError ? err.code : 'CORRUPT_FILE', message: `${outcome.doc.source}: ${errorMessage(err)}` });
    }
  }
  return out;
}
