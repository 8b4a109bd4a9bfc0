import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HTTP_STATUS_BY_CODE, TesseraError, UNAUTHENTICATED_CODES, type ErrorCode } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { databaseUnavailable } from '@tessera/platform';

/** The contract's error body for every error: `{"statusCode","error","message","details"}`. */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpErrorsFilter');

  constructor(private readonly config: TesseraConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const error = this.toTesseraError(exception);
    if (UNAUTHENTICATED_CODES.has(error.code)) {
      void reply.header('WWW-Authenticate', `Bearer realm="${this.config.publicUrl}/auth/login"`);
    }
    // Every 503 tells the client when to retry (CONTRACT section 2), whichever app raised it.
    const retryAfter = error.retryAfter ?? (error.status === 503 ? 1 : undefined);
    if (retryAfter !== undefined) void reply.header('Retry-After', String(retryAfter));
    void reply
      .status(error.status)
      .header('Content-Type', 'application/json; charset=utf-8')
      .send({ statusCode: error.status, error: error.code, message: error.message, details: error.details ?? [], ...error.extra });
  }

  private toTesseraError(exception: unknown): TesseraError {
    if (exception instanceof TesseraError) return exception;
    const unavailable = databaseUnavailable(exception);
    if (unavailable) return unavailable;
    const status = exception instanceof HttpException ? exception.getStatus() : (exception as { statusCode?: number })?.statusCode;
    const code = status ? codeForStatus(status) : undefined;
    if (code && status && status < 500) return new TesseraError(code, messageOf(exception));
    this.log.error((exception as Error)?.stack ?? String(exception));
    return new TesseraError('internal_error', 'internal error');
  }
}

function codeForStatus(status: number): ErrorCode | undefined {
  const preferred: Record<number, ErrorCode> = {
    400: 'bad_request',
    401: 'invalid_token',
    403: 'missing_permission',
    404: 'not_found',
    409: 'conflict',
    413: 'payload_too_large',
    415: 'bad_request',
    429: 'rate_limited',
    503: 'unavailable',
  };
  return preferred[status] ?? (Object.entries(HTTP_STATUS_BY_CODE).find(([, value]) => value === status)?.[0] as ErrorCode | undefined);
}

function messageOf(exception: unknown): string {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const message = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
    return Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
  }
  return (exception as Error)?.message ?? 'error';
}
