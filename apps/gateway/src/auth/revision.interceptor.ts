import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { from, mergeMap, of, type Observable } from 'rxjs';
import { TokenIndexReplica } from '@tessera/token-index';
import { MIN_REVISION_WAIT_MS } from './min-revision';

/**
 * Every answer carrying `revision` also gets the `X-Tessera-Revision` header; a 204 answer keeps
 * only the header. Before answering a write, the gateway's own token index catches up to it, so
 * the caller's next request through this gateway sees its own write (a revoked token is refused).
 */
@Injectable()
export class RevisionInterceptor implements NestInterceptor {
  constructor(private readonly replica: TokenIndexReplica) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    return next.handle().pipe(
      mergeMap((body) => {
        const revision = (body as { revision?: unknown } | null | undefined)?.revision;
        if (revision === undefined || revision === null) return of(body);
        void reply.header('X-Tessera-Revision', String(revision));
        const answer = reply.statusCode === 204 ? undefined : body;
        const position = Number(revision);
        // Reads (and writes this replica already reflects) answer at once, without a promise.
        if (!Number.isSafeInteger(position) || position <= this.replica.position) return of(answer);
        return from(this.replica.waitFor(position, MIN_REVISION_WAIT_MS).then(() => answer));
      }),
    );
  }
}
