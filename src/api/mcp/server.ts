import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ErrorCode, McpError, type CallToolResult, type ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Kgrag } from '../../app.ts';
import { GraphError } from '../../errors.ts';
import type { Logger } from '../../logging.ts';
import { MAX_QUESTION_LENGTH } from '../../planner/ask.ts';
import { roleAtLeast, type KeyStore } from '../auth/keys.ts';
import type { Principal } from '../auth/principal.ts';
import { toErrorResponse } from '../errors.ts';
import { ENTITY_SORTS } from '../graph-reads.ts';
import type { JobQueue } from '../jobs/jobs.ts';
import * as ops from '../operations.ts';

/**
 * kgrag as a Model Context Protocol server: one McpServer per principal (per HTTP request, or
 * once for a stdio session). Every tool calls the operations layer with the principal, so the
 * scoping, roles and limits are the REST API's; editor-only tools are not even listed to readers.
 */
export interface McpDeps {
  app: Kgrag;
  jobs: JobQueue;
  keys: KeyStore;
  onWrite(): void;
  logger: Logger;
}

const VERSION = '0.1.0';
const DOCUMENT_URI = 'kgrag://documents/{id}';
/** Documents listed as resources at most (the list has no paging in MCP's simple form). */
const MAX_LISTED_DOCUMENTS = 500;

const collections = z
  .array(z.string())
  .max(100)
  .optional()
  .describe('Restrict to these collections (each must be granted to the key). Default: every collection the key may read.');

