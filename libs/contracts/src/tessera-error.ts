import { ErrorCode, HTTP_STATUS_BY_CODE, isErrorCode } from './error-codes';

/** The one exception type of Tessera: a contract error code, a message, and optional details. */
export class TesseraError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown[],
    /** Extra fields of the error body, such as `tos` for `missing_tos`. */
    readonly extra?: Record<string, unknown>,
    /** Seconds, for 429 and 503 answers. */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'TesseraError';
  }

  get status(): number {
    return HTTP_STATUS_BY_CODE[this.code];
  }

  /** The body of a NATS error reply: `{"error":{"code","message",…}}`. */
  toReply(): { error: WireError } {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
        ...(this.extra ?? {}),
        ...(this.retryAfter !== undefined ? { retryAfter: this.retryAfter } : {}),
      },
    };
  }

  /** Rebuilds the error from a NATS error reply, so a caller can rethrow what the owning app said. */
  static fromWire(error: WireError): TesseraError {
    const { code, message, details, retryAfter, ...extra } = error;
    return new TesseraError(
      isErrorCode(code) ? code : 'internal_error',
      typeof message === 'string' ? message : 'error',
      Array.isArray(details) ? details : undefined,
      Object.keys(extra).length > 0 ? extra : undefined,
      typeof retryAfter === 'number' ? retryAfter : undefined,
    );
  }
}

export interface WireError {
  code: string;
  message: string;
  details?: unknown[];
  retryAfter?: number;
  [extra: string]: unknown;
}
