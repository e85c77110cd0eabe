import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import path from 'node:path';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit } from 'express-rate-limit';
import multer from 'multer';
import { parse as parseYaml } from 'yaml';
import type { Kgrag } from '../app.ts';
import type { ApiConfig } from '../config/index.ts';
import { AuthError, ConfigError, InputError, KgragError, NotFoundError, RateLimitError, RequestError, RequestLimitError, errorMessage } from '../errors.ts';
import { cypher } from '../graph/cypher.ts';
import { formatBytes } from '../ingest/fetch.ts';
import { KeyStore } from './auth/keys.ts';
import { LOCAL_PRINCIPAL, requireRole, type Principal } from './auth/principal.ts';
import { toErrorResponse } from './errors.ts';
import { createGraphql, type GraphqlEndpoint } from './graphql/yoga.ts';
import { JobQueue } from './jobs/jobs.ts';
import { mcpHttpHandler } from './mcp/http.ts';
import { jobRunner } from './jobs/run.ts';
import { GraphRateStore } from './rate-store.ts';
import { WORK, type ApiContext } from './operations.ts';
import { ROUTES, type Route } from './rest/routes.ts';

/**
 * The HTTP server: REST under /v1, GraphQL at /graphql, MCP at /mcp, /health and /ready, the web UI at /.
 * Building it (`createApi`) is separate from listening, so tests run it in-process on an
 * ephemeral loopback port against the real database.
 */
export interface Api {
  /** The Express app, for tests and embedding. */
  handler: express.Express;
  jobs: JobQueue;
  keys: KeyStore;
  graphql: GraphqlEndpoint;
  listen(port?: number, host?: string): Promise<{ port: number; url: string }>;
  /** Stops taking requests, lets in-flight ones and the running job finish (up to the grace period). */
  close(): Promise<void>;
}

export interface ApiOptions {
  config?: ApiConfig;
  /** Where uploaded job inputs are kept (default `<KGRAG_HOME>/jobs`; workers must see the same folder). */
  jobsDir?: string;
  /** Run jobs in this process too (default); false for `kgrag serve --no-jobs` beside `kgrag worker`s. */
  runJobs?: boolean;
  /** The web UI's built files (default `ui/dist` when present). */
  uiDir?: string;
}

const READY_TIMEOUT_MS = 2000;

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

/** Refuses to start a server that would be open to anyone. */
export async function checkExposure(config: ApiConfig, keys: Pick<KeyStore, 'hasActiveKeys' | 'location'>, host: string): Promise<void> {
  if (config.auth === 'disabled') {
    if (!LOOPBACK.has(host)) {
      throw new ConfigError(`Authentication is disabled (KGRAG_API_AUTH=disabled / --no-auth): the server only listens on 127.0.0.1 then, not ${host}.`);
    }
    return;
  }
  if (!(await keys.hasActiveKeys())) {
    throw new ConfigError(
      `No API keys in ${keys.location}: create one with \`kgrag keys create --name admin --role admin --collection '*'\`, or run with --no-auth for local use (127.0.0.1 only).`,
    );
  }
}