export function createMcpServer(deps: McpDeps, principal: Principal, baseSignal?: AbortSignal): McpServer {
  const server = new McpServer(
    { name: 'kgrag', version: VERSION },
    {
      instructions:
        'kgrag is a knowledge graph over documents and records. Use `ask` for questions in plain language ' +
        '(counts, lists, facts: exact answers computed with Cypher; open questions: answers with cited passages). ' +
        'Use `search` to find passages, `find_entities`/`get_entity` to explore the graph, `get_schema` before ' +
        'writing Cypher for `read_cypher`. Documents are resources at kgrag://documents/{id}.',
    },
  );
  const context = (signal: AbortSignal): ops.ApiContext => ({
    app: deps.app,
    principal,
    jobs: deps.jobs,
    keys: deps.keys,
    onWrite: deps.onWrite,
    signal: baseSignal ? AbortSignal.any([baseSignal, signal]) : signal,
  });
  /** Runs a tool: its value as JSON text, or an error result the agent can read and act on. */
  const run = async (signal: AbortSignal, work: (ctx: ops.ApiContext) => Promise<unknown>, opts: { cypherErrors?: boolean } = {}): Promise<CallToolResult> => {
    try {
      return { content: [{ type: 'text', text: toJson(await work(context(signal))) }] };
    } catch (err) {
      // The caller wrote the Cypher of read_cypher: its syntax errors are theirs to see and fix.
      if (opts.cypherErrors && err instanceof GraphError && err.code === 'QUERY_INVALID') {
        return { isError: true, content: [{ type: 'text', text: toJson({ error: { code: err.code, message: err.message } }) }] };
      }
      const { body } = toErrorResponse(err, deps.logger, `mcp-${Date.now().toString(36)}`);
      return { isError: true, content: [{ type: 'text', text: toJson(body) }] };
    }
  };
  /** Rows of an exact answer given to an agent (the HTTP API and the CLI give up to 1,000). */
  const MCP_ASK_ROWS = 100;
  const readOnly = { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false } as const;

  server.registerTool(
    'ask',
    {
      title: 'Ask the knowledge base',
      description:
        'Answer a question in plain language from the knowledge graph and its documents. Counting, filtering, ' +
        'ranking and aggregate questions ("how many…", "which … before 2020", "top 3 …") get exact answers computed ' +
        'by a read-only Cypher query (returned in `cypher`, with result `rows`); open questions get an answer with ' +
        '`citations` (document, page, quote). `found: false` means the knowledge base does not hold the answer: ' +
        'do not guess then. `plan` tells which strategy was used.',
      inputSchema: {
        question: z.string().min(1).max(MAX_QUESTION_LENGTH).describe('The question, in English or Chinese.'),
        collections,
        asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional().describe('Date (YYYY-MM-DD) that "now", "current" and "last year" refer to. Default: today.'),
        conversationId: z
          .string()
          .max(200)
          .optional()
          .describe('A conversation of this API key (created with POST /v1/conversations): the question is its next turn, so "which of them…" or "and in 2024?" refer to its previous answers (shown in `standaloneQuestion`).'),
      },
      // The graph is only read, but a question asked in a conversation is stored as its next turn.
      annotations: { ...readOnly, readOnlyHint: false, idempotentHint: false },
    },
    // An agent reads the whole result into its context: the rows of a long list are cut at MCP_ASK_ROWS.
    ({ question, collections: c, asOf, conversationId }, extra) => run(extra.signal, (ctx) => ops.askOp(ctx, { question, collections: c, asOf, conversationId, limit: MCP_ASK_ROWS })),
  );

  server.registerTool(
    'search',
    {
      title: 'Search passages',
      description:
        'Find document passages (chunks) for a query, best first, with document id, title, source, page and score. ' +
        'Mode `hybrid` (default) fuses meaning and keywords; `vector` matches meaning only; `fulltext` matches words ' +
        '(names, codes, exact phrases). Use this to read sources yourself; use `ask` for an answer.',
      inputSchema: {
        query: z.string().min(1).max(MAX_QUESTION_LENGTH).describe('What to look for.'),
        mode: z.enum(['hybrid', 'vector', 'fulltext']).default('hybrid'),
        k: z.number().int().min(1).max(ops.LIMITS.searchK).default(10).describe('How many passages to return.'),
        collections,
      },
      annotations: readOnly,
    },
    ({ query, mode, k, collections: c }, extra) => run(extra.signal, (ctx) => ops.searchOp(ctx, { text: query, mode, k, collections: c })),
  );

  server.registerTool(
    'get_schema',
    {
      title: 'Graph schema',
      description:
        'The schema of the graph the key can read: node labels with their properties and types, relationship types ' +
        'with their directions, and sample values. Read it before writing Cypher for `read_cypher`.',
      inputSchema: { collections },
      annotations: readOnly,
    },
    ({ collections: c }, extra) => run(extra.signal, (ctx) => ops.schemaOp(ctx, { collections: c })),
  );

  server.registerTool(
    'list_collections',
    {
      title: 'Collections',
      description: 'The collections the key may read, with their numbers of documents, chunks and entities.',
      inputSchema: {},
      annotations: readOnly,
    },
    (_args, extra) => run(extra.signal, (ctx) => ops.statsOp(ctx)),
  );

  server.registerTool(
    'find_entities',
    {
      title: 'Find entities',
      description:
        'List entities of the knowledge graph (people, organisations, products, imported records…) by name and/or type, ' +
        'most mentioned first by default. Returns ids for `get_entity`.',
      inputSchema: {
        q: z.string().min(1).max(200).optional().describe('Part of the name or an alias (case-insensitive).'),
        type: z.string().max(100).optional().describe('An entity type (a node label from `get_schema`), e.g. "Person".'),
        sort: z.enum(ENTITY_SORTS).default('mentions'),
        limit: z.number().int().min(1).max(ops.LIMITS.maxPageSize).default(20),
        offset: z.number().int().min(0).max(1_000_000).default(0),
        collections,
      },
      annotations: readOnly,
    },
    ({ q, type, sort, limit, offset, collections: c }, extra) =>
      run(extra.signal, (ctx) => ops.listEntitiesOp(ctx, { q, type, sort, limit, offset, collections: c })),
  );

  server.registerTool(
    'get_entity',
    {
      title: 'Entity with its neighbourhood',
      description:
        'One entity by id (from `find_entities`, `ask` facts or `read_cypher`): its properties, the passages that ' +
        'mention it, its relationships, and the entities within `hops` relationships of it.',
      inputSchema: {
        id: z.string().min(1).max(200),
        hops: z.number().int().min(0).max(ops.LIMITS.neighbourhoodHops).default(1).describe('Neighbourhood depth; 0 for none.'),
        limit: z.number().int().min(1).max(ops.LIMITS.neighbourhoodNodes).default(50).describe('Neighbourhood nodes at most.'),
      },
      annotations: readOnly,
    },
    ({ id, hops, limit }, extra) =>
      run(extra.signal, async (ctx) => {
        const entity = await ops.getEntityOp(ctx, id);
        return hops === 0 ? entity : { ...entity, neighbourhood: await ops.neighbourhoodOp(ctx, id, { hops, limit }) };
      }),
  );

  server.registerTool(
    'read_cypher',
    {
      title: 'Run a read-only Cypher query',
      description:
        'Run one read-only Cypher statement (MATCH … RETURN …) against the graph. Pass values as `params` ($name), ' +
        'never inside the text. Every MATCH is limited to the key\'s collections; writes, CALL, APOC and admin commands ' +
        `are refused; the plan is checked with EXPLAIN; at most \`limit\` rows (≤ ${ops.LIMITS.cypherRows}) and ` +
        `${ops.LIMITS.cypherTimeoutMs / 1000} s. Use \`get_schema\` for labels, relationship types and properties. ` +
        'Prefer `ask` for plain-language questions.',
      inputSchema: {
        query: z.string().min(1).max(ops.LIMITS.cypherChars),
        params: z.record(z.string(), z.unknown()).optional().describe('Query parameters, e.g. {"name": "Acme"} for $name.'),
        limit: z.number().int().min(1).max(ops.LIMITS.cypherRows).default(100),
        collections,
      },
      annotations: readOnly,
    },
    ({ query, params, limit, collections: c }, extra) =>
      run(extra.signal, (ctx) => ops.readCypherOp(ctx, { query, params, limit, collections: c }), { cypherErrors: true }),
  );

  if (roleAtLeast(principal.role, 'editor')) {
    const write = { readOnlyHint: false, destructiveHint: false, idempotentHint: false } as const;
    server.registerTool(
      'ingest_text',
      {
        title: 'Add a text document',
        description:
          'Add a document (plain text or Markdown) to a collection: it is chunked, embedded and its entities linked ' +
          'into the graph. Waits until it is searchable and returns the ingest job with its result.',
        inputSchema: {
          title: z.string().min(1).max(200),
          text: z.string().min(1).max(5_000_000),
          collection: z.string().optional().describe("Target collection; default: the key's only collection, else the configured default."),
        },
        annotations: { ...write, openWorldHint: false },
      },
      ({ title, text, collection }, extra) =>
        run(extra.signal, async (ctx) => ops.waitForJob(ctx, (await ops.submitTextOp(ctx, { title, text, collection })).id)),
    );
    server.registerTool(
      'ingest_url',
      {
        title: 'Add a web page or file by URL',
        description:
          'Fetch an http(s) URL (HTML, PDF, DOCX, Markdown, text or an image) and add it to a collection. Private and ' +
          'loopback addresses are refused. Waits until it is searchable and returns the ingest job with its result.',
        inputSchema: {
          url: z.string().max(2048).describe('An http or https URL.'),
          collection: z.string().optional().describe("Target collection; default: the key's only collection, else the configured default."),
        },
        annotations: { ...write, openWorldHint: true },
      },
      ({ url, collection }, extra) => run(extra.signal, async (ctx) => ops.waitForJob(ctx, (await ops.submitUrlOp(ctx, { url, collection })).id)),
    );
  }

  server.registerResource(
    'document',
    new ResourceTemplate(DOCUMENT_URI, {
      list: async (extra) => {
        const { items } = await ops.listDocumentsOp(context(extra.signal), { offset: 0, limit: MAX_LISTED_DOCUMENTS });
        return {
          resources: items.map((d) => ({
            uri: documentUri(d.id),
            name: d.title || d.id,
            description: `${d.collection}: ${d.source}`,
            mimeType: 'application/json',
          })),
        };
      },
    }),
    {
      title: 'Document',
      description: 'A document with its metadata and its chunks (text, page, heading path), in reading order.',
      mimeType: 'application/json',
    },
    async (uri, variables, extra): Promise<ReadResourceResult> => {
      const id = Array.isArray(variables.id) ? variables.id[0] : variables.id;
      try {
        // An id outside the key's collections is NOT_FOUND, exactly like one that does not exist.
        const detail = await ops.getDocumentOp(context(extra.signal), decodeURIComponent(id ?? ''));
        return { contents: [{ uri: uri.href, mimeType: 'application/json', text: toJson(detail) }] };
      } catch (err) {
        // Reaches the client as an MCP error: kgrag's own message, or INTERNAL for anything unexpected (logged).
        const { body } = toErrorResponse(err, deps.logger, `mcp-${Date.now().toString(36)}`);
        throw new McpError(ErrorCode.InvalidParams, `${body.error.code}: ${body.error.message}`);
      }
    },
  );
  return server;
}

export function documentUri(id: string): string {
  return `kgrag://documents/${encodeURIComponent(id)}`;
}

/** JSON for agents: embeddings (long number arrays) say nothing to a reader and are left out. */
function toJson(value: unknown): string {
  return JSON.stringify(value, (key, v: unknown) => (key === 'embedding' && Array.isArray(v) ? undefined : v), 2);
}
