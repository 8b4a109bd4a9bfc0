import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { TokenIndexReplica } from '@tessera/token-index';
import { MIN_REVISION_WAIT_MS } from './min-revision';

type Done = (error: Error | null, payload?: unknown) => void;

/**
 * Every answer carrying `revision` also gets the `X-Tessera-Revision` header; a 204 answer keeps
 * only the header (Fastify sends no body with a 204). Error bodies (4xx, 5xx) are left alone, even
 * those that carry a revision.
 *
 * Before any successful answer with that header leaves (a route's own `reply.send` included), the
 * gateway's token index catches up to its revision, so the caller's next request through this
 * gateway sees its own write: a token revoked a moment ago is refused.
 *
 * Fastify hooks rather than a Nest interceptor: a global interceptor puts an RxJS pipeline and two
 * async resources on every request, which cost about as much as the rest of a forwarded read in
 * the gateway.
 */
@Injectable()
export class RevisionHook implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly replica: TokenIndexReplica,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('preSerialization', (_request, reply, payload, done) => {
      const revision = reply.statusCode < 400 ? (payload as { revision?: unknown } | null | undefined)?.revision : undefined;
      if (revision !== undefined && revision !== null) void reply.header('X-Tessera-Revision', String(revision));
      done(null, payload);
    });
    fastify.addHook('onSend', (_request, reply, payload, done) => this.reflect(reply, payload, done));
  }

  private reflect(reply: FastifyReply, payload: unknown, done: Done): void {
    const waiting = reply.statusCode < 400 ? reflected(this.replica, reply.getHeader('x-tessera-revision')) : undefined;
    if (waiting === undefined) return done(null, payload);
    waiting.then(
      () => done(null, payload),
      (error: Error) => done(error),
    );
  }
}

/**
 * Settles once the replica reflects `revision` (or the bounded wait is over); undefined, without a
 * promise, when it already does (reads, and writes this replica already reflects) or when there is
 * no revision.
 */
function reflected(replica: TokenIndexReplica, revision: unknown): Promise<unknown> | undefined {
  if (revision === undefined) return undefined;
  const position = Number(revision);
  if (!Number.isSafeInteger(position) || position <= replica.position) return undefined;
  return replica.waitFor(position, MIN_REVISION_WAIT_MS);
}
