import type { FastifyReply } from 'fastify';
import { TesseraError, UNAUTHENTICATED_CODES } from '@tessera/contracts';

/** The contract's error body: `{"statusCode","error","message","details"}` plus the code's extras (`tos`, `revision`). */
export function errorBody(error: TesseraError): Record<string, unknown> {
  return { statusCode: error.status, error: error.code, message: error.message, details: error.details ?? [], ...error.extra };
}

/** Sends a TesseraError as the contract answers it: status, body, `WWW-Authenticate` on 401, `Retry-After` on 429 and 503. */
export function sendError(reply: FastifyReply, error: TesseraError, publicUrl: string): FastifyReply {
  if (UNAUTHENTICATED_CODES.has(error.code)) void reply.header('WWW-Authenticate', `Bearer realm="${publicUrl}/auth/login"`);
  // Every 503 tells the client when to retry (CONTRACT section 2), whichever app raised it.
  const retryAfter = error.retryAfter ?? (error.status === 503 ? 1 : undefined);
  if (retryAfter !== undefined) void reply.header('Retry-After', String(retryAfter));
  return reply.status(error.status).header('Content-Type', 'application/json; charset=utf-8').send(errorBody(error));
}
