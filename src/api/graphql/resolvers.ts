import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { InputError } from '../../errors.ts';
import { MAX_QUESTION_LENGTH } from '../../planner/ask.ts';
import type { EntitySort } from '../graph-reads.ts';
import * as conversations from '../conversations.ts';
import * as ops from '../operations.ts';

/** The GraphQL context: the caller's API context, and the JWT-shaped claims typed access filters by. */
export interface GraphqlContext {
  api: ops.ApiContext;
  jwt: { collections: string[] };
}

type Args = Record<string, unknown>;
type Resolver = (parent: unknown, args: Args, ctx: GraphqlContext) => unknown;

/** Page cursors are opaque: base64url of the offset. */
function offsetOf(after: unknown): number {
  if (after === undefined || after === null) return 0;
  const n = Number(Buffer.from(String(after), 'base64url').toString());
  if (!Number.isInteger(n) || n < 0 || n > ops.LIMITS.maxOffset) throw new InputError('after: not a cursor returned by this API');
  return n;
}

function pageArgs(args: Args): { offset: number; limit: number } {
  const first = Number(args.first ?? 20);
  if (!Number.isInteger(first) || first < 1 || first > ops.LIMITS.maxPageSize) throw new InputError(`first must be from 1 to ${ops.LIMITS.maxPageSize}`);
  return { offset: offsetOf(args.after), limit: first };
}

function connection<T>(p: { items: T[]; offset: number; limit: number; nextOffset: number | null }) {
  const end = p.offset + p.items.length;
  return {
    nodes: p.items,
    pageInfo: { hasNextPage: p.nextOffset !== null, endCursor: p.items.length ? Buffer.from(String(end)).toString('base64url') : null },
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

function strings(v: unknown): string[] | undefined {
  return Array.isArray(v) ? v.map(String) : undefined;
}

function intArg(v: unknown, name: string, min: number, max: number): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < min || n > max) throw new InputError(`${name} must be an integer from ${min} to ${max}`);
  return n;
}

/** Arbitrary JSON in and out (schema catalogs, rows, parameters, progress). */
const JSONScalar = new GraphQLScalarType({
  name: 'JSON',
  serialize: (v) => v,
  parseValue: (v) => v,
  parseLiteral: function literal(ast: ValueNode): unknown {
    switch (ast.kind) {
      case Kind.STRING:
      case Kind.BOOLEAN:
        return ast.value;
      case Kind.INT:
      case Kind.FLOAT:
        return Number(ast.value);
      case Kind.LIST:
        return ast.values.map(literal);
      case Kind.OBJECT:
        return Object.fromEntries(ast.fields.map((f) => [f.name.value, literal(f.value)]));
      default:
        return null;
    }
  },
});

const SORTS: Record<string, EntitySort> = { MENTIONS: 'mentions', NAME: 'name', NAME_DESC: 'name_desc' };

const Query: Record<string, Resolver> = {
  collections: (_p, _a, { api }) => ops.collectionsOp(api),
  documents: async (_p, args, { api }) => {
    const result = await ops.listDocumentsOp(api, { collections: strings(args.collections), ...pageArgs(args) });
    // The list carries the chunk count; `chunks` is the chunks themselves, read through document(id).
    return connection({ ...result, items: result.items.map(({ chunks, ...d }) => ({ ...d, chunkCount: chunks, chunks: null })) });
  },
  document: async (_p, args, { api }) => {
    const detail = await ops.getDocumentOp(api, String(args.id)).catch(notFoundAsNull);
    return detail ? { ...detail.document, chunkCount: detail.chunks.length, chunks: detail.chunks } : null;
  },
  entities: async (_p, args, { api }) => {
    const filter = (args.filter ?? {}) as Args;
    return connection(
      await ops.listEntitiesOp(api, {
        collections: strings(filter.collections),
        type: str(filter.type),
        q: str(filter.nameContains),
        sort: SORTS[String(args.sort ?? 'MENTIONS')] ?? 'mentions',
        ...pageArgs(args),
      }),
    );
  },
  entity: (_p, args, { api }) => ops.getEntityOp(api, String(args.id)).catch(notFoundAsNull),
  neighbourhood: (_p, args, { api }) =>
    ops
      .neighbourhoodOp(api, String(args.id), {
        hops: intArg(args.hops ?? 1, 'hops', 1, ops.LIMITS.neighbourhoodHops),
        limit: intArg(args.limit ?? 100, 'limit', 1, ops.LIMITS.neighbourhoodNodes),
      })
      .catch(notFoundAsNull),
  search: (_p, args, { api }) =>
    ops.searchOp(api, {
      text: String(args.text),
      k: intArg(args.k ?? 10, 'k', 1, ops.LIMITS.searchK),
      mode: String(args.mode ?? 'HYBRID').toLowerCase() as 'vector' | 'fulltext' | 'hybrid',
      collections: strings(args.collections),
    }),
  ask: (_p, args, { api }) => ops.askOp(api, askArgs(args)),
  conversations: (_p, args, { api }) =>
    conversations.listConversationsOp(api, {
      collection: str(args.collection),
      offset: intArg(args.offset ?? 0, 'offset', 0, ops.LIMITS.maxOffset),
      limit: intArg(args.limit ?? 20, 'limit', 1, ops.LIMITS.maxPageSize),
    }),
  conversation: (_p, args, { api }) => conversations.getConversationOp(api, String(args.id)).catch(notFoundAsNull),
  graphSchema: (_p, args, { api }) => ops.schemaOp(api, { collections: strings(args.collections) }),
  stats: (_p, _a, { api }) => ops.statsOp(api),
  job: (_p, args, { api }) => ops.getJobOp(api, String(args.id)).catch(notFoundAsNull),
};

