import { GraphError, KgragError } from '../errors.ts';
import type { Logger } from '../logging.ts';

/** The JSON body of every error response, REST and (as `extensions`) GraphQL. */
export interface ErrorBody {
  error: { code: string; message: string; requestId?: string; details?: unknown };
}

const STATUS: Record<string, number> = {
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  RATE_LIMITED: 429,
  REQUEST_TIMEOUT: 503,
  PAYLOAD_TOO_LARGE: 413,
  TOO_MANY_FILES: 413,
  TOO_LARGE: 413,
  QUERY_TIMEOUT: 504,
  DATABASE_UNAVAILABLE: 503,
  BAD_CONTENT_ENCODING: 415,
  UNSUPPORTED_CHARSET: 415,
};

/**
 * Database errors other than these say things about queries and the server that clients have no
 * use for (and should not learn): they are masked like any unexpected error.
 */
const CLIENT_SAFE_GRAPH_CODES = new Set(['QUERY_TIMEOUT', 'DATABASE_UNAVAILABLE']);

/** A KgragError whose code and message may go to the client as they are. */
export function isClientError(err: unknown): err is KgragError {
  if (!(err instanceof KgragError)) return false;
  if (err instanceof GraphError) return CLIENT_SAFE_GRAPH_CODES.has(err.code);
  return !['CONFIG_INVALID', 'DATABASE_LIFECYCLE', 'EMBEDDING_FAILED', 'CHUNKING_FAILED', 'EMBEDDING_MODEL_MISMATCH'].includes(err.code);
}

export function statusOf(err: KgragError): number {
  return STATUS[err.code] ?? 400;
}

/**
 * Turns any error into a status and a body. Unexpected errors are logged in full with the request
 * id and reach the client only as INTERNAL with that id, to quote when reporting it.
 */
export function toErrorResponse(err: unknown, logger: Logger, requestId: string): { status: number; body: ErrorBody } {
  if (isClientError(err)) {
    // The client's mistake, not the server's: no stack trace, not at error level.
    if (statusOf(err) < 500) logger.warn({ requestId, code: err.code, err: err.message }, 'request refused');
    const details = 'problems' in err && Array.isArray(err.problems) && err.problems.length ? { problems: err.problems } : undefined;
    return {
      status: statusOf(err),
      body: { error: { code: err.code, message: err.message, requestId, ...(details ? { details } : {}) } },
    };
  }
  logger.error({ err, requestId }, 'unexpected error');
  return {
    status: 500,
    body: { error: { code: 'INTERNAL', message: 'An unexpected error occurred; it has been logged.', requestId } },
  };
}
