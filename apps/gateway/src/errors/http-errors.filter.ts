import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HTTP_STATUS_BY_CODE, TesseraError, type ErrorCode } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { databaseUnavailable } from '@tessera/platform';
import { sendError } from './error-body';

/** The contract's error body for every error: `{"statusCode","error","message","details"}`. */
@Catch()
export class HttpErrorsFilter implements ExceptionFilter {
  constructor(private readonly config: TesseraConfig) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    sendError(host.switchToHttp().getResponse<FastifyReply>(), asTesseraError(exception), this.config.publicUrl);
  }
}

const log = new Logger('HttpErrorsFilter');

/** The contract's error for anything thrown while answering; what is not a known 4xx or 503 is logged and answered 500. */
export function asTesseraError(exception: unknown): TesseraError {
  if (exception instanceof TesseraError) return exception;
  const unavailable = databaseUnavailable(exception);
  if (unavailable) return unavailable;
  const status = exception instanceof HttpException ? exception.getStatus() : (exception as { statusCode?: number })?.statusCode;
  if (status !== undefined && status < 500) return new TesseraError(codeForStatus(status), messageOf(exception));
  log.error((exception as Error)?.stack ?? String(exception));
  return new TesseraError('internal_error', 'internal error');
}

/** The contract code of a 4xx the framework raised (Fastify's parsers, Nest's pipes); `bad_request` for any other 4xx. */
export function codeForStatus(status: number): ErrorCode {
  const preferred: Record<number, ErrorCode> = {
    400: 'bad_request',
    401: 'invalid_token',
    403: 'missing_permission',
    404: 'not_found',
    409: 'conflict',
    413: 'payload_too_large',
    414: 'uri_too_long',
    415: 'unsupported_media_type',
    429: 'rate_limited',
    431: 'headers_too_large',
    503: 'unavailable',
  };
  return (
    preferred[status] ??
    (Object.entries(HTTP_STATUS_BY_CODE).find(([, value]) => value === status)?.[0] as ErrorCode | undefined) ??
    'bad_request'
  );
}

function messageOf(exception: unknown): string {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const message = typeof response === 'object' && response !== null ? (response as { message?: unknown }).message : response;
    return Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
  }
  return (exception as Error)?.message ?? 'error';
}
