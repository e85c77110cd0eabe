/**
 * One root error class with a subclass per pipeline stage. Each error carries a stable
 * machine-readable `code` (used by the CLI's --json output and, later, the HTTP APIs) and an
 * optional `cause`. Messages are written for the user: what went wrong and what to do.
 */
export class KgragError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Invalid or missing configuration (environment, .env, CLI options). */
export class ConfigError extends KgragError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG_INVALID', message, options);
  }
}

/** A source could not be read or parsed: bad file, unsupported type, unreachable URL. */
export class LoadError extends KgragError {
  constructor(
    code:
      | 'UNSUPPORTED_TYPE'
      | 'EMPTY_DOCUMENT'
      | 'TOO_LARGE'
      | 'CORRUPT_FILE'
      | 'ENCRYPTED_FILE'
      | 'BAD_ENCODING'
      | 'NOT_FOUND'
      | 'FETCH_FAILED'
      | 'FORBIDDEN_ADDRESS'
      | 'INVALID_INPUT'
      /** Over a bound on what one document may cost (inflated size, nesting, pages, DTDs). */
      | 'LIMIT_EXCEEDED'
      /** Parsing it ran out of its time or memory budget (the worker was stopped). */
      | 'RESOURCE_LIMIT',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(code, message, options);
  }
}

/** Chunking failed (should not happen for valid input; signals a bug or an absurd document). */
export class ChunkingError extends KgragError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CHUNKING_FAILED', message, options);
  }
}

/** The embedding model could not be loaded or run. */
export class EmbeddingError extends KgragError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EMBEDDING_FAILED', message, options);
  }
}

/** The database holds embeddings from a different model (or dimension) than configured. */
export class ModelMismatchError extends KgragError {
  constructor(message: string) {
    super('EMBEDDING_MODEL_MISMATCH', message);
  }
}

/** Anything the database reported, translated from Neo4j's error codes. */
export class GraphError extends KgragError {
  readonly neo4jCode: string | undefined;
  constructor(code: string, message: string, options?: { cause?: unknown; neo4jCode?: string }) {
    super(code, message, options);
    this.neo4jCode = options?.neo4jCode;
  }
}

/** Starting, stopping or reaching the local database failed. */
export class DatabaseLifecycleError extends KgragError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('DATABASE_LIFECYCLE', message, options);
  }
}

/** A requested item does not exist (in the caller's collections). */
export class NotFoundError extends KgragError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}

/** Input to an operation (search options, ids, collection names) is invalid. */
export class InputError extends KgragError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}

/**
 * A generated or user-supplied query was refused before it ran: it could write, calls a procedure
 * that is not allowlisted, escapes the caller's collections, or uses Cypher outside the supported
 * read-only subset. The message says which rule it broke.
 */
export class UnsafeQueryError extends KgragError {
  constructor(message: string) {
    super('UNSAFE_QUERY', message);
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** The request carries no API key, or one that is unknown or revoked. */
export class AuthError extends KgragError {
  constructor(message = 'A valid API key is required: send it as `Authorization: Bearer <key>` or `X-API-Key`.') {
    super('UNAUTHENTICATED', message);
  }
}

/**
 * The key is valid but its role or collections do not allow the request. Never used for items
 * that exist only in other collections: those are NOT_FOUND, so existence is not revealed.
 */
export class ForbiddenError extends KgragError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}

/** Too many requests for one API key within the rate-limit window. */
export class RateLimitError extends KgragError {
  constructor(message: string) {
    super('RATE_LIMITED', message);
  }
}

/**
 * A malformed request: a body that does not match its Content-Encoding, charset or type, a bad
 * multipart body or file name. Always the client's mistake: a 4xx, logged at warn.
 */
export class RequestError extends KgragError {
  constructor(code: 'BAD_CONTENT_ENCODING' | 'UNSUPPORTED_CHARSET' | 'MALFORMED_MULTIPART' | 'BAD_FILE_NAME', message: string) {
    super(code, message);
  }
}

/** The request took longer than the server's request timeout, or the body is over a size limit. */
export class RequestLimitError extends KgragError {
  constructor(code: 'REQUEST_TIMEOUT' | 'PAYLOAD_TOO_LARGE' | 'TOO_MANY_FILES', message: string) {
    super(code, message);
  }
}
