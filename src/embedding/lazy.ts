import type { Embedder } from './embedder.ts';

/** What search and answering need from an embedder: the model's window and ids do not matter there. */
export type QueryEmbedder = Pick<Embedder, 'embedQuery' | 'embedDocuments'>;

/** A query embedder that loads the model on first use, so that answers which embed nothing never wait for it. */
export interface LazyEmbedder extends QueryEmbedder {
  /** The model, loaded once (concurrent callers share the load). */
  load(): Promise<Embedder>;
  /** The model if it has been loaded. */
  readonly loaded: Embedder | undefined;
  dispose(): Promise<void>;
}

export function lazyEmbedder(create: () => Promise<Embedder>): LazyEmbedder {
  let pending: Promise<Embedder> | undefined;
  let loaded: Embedder | undefined;
  const load = () => {
    pending ??= create().then(
      (e) => (loaded = e),
      (err: unknown) => {
        pending = undefined; // a failed load may be retried
        throw err;
      },
    );
    return pending;
  };
  return {
    load,
    get loaded() {
      return loaded;
    },
    embedQuery: async (text) => (await load()).embedQuery(text),
    embedDocuments: async (texts) => (await load()).embedDocuments(texts),
    async dispose() {
      const e = await pending?.catch(() => undefined);
      pending = undefined;
      loaded = undefined;
      await e?.dispose();
    },
  };
}
