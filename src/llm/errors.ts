import { KgragError } from '../errors.ts';

export type LlmErrorCode = 'LLM_FAILED' | 'LLM_INVALID_OUTPUT' | 'LLM_TIMEOUT';

/**
 * A call to the configured LLM failed: the server answered with an error or could not be reached
 * (LLM_FAILED), answered something that is not valid JSON for the requested schema
 * (LLM_INVALID_OUTPUT), or did not answer within the timeout (LLM_TIMEOUT).
 * `retryable` says whether trying the same request again may help (rate limits, 5xx, timeouts,
 * invalid output) or not (bad request, authentication, unknown model).
 */
export class LlmError extends KgragError {
  override readonly code: LlmErrorCode;
  readonly retryable: boolean;
  /** HTTP status the LLM server answered with, when there was one. */
  readonly status: number | undefined;
  constructor(
    code: LlmErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; status?: number } = {},
  ) {
    super(code, message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? code !== 'LLM_FAILED';
    this.status = options.status;
  }
}
