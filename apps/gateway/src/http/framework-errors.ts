import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { TesseraError } from '@tessera/contracts';
import { codeForStatus } from '../errors/http-errors.filter';
import { errorBody } from '../errors/error-body';

/**
 * Errors Fastify's router raises before any hook or Nest handler runs (`%zz` in a path, a route
 * parameter over `maxParamLength`): the contract's body, never Fastify's own.
 */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
  const answer = new TesseraError(codeForStatus(status), routerMessage(error));
  void reply.status(answer.status).header('x-content-type-options', 'nosniff').send(errorBody(answer));
}

function routerMessage(error: FastifyError): string {
  if (error.code === 'FST_ERR_BAD_URL') return 'the path is not a valid URL (bad percent-encoding)';
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return 'a path parameter is too long';
  return error.message;
}

/**
 * What Node's HTTP parser refuses before Fastify sees a request (headers too large, a NUL or a
 * bare CR in a header, a malformed request line): answered on the socket in the contract's body.
 */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  if (!socket.writable) return void socket.destroy();
  const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
  const answer = tooLarge
    ? new TesseraError('headers_too_large', 'the request headers are too large')
    : new TesseraError('bad_request', 'the request is not valid HTTP');
  const body = JSON.stringify(errorBody(answer));
  socket.end(
    `HTTP/1.1 ${answer.status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
