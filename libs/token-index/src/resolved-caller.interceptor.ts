import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { from, switchMap, type Observable } from 'rxjs';
import { TesseraError, type Principal } from '@tessera/contracts';
import { isRefusal } from './token-index';
import { TokenIndexReplica } from './token-index.replica';

/** What the gateway forwards as `principal`: only the bearer token in it is believed. */
export interface ForwardedCaller extends Partial<Principal> {
  bearer?: string;
}

/**
 * Anyone on NATS can send a request, so an app never believes a `principal` in a message body: it
 * keeps only the caller's bearer token from it and resolves that against its own token index.
 */
@Injectable()
export class ResolvedCallerInterceptor implements NestInterceptor {
  constructor(private readonly replica: TokenIndexReplica) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'rpc') return next.handle();
    const body = context.switchToRpc().getData<{ principal?: ForwardedCaller } | null>();
    if (!body || typeof body !== 'object' || !('principal' in body)) return next.handle();
    return from(this.resolve(body)).pipe(switchMap(() => next.handle()));
  }

  private async resolve(body: { principal?: ForwardedCaller }): Promise<void> {
    const bearer = body.principal?.bearer;
    delete body.principal;
    if (typeof bearer !== 'string') throw new TesseraError('no_token', 'this request needs the caller’s bearer token');
    const resolved = await this.replica.resolve(bearer);
    if (isRefusal(resolved)) throw new TesseraError(resolved.error, 'the caller’s token is not usable');
    (body as { principal: Principal }).principal = resolved;
  }
}