const Mutation: Record<string, Resolver> = {
  ingestText: (_p, args, { api }) => ops.submitTextOp(api, { title: String(args.title), text: String(args.text), collection: str(args.collection) }),
  ingestUrl: (_p, args, { api }) => ops.submitUrlOp(api, { url: String(args.url), collection: str(args.collection) }),
  importRecords: async (_p, args, { api }) => {
    if (!Array.isArray(args.records)) throw new InputError('records must be a JSON array of objects');
    const jobId = api.jobs.newId();
    const dir = api.jobs.inputDir(jobId);
    await mkdir(dir, { recursive: true });
    const file = path.join(dir, 'records.json');
    await writeFile(file, JSON.stringify(args.records));
    try {
      return await ops.submitImportOp(api, { jobId, collection: str(args.collection), file: { path: file, name: 'records.json' }, mapping: args.mapping });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      throw err;
    }
  },
  deleteDocument: (_p, args, { api }) => ops.deleteDocumentOp(api, String(args.id)),
  createConversation: (_p, args, { api }) => conversations.createConversationOp(api, { collections: strings(args.collections), title: str(args.title) }),
  deleteConversation: (_p, args, { api }) => conversations.deleteConversationOp(api, String(args.id)),
};

function askArgs(args: Args): { question: string; collections?: string[] | undefined; asOf?: string | undefined; conversationId?: string | undefined; reading?: number | undefined } {
  const question = String(args.question);
  if (question.length > MAX_QUESTION_LENGTH) throw new InputError(`The question is longer than ${MAX_QUESTION_LENGTH} characters`);
  const reading = args.reading === undefined || args.reading === null ? undefined : intArg(args.reading, 'reading', 0, 9);
  return { question, collections: strings(args.collections), asOf: str(args.asOf), conversationId: str(args.conversationId), reading };
}

interface AskEvent {
  kind: 'START' | 'PLAN' | 'TOKEN' | 'DONE';
  text?: string;
  conversationId?: string;
  turnId?: string;
  plan?: unknown;
  result?: unknown;
}

/**
 * The events of one ask as an async iterator (what a yoga subscription returns). The ask runs
 * under the request's signal: when the client disconnects, the server aborts it.
 */
async function* askEvents(api: ops.ApiContext, input: ReturnType<typeof askArgs>): AsyncGenerator<AskEvent> {
  const queue: AskEvent[] = [];
  let wake: (() => void) | undefined;
  let finished = false;
  let failure: unknown;
  const push = (e: AskEvent) => {
    queue.push(e);
    wake?.();
  };
  void ops
    .askOp(api, input, {
      onStart: (ids) => push({ kind: 'START', ...ids }),
      onPlan: (plan) => push({ kind: 'PLAN', plan }),
      onToken: (text) => push({ kind: 'TOKEN', text }),
    })
    .then(
      (result) => push({ kind: 'DONE', result, plan: result.plan }),
      (err: unknown) => {
        failure = err;
      },
    )
    .finally(() => {
      finished = true;
      wake?.();
    });
  for (;;) {
    const next = queue.shift();
    if (next) {
      yield next;
      continue;
    }
    if (finished) {
      if (failure !== undefined) throw failure;
      return;
    }
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
    wake = undefined;
  }
}

const Subscription = {
  askStream: {
    subscribe: (_p: unknown, args: Args, { api }: GraphqlContext) => askEvents(api, askArgs(args)),
    resolve: (event: AskEvent) => event,
  },
};

/** A conversation from a list has no turns loaded: they are read when asked for. */
const Conversation = {
  turns: async (parent: { id: string; turns?: unknown[] }, _a: Args, { api }: GraphqlContext) =>
    parent.turns ?? (await conversations.getConversationOp(api, parent.id)).turns,
};

/** GraphQL reads a missing item as null, not an error: the same for "absent" and "in another collection". */
function notFoundAsNull(err: unknown): null {
  if ((err as { code?: unknown }).code === 'NOT_FOUND') return null;
  throw err;
}

export const genericResolvers = {
  JSON: JSONScalar,
  Query,
  Mutation,
  Subscription,
  Conversation,
};
