import type { Request, Response } from 'express';
import { z } from 'zod';
import { InputError } from '../../errors.ts';
import { DOCUMENT_SORTS } from '../../graph/documents.ts';
import { isSafeLabel } from '../../graph/names.ts';
import { MAX_QUESTION_LENGTH } from '../../planner/ask.ts';
import { ROLES } from '../auth/keys.ts';
import { ENTITY_SORTS } from '../graph-reads.ts';
import type { PublicJob } from '../jobs/jobs.ts';
import * as conversations from '../conversations.ts';
import { toErrorResponse } from '../errors.ts';
import * as ops from '../operations.ts';
import { collectionsParam, intParam, parseInput } from './params.ts';

/**
 * Every REST route, as data: the server mounts this table, and the OpenAPI test checks it against
 * schemas/openapi.yaml path by path, so the document cannot drift from what is served.
 */
export interface Route {
  method: 'get' | 'post' | 'delete';
  /** Express path under /v1. */
  path: string;
  /** Multipart body: uploaded documents, or one records file with its mapping. */
  upload?: 'documents' | 'import';
  handler(req: Request, res: Response, ctx: ops.ApiContext): Promise<void>;
}

const page = { offset: intParam(0, ops.LIMITS.maxOffset, 0), limit: intParam(1, ops.LIMITS.maxPageSize, ops.LIMITS.pageSize) };
const typeParam = z.string().refine(isSafeLabel, 'not a valid type name').optional();
const wait = z.enum(['true', 'false', '1', '0']).optional().transform((v) => v === 'true' || v === '1');

const SearchBody = z.strictObject({
  text: z.string().min(1).max(MAX_QUESTION_LENGTH),
  k: z.number().int().min(1).max(ops.LIMITS.searchK).default(10),
  mode: z.enum(['vector', 'fulltext', 'hybrid']).default('hybrid'),
  collections: z.array(z.string()).optional(),
});
const AskBody = z.strictObject({
  question: z.string().min(1).max(MAX_QUESTION_LENGTH),
  collections: z.array(z.string()).optional(),
  asOf: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date, YYYY-MM-DD').optional(),
  reading: z.number().int().min(0).max(9).optional(),
  conversationId: z.string().min(1).max(200).optional(),
});
const ConversationBody = z.strictObject({
  collections: z.array(z.string()).max(1000).optional(),
  title: z.string().min(1).max(200).optional(),
});
const UrlBody = z.strictObject({ url: z.string().max(2048), collection: z.string().optional(), wait: z.boolean().default(false) });
const KeyBody = z.strictObject({
  name: z.string().min(1).max(200),
  role: z.enum(ROLES),
  collections: z.array(z.string()).min(1).max(1000),
});

function id(req: Request): string {
  return ops.checkId(String(req.params.id));
}

async function respondJob(res: Response, ctx: ops.ApiContext, job: PublicJob, waitForIt: boolean): Promise<void> {
  if (waitForIt) {
    res.status(200).json(await ops.waitForJob(ctx, job.id));
    return;
  }
  res.status(202).location(`/v1/jobs/${job.id}`).json(job);
}