export async function createApi(app: Kgrag, options: ApiOptions = {}): Promise<Api> {
  const config = options.config ?? app.config.api;
  const logger = app.logger.child({ component: 'api' });
  const keys = new KeyStore(app.db, { legacyFile: config.keysFile, logger });
  const graphql = createGraphql(app, config, logger);
  const onWrite = () => {
    app.catalogs.invalidate();
    graphql.schemaChanged();
  };
  const jobs = new JobQueue(app.db, options.jobsDir ?? path.join(app.config.home, 'jobs'), jobRunner(app, onWrite), logger, {
    maxAttempts: app.config.ingest.maxJobAttempts,
    leaseMs: app.config.ingest.jobLeaseMs,
    work: options.runJobs ?? true,
  });
  await jobs.open();

  const web = express();
  web.disable('x-powered-by');
  web.set('trust proxy', false);
  web.set('query parser', 'simple');

  web.use((req, res, next) => {
    const requestId = randomUUID();
    res.locals.requestId = requestId;
    res.setHeader('x-request-id', requestId);
    const started = performance.now();
    res.on('finish', () => {
      logger.debug({ requestId, method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - started) }, 'request');
    });
    next();
  });

  web.get('/health', (_req, res) => {
    // `auth` lets the web UI offer key entry only on a server that needs keys.
    res.json({ status: 'ok', auth: config.auth === 'disabled' ? 'disabled' : 'keys' });
  });
  web.get('/ready', async (_req, res) => {
    const checks: Record<string, string> = {};
    try {
      // Without the driver's retries: an unreachable database is reported in seconds, not after 30.
      await app.db.ping(cypher('api/ping'), READY_TIMEOUT_MS);
      checks.database = 'ok';
    } catch (err) {
      checks.database = errorMessage(err);
    }
    checks.embedder = app.embedder ? 'ok' : 'not loaded';
    checks.graphql = graphql.typedError() ? `typed schema unavailable: ${graphql.typedError()}` : 'ok';
    const ready = checks.database === 'ok' && checks.embedder === 'ok';
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks });
  });

  web.get('/v1/openapi.json', (_req, res) => {
    res.json(openApiDocument());
  });

  const timeout: RequestHandler = (req, res, next) => {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort();
      if (!res.headersSent) {
        sendError(res, new RequestLimitError('REQUEST_TIMEOUT', `The request took longer than ${config.requestTimeoutMs} ms and was stopped.`));
      }
    }, config.requestTimeoutMs);
    res.on('close', () => {
      clearTimeout(timer);
      if (!res.writableFinished) controller.abort();
    });
    res.locals.signal = controller.signal;
    res.locals.clearTimeout = () => clearTimeout(timer);
    next();
  };

  // Failed authentications count per client address, in the database (every server shares the
  // count), so that keys cannot be guessed at full speed; over the limit, the address is refused
  // whatever it presents until the minute ends. Only failures write; other requests read the count.
  const failures = new GraphRateStore(app.db, 'auth', logger);
  const authenticate: RequestHandler = async (req, res, next) => {
    if (config.auth === 'disabled') {
      res.locals.principal = LOCAL_PRINCIPAL;
      next();
      return;
    }
    const address = req.socket.remoteAddress ?? 'unknown';
    try {
      if ((await failures.hits(address)) >= config.authFailuresPerMinute) {
        throw new RateLimitError(`More than ${config.authFailuresPerMinute} failed authentications per minute from this address; wait a minute.`);
      }
      res.locals.principal = await principalOf(req, keys);
      next();
    } catch (err) {
      if (err instanceof AuthError) await failures.add(address, 1).catch((e: unknown) => logger.warn({ err: errorMessage(e) }, 'failed authentication not counted'));
      next(err);
    }
  };

  const workStore = new GraphRateStore(app.db, 'work', logger);
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: config.rateLimitPerMinute,
    store: workStore,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    keyGenerator: (_req, res) => (res.locals.principal as Principal).keyId,
    validate: false,
    handler: (_req, _res, next) => next(new RateLimitError(`More than ${config.rateLimitPerMinute} requests per minute for this API key; slow down.`)),
  });

  const json = express.json({ limit: config.maxBodyBytes });
  /** The limiter counted the request as 1 unit; expensive operations add the rest of their cost. */
  const charge = async (keyId: string, units: number): Promise<void> => {
    if (units <= 1) return;
    const { totalHits } = await workStore.add(keyId, units - 1);
    if (totalHits > config.rateLimitPerMinute) {
      throw new RateLimitError(`More than ${config.rateLimitPerMinute} units of work per minute for this API key (an ask counts ${WORK.ask}, a search ${WORK.search}); slow down.`);
    }
  };
  const ctxOf = (res: Response): ApiContext => ({
    app,
    principal: res.locals.principal as Principal,
    jobs,
    keys,
    onWrite,
    signal: res.locals.signal as AbortSignal,
    charge: (units) => charge((res.locals.principal as Principal).keyId, units),
  });

  const v1 = express.Router();
  for (const route of ROUTES) {
    const chain: RequestHandler[] = route.upload ? [uploadMiddleware(route, app, config, jobs)] : [json];
    v1[route.method](route.path, ...chain, async (req: Request, res: Response, next: NextFunction) => {
      try {
        await route.handler(req, res, ctxOf(res));
      } catch (err) {
        next(err);
      } finally {
        // An upload whose job was never queued leaves nothing behind.
        const jobId = res.locals.jobId as string | undefined;
        if (jobId && !(await jobs.get(jobId).catch(() => undefined))) await rm(jobs.inputDir(jobId), { recursive: true, force: true });
      }
    });
  }
  v1.use((req, _res, next) => next(new NotFoundError(`No such endpoint: ${req.method} /v1${req.path}`)));
  web.use('/v1', timeout, authenticate, limiter, v1);

  web.use(graphql.endpoint, timeout, authenticate, limiter, json, graphql.middleware((res) => ctxOf(res)));
  web.all('/mcp', timeout, authenticate, limiter, json, mcpHttpHandler({ app, jobs, keys, onWrite, logger }));

  const uiDir = options.uiDir ?? path.resolve(import.meta.dirname, '../../ui/dist');
  web.use(uiHeaders);
  // Source maps would publish the UI's sources; the browser does not need them.
  web.use((req, _res, next) => next(req.path.endsWith('.map') ? new NotFoundError(`No such file: ${req.path}`) : undefined));
  if (existsSync(uiDir)) web.use(express.static(uiDir));
  else web.get('/', (_req, res) => {
    res.type('html').send(PLACEHOLDER_PAGE);
  });

  web.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      logger.debug({ err: errorMessage(err) }, 'error after the response was sent');
      return;
    }
    // Refused before its body was read: the connection cannot carry another request.
    if (!req.complete) res.setHeader('connection', 'close');
    sendError(res, translateHttpError(err, config));
  });

  function sendError(res: Response, err: unknown): void {
    const { status, body } = toErrorResponse(err, logger, res.locals.requestId as string);
    if (status === 401) res.setHeader('www-authenticate', 'Bearer');
    res.status(status).json(body);
  }

  let server: Server | undefined;
  return {
    handler: web,
    jobs,
    keys,
    graphql,
    async listen(port = config.port, host = config.host) {
      await checkExposure(config, keys, host);
      server = createServer(web);
      server.requestTimeout = config.requestTimeoutMs + 5000;
      await new Promise<void>((resolve, reject) => {
        server!.once('error', reject);
        server!.listen(port, host, () => resolve());
      });
      const address = server.address() as AddressInfo;
      const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
      return { port: address.port, url: `http://${shown}:${address.port}` };
    },
    async close() {
      const s = server;
      if (s) {
        const closed = new Promise<void>((resolve) => s.close(() => resolve()));
        s.closeIdleConnections();
        const grace = setTimeout(() => s.closeAllConnections(), config.shutdownGraceMs);
        await closed;
        clearTimeout(grace);
      }
      const finished = await jobs.close(config.shutdownGraceMs);
      if (!finished) logger.warn('a job was still running at shutdown; it resumes at the next start');
    },
  };
}

