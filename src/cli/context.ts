import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import type { Kgrag, OpenOptions } from '../app.ts';
import { validateReadScope } from '../domain/ids.ts';
import type { Logger } from '../logging.ts';

/**
 * What every command module gets: the program, and helpers to open kgrag for one command.
 * Command modules import only commander and these helpers at load time; everything a command
 * runs is imported inside its action, so `--help` and light commands never load the model,
 * the HTTP server or LangChain.
 */
export interface CliContext {
  program: Command;
  /** Opens kgrag for one command and always closes it (driver sessions, model). */
  withKgrag<T>(opts: OpenOptions, run: (app: Kgrag) => Promise<T>): Promise<T>;
  /** A logger honouring -v and KGRAG_LOG_LEVEL, for commands that do not open kgrag. */
  logger(): Promise<Logger>;
  /** Marks the output format so that errors are printed in it too. */
  setJson(json: boolean | undefined): void;
}

export function createContext(program: Command, onJson: (json: boolean) => void): CliContext {
  const logger = async () => {
    const [{ loadConfig }, { createLogger }] = await Promise.all([import('../config/index.ts'), import('../logging.ts')]);
    const verbose = program.opts<{ verbose?: boolean }>().verbose;
    return createLogger({ level: verbose ? 'info' : loadConfig().logLevel });
  };
  return {
    program,
    logger,
    setJson: (json) => onJson(!!json),
    async withKgrag(opts, run) {
      const [{ openKgrag }, { loadConfig }, lemmas] = await Promise.all([import('../app.ts'), import('../config/index.ts'), import('../planner/lemma-cache.ts')]);
      const config = loadConfig();
      // One process per command: schema catalogs and the parser's lemmas are kept on disk for the next
      // one (long-running servers opt out of the catalogs: they keep them in memory).
      const cache = path.join(config.home, 'cache');
      const [app] = await Promise.all([openKgrag({ persistCatalogs: true, ...opts, config, logger: await logger() }), lemmas.loadLemmas(cache)]);
      try {
        return await run(app);
      } finally {
        await Promise.all([app.close(), lemmas.saveLemmas(cache)]);
      }
    },
  };
}

export const positiveInt = (max: number) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new InvalidArgumentError(`expected an integer from 1 to ${max}`);
  return n;
};

/** For repeatable `--collection` options of reads (a collection, or @graph: the graph kgrag did not build). */
export const collectionOption = (value: string, previous: string[] | undefined) => [
  ...(previous ?? []),
  validateReadScope(value),
];

/** Reads default to every collection: the local CLI user owns the whole database. */
export async function readableCollections(app: Kgrag, requested: string[] | undefined): Promise<string[]> {
  if (requested && requested.length > 0) return requested;
  const { listCollections } = await import('../graph/documents.ts');
  return listCollections(app.db);
}