export const ROUTES: Route[] = [
  {
    method: 'get',
    path: '/collections',
    async handler(_req, res, ctx) {
      // The role says what the key may do with them (the UI offers creating and deleting to admins only).
      res.json({ collections: await ops.collectionsOp(ctx), role: ctx.principal.role });
    },
  },
  {
    method: 'post',
    path: '/collections',
    async handler(req, res, ctx) {
      const body = parseInput(z.strictObject({ name: z.string().min(1).max(200) }), req.body);
      const result = await ops.createCollectionOp(ctx, body.name);
      res.status(result.created ? 201 : 200).json(result);
    },
  },
  {
    method: 'delete',
    path: '/collections/:name',
    async handler(req, res, ctx) {
      res.json(await ops.deleteCollectionOp(ctx, String(req.params.name)));
    },
  },
  {
    method: 'get',
    path: '/documents',
    async handler(req, res, ctx) {
      const q = parseInput(
        z.object({ collection: collectionsParam, q: z.string().max(200).optional(), sort: z.enum(DOCUMENT_SORTS).optional(), order: z.enum(['asc', 'desc']).optional(), ...page }),
        req.query,
      );
      res.json(await ops.listDocumentsOp(ctx, { collections: q.collection, q: q.q, sort: q.sort, order: q.order, offset: q.offset, limit: q.limit }));
    },
  },
  {
    method: 'post',
    path: '/documents',
    upload: 'documents',
    async handler(req, res, ctx) {
      const q = parseInput(z.object({ collection: z.string().optional(), wait }), { ...req.query, ...req.body });
      const files = (Array.isArray(req.files) ? req.files : []).map((f) => ({ path: f.path, name: f.originalname }));
      const job = await ops.submitFilesOp(ctx, { jobId: res.locals.jobId as string, collection: q.collection, files });
      await respondJob(res, ctx, job, q.wait);
    },
  },
  {
    method: 'get',
    path: '/documents/:id',
    async handler(req, res, ctx) {
      res.json(await ops.getDocumentOp(ctx, id(req)));
    },
  },
  {
    method: 'delete',
    path: '/documents/:id',
    async handler(req, res, ctx) {
      res.json(await ops.deleteDocumentOp(ctx, id(req)));
    },
  },
  {
    method: 'post',
    path: '/ingest/url',
    async handler(req, res, ctx) {
      const body = parseInput(UrlBody, req.body);
      await respondJob(res, ctx, await ops.submitUrlOp(ctx, body), body.wait);
    },
  },
  {
    method: 'post',
    path: '/imports',
    upload: 'import',
    async handler(req, res, ctx) {
      const q = parseInput(z.object({ collection: z.string().optional(), mapping: z.string().min(2), wait }), { ...req.query, ...req.body });
      const file = Array.isArray(req.files) ? req.files[0] : undefined;
      if (!file) throw new InputError('No records file: send it as a multipart field named "file"');
      let mapping: unknown;
      try {
        mapping = JSON.parse(q.mapping);
      } catch {
        throw new InputError('mapping is not valid JSON');
      }
      const job = await ops.submitImportOp(ctx, {
        jobId: res.locals.jobId as string,
        collection: q.collection,
        file: { path: file.path, name: file.originalname },
        mapping,
      });
      await respondJob(res, ctx, job, q.wait);
    },
  },
  {
    method: 'get',
    path: '/jobs',
    async handler(req, res, ctx) {
      const q = parseInput(z.object({ limit: intParam(1, 1000, 100) }), req.query);
      res.json({ jobs: await ops.listJobsOp(ctx, q.limit) });
    },
  },
  {
    method: 'get',
    path: '/jobs/:id',
    async handler(req, res, ctx) {
      res.json(await ops.getJobOp(ctx, id(req)));
    },
  },
  {
    method: 'get',
    path: '/jobs/:id/events',
    async handler(req, res, ctx) {
      const job = await ops.getJobOp(ctx, id(req));
      (res.locals.clearTimeout as () => void)();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      const send = (j: PublicJob) => res.write(`event: ${j.status === 'succeeded' || j.status === 'failed' ? 'end' : 'progress'}\ndata: ${JSON.stringify(j)}\n\n`);
      send(job);
      if (job.status === 'succeeded' || job.status === 'failed') {
        res.end();
        return;
      }
      await new Promise<void>((resolve) => {
        const off = ctx.jobs.subscribe(job.id, () => {
          void ops.getJobOp(ctx, job.id).then((j) => {
            send(j);
            if (j.status === 'succeeded' || j.status === 'failed') stop();
          });
        });
        const stop = () => {
          off();
          res.end();
          resolve();
        };
        req.on('close', stop);
      });
    },
  },
  {
    method: 'post',
    path: '/search',
    async handler(req, res, ctx) {
      const body = parseInput(SearchBody, req.body);
      res.json({ results: await ops.searchOp(ctx, body) });
    },
  },
  {
    method: 'post',
    path: '/ask',
    async handler(req, res, ctx) {
      res.json(await ops.askOp(ctx, parseInput(AskBody, req.body)));
    },
  },
  {
    method: 'post',
    path: '/ask/stream',
    async handler(req, res, ctx) {
      const body = parseInput(AskBody, req.body);
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.flushHeaders();
      const send = (event: string, data: unknown) => {
        if (!res.writableEnded && !res.destroyed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
      };
      const logger = ctx.app.logger.child({ requestId: res.locals.requestId as string });
      let closedAt: number | undefined;
      res.on('close', () => {
        if (!res.writableEnded) closedAt = performance.now();
      });
      let planSent = false;
      try {
        const result = await ops.askOp(ctx, body, {
          onStart: (ids) => send('start', ids),
          onPlan: (plan) => {
            planSent = true;
            send('plan', plan);
          },
          onToken: (text) => send('token', { text }),
        });
        if (!planSent) send('plan', { strategy: result.plan.strategy, steps: result.plan.steps });
        send('done', result);
      } catch (err) {
        if (closedAt !== undefined) {
          // The client went away: the ask was cancelled through its signal; nothing more to send.
          logger.info({ cancelToStopMs: Math.round(performance.now() - closedAt) }, 'ask cancelled by the client');
          return;
        }
        send('error', toErrorResponse(err, logger, res.locals.requestId as string).body.error);
      }
      res.end();
    },
  },
  {
    method: 'post',
    path: '/conversations',
    async handler(req, res, ctx) {
      res.status(201).json(await conversations.createConversationOp(ctx, parseInput(ConversationBody, req.body ?? {})));
    },
  },
  {
    method: 'get',
    path: '/conversations',
    async handler(req, res, ctx) {
      const q = parseInput(z.object({ collection: z.string().min(1).max(200).optional(), ...page }), req.query);
      res.json(await conversations.listConversationsOp(ctx, q));
    },
  },
  {
    method: 'get',
    path: '/conversations/:id',
    async handler(req, res, ctx) {
      res.json(await conversations.getConversationOp(ctx, id(req)));
    },
  },
  {
    method: 'delete',
    path: '/conversations/:id',
    async handler(req, res, ctx) {
      res.json(await conversations.deleteConversationOp(ctx, id(req)));
    },
  },
  {
    method: 'get',
    path: '/entities',
    async handler(req, res, ctx) {
      const q = parseInput(
        z.object({ collection: collectionsParam, type: typeParam, q: z.string().max(200).optional(), sort: z.enum(ENTITY_SORTS).default('mentions'), ...page }),
        req.query,
      );
      res.json(await ops.listEntitiesOp(ctx, { collections: q.collection, type: q.type, q: q.q, sort: q.sort, offset: q.offset, limit: q.limit }));
    },
  },
  {
    method: 'get',
    path: '/entities/:id',
    async handler(req, res, ctx) {
      res.json(await ops.getEntityOp(ctx, id(req)));
    },
  },
  {
    method: 'get',
    path: '/entities/:id/neighbourhood',
    async handler(req, res, ctx) {
      const q = parseInput(z.object({ hops: intParam(1, ops.LIMITS.neighbourhoodHops, 1), limit: intParam(1, ops.LIMITS.neighbourhoodNodes, 100) }), req.query);
      res.json(await ops.neighbourhoodOp(ctx, id(req), q));
    },
  },
  {
    method: 'get',
    path: '/schema',
    async handler(req, res, ctx) {
      const q = parseInput(z.object({ collection: collectionsParam }), req.query);
      res.json(await ops.schemaOp(ctx, { collections: q.collection }));
    },
  },
  {
    method: 'get',
    path: '/stats',
    async handler(_req, res, ctx) {
      res.json({ collections: await ops.statsOp(ctx) });
    },
  },
  {
    method: 'get',
    path: '/keys',
    async handler(_req, res, ctx) {
      res.json({ keys: await ops.listKeysOp(ctx) });
    },
  },
  {
    method: 'post',
    path: '/keys',
    async handler(req, res, ctx) {
      res.status(201).json(await ops.createKeyOp(ctx, parseInput(KeyBody, req.body)));
    },
  },
  {
    method: 'delete',
    path: '/keys/:id',
    async handler(req, res, ctx) {
      res.json(await ops.revokeKeyOp(ctx, id(req)));
    },
  },
];