export const OPENAPI_FILE = path.resolve(import.meta.dirname, '../../schemas/openapi.yaml');
let openApi: unknown;

/** schemas/openapi.yaml, served as JSON. */
export function openApiDocument(): unknown {
  openApi ??= parseYaml(readFileSync(OPENAPI_FILE, 'utf8'));
  return openApi;
}

async function principalOf(req: Request, keys: KeyStore): Promise<Principal> {
  const header = req.get('authorization');
  const presented = header?.match(/^Bearer\s+(.+)$/i)?.[1] ?? req.get('x-api-key');
  if (!presented) throw new AuthError();
  const key = await keys.verify(presented);
  if (!key) throw new AuthError('The API key is unknown or revoked.');
  return { keyId: key.id, role: key.role, collections: key.collections };
}

/** Streams uploaded files straight to the job's input folder, within the size and count limits. */
function uploadMiddleware(route: Route, app: Kgrag, config: ApiConfig, jobs: JobQueue): RequestHandler {
  return async (req, res, next) => {
    try {
      // Refuse readers before reading a byte of the body.
      requireRole(res.locals.principal as Principal, 'editor');
      if (!req.is('multipart/form-data')) throw new InputError('Send the files as multipart/form-data');
      const jobId = jobs.newId();
      const dir = jobs.inputDir(jobId);
      await mkdir(dir, { recursive: true });
      res.locals.jobId = jobId;
      let n = 0;
      const upload = multer({
        storage: multer.diskStorage({
          destination: dir,
          // The stored name keeps the extension (loaders and readers look at it) and nothing else of the client's path.
          filename: (_req, file, cb) => {
            const bad = badFileName(file.originalname);
            if (bad) cb(new RequestError('BAD_FILE_NAME', `The upload's file name ${bad}; rename the file.`), '');
            else cb(null, `${n++}-${safeFileName(file.originalname)}`);
          },
        }),
        limits: {
          fileSize: app.config.ingest.maxFileBytes,
          files: route.upload === 'import' ? 1 : config.maxUploadFiles,
          fields: 10,
          fieldSize: config.maxBodyBytes,
        },
        defParamCharset: 'utf8',
      });
      upload.array(route.upload === 'import' ? 'file' : 'files')(req, res, (err?: unknown) => {
        if (err) {
          void rm(dir, { recursive: true, force: true });
          next(err);
        } else next();
      });
    } catch (err) {
      next(err);
    }
  };
}

