import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TesseraConfig } from '@tessera/config';
import type { ServedAnswer } from '@tessera/messaging';
import { sendError } from '../errors/error-body';
import { asTesseraError } from '../errors/http-errors.filter';
import { BearerAuthGuard, type AuthenticatedRequest } from './bearer-auth.guard';

/**
 * The hottest authenticated reads as plain Fastify routes, outside Nest's per-request pipeline
 * (guards, pipes, the exception filter and their promise chain: about a third of a forwarded
 * read's cost): the same guard, BearerAuthGuard.authenticate, and the contract's error bodies as
 * HttpErrorsFilter sends them. Fastify's hooks (security headers, metrics, traces, RevisionHook)
 * apply as to every route. Nest's OpenAPI scanner does not see these routes: see openapi.ts.
 */
@Injectable()
export class AuthenticatedRoutes {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly guard: BearerAuthGuard,
    private readonly config: TesseraConfig,
  ) {}

  /**
   * GET `path` (and HEAD): `precondition` first (it throws for a route turned off), then the caller
   * authenticated, then `answer`: the body to send, or the reply it sent. Without a promise where
   * none is needed: a known token and an answer at hand cost no turn of the microtask queue.
   */
  get(path: string, answer: (request: AuthenticatedRequest, reply: FastifyReply) => unknown, precondition?: () => void): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.get(path, (request, reply) => {
      try {
        precondition?.();
        const authenticated = this.guard.authenticate(request);
        const answered =
          authenticated instanceof Promise
            ? authenticated.then(() => answer(request as AuthenticatedRequest, reply))
            : answer(request as AuthenticatedRequest, reply);
        if (answered instanceof Promise) return answered.catch((error: unknown) => this.fail(reply, error));
        // A reply already sent is not sent again.
        return answered === reply ? undefined : answered;
      } catch (error) {
        this.fail(reply, error);
        return undefined;
      }
    });
  }

  private fail(reply: FastifyReply, error: unknown): FastifyReply {
    return sendError(reply, asTesseraError(error), this.config.publicUrl);
  }

  /**
   * Sends an app's answer as it came (requestServed: JSON text, not parsed here) with its
   * X-Tessera-Revision; RevisionHook holds it until this replica reflects that revision.
   */
  sendServed(reply: FastifyReply, served: ServedAnswer | Promise<ServedAnswer>): FastifyReply | Promise<FastifyReply> {
    return served instanceof Promise ? served.then((answer) => sendAnswer(reply, answer)) : sendAnswer(reply, served);
  }
}

function sendAnswer(reply: FastifyReply, served: ServedAnswer): FastifyReply {
  const { buffer, byteOffset, byteLength } = served.body;
  return reply
    .header('X-Tessera-Revision', served.revision)
    .header('content-type', 'application/json; charset=utf-8')
    .send(Buffer.from(buffer, byteOffset, byteLength));
}