/** Why a client's file name is refused (it is shown to users and stored as the document's source), if it is. */
function badFileName(name: string): string | undefined {
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'contains control characters (NUL, newlines...)';
  if (name.length > 255) return 'is longer than 255 characters';
  if (name.split(/[\\/]/).some((part) => part === '..')) return 'contains a ".." path step';
  return undefined;
}

export function safeFileName(name: string): string {
  const base = path.basename(name.replaceAll('\\', '/')).replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^\.+/, '');
  return (base || 'file').slice(-120);
}

/** Body-parser and multer errors into kgrag's codes. */
function translateHttpError(err: unknown, config: ApiConfig): unknown {
  if (err instanceof KgragError) return err;
  if (err instanceof multer.MulterError) {
    if (err.code === 'LIMIT_FILE_SIZE') return new RequestLimitError('PAYLOAD_TOO_LARGE', `A file is over the upload limit (KGRAG_MAX_FILE_MB).`);
    if (err.code === 'LIMIT_FILE_COUNT') return new RequestLimitError('TOO_MANY_FILES', `At most ${config.maxUploadFiles} files per upload (KGRAG_API_MAX_UPLOAD_FILES).`);
    if (err.code === 'LIMIT_UNEXPECTED_FILE') return new InputError(`Unexpected file field "${err.field ?? ''}"`);
    return new RequestError('MALFORMED_MULTIPART', `Bad multipart body: ${err.message}`);
  }
  const type = (err as { type?: unknown }).type;
  if (type === 'entity.too.large') return new RequestLimitError('PAYLOAD_TOO_LARGE', `The request body is over ${formatBytes(config.maxBodyBytes)} (KGRAG_API_MAX_BODY_KB).`);
  if (type === 'entity.parse.failed') return new InputError('The request body is not valid JSON');
  if (type === 'charset.unsupported') return new RequestError('UNSUPPORTED_CHARSET', 'Unsupported request body charset: send UTF-8');
  if (type === 'encoding.unsupported') return new RequestError('BAD_CONTENT_ENCODING', 'Unsupported Content-Encoding: send the body uncompressed, gzip or deflate');
  // A body that does not inflate as its Content-Encoding says (zlib errors carry a Z_ code).
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && code.startsWith('Z_')) return new RequestError('BAD_CONTENT_ENCODING', 'The request body does not match its Content-Encoding');
  if (err instanceof Error && /^(Multipart|Malformed part header|Unexpected end of form|Boundary not found)/i.test(err.message)) {
    return new RequestError('MALFORMED_MULTIPART', `Bad multipart body: ${err.message}`);
  }
  // Any other error body-parser or the HTTP layer raised for the request itself.
  const status = (err as { status?: unknown; expose?: unknown }).status;
  if (typeof status === 'number' && status >= 400 && status < 500 && (err as { expose?: unknown }).expose === true) {
    return new InputError(`Bad request: ${errorMessage(err)}`);
  }
  return err;
}

/**
 * The web UI shows untrusted document text: its pages may run only the UI's own script and
 * stylesheet (and its own layout worker script, never a blob), load nothing from elsewhere, and
 * never be framed.
 */
export const UI_CSP =
  "default-src 'none'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
  "base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

const uiHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('content-security-policy', UI_CSP);
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  next();
};

const PLACEHOLDER_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kgrag</title></head>
<body><h1>kgrag</h1><p>The web UI is not built yet. The APIs are up: REST under <code>/v1</code>
(<a href="/v1/openapi.json">OpenAPI</a>), GraphQL at <a href="/graphql">/graphql</a>.</p></body></html>
`;
