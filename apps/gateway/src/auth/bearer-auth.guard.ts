import type { NatsConnection } from '@nats-io/transport-node';
import { applyDecorators, Inject, Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { TesseraError, type Principal } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { NATS_CONNECTION } from '@tessera/platform';
import { isRefusal, TokenIndexReplica, type TokenRefusal } from '@tessera/token-index';
import { asksForRevision, MIN_REVISION_WAIT_MS, readMinRevision, staleError } from './min-revision';
import { requireTrustedOrigin } from './request-origin';
import { extractToken, type CallerToken, type TokenSourceOptions } from './token-sources';
import { TokenUseRecorder } from './token-use.recorder';

const MESSAGES = {
  invalid_token: 'the token is not valid',
  expired_token: 'the token has expired',
  revoked_token: 'the token has been revoked',
} as const;

/** What the guard leaves on the request for controllers and decorators. */
export interface AuthenticatedRequest extends FastifyRequest {
  principal: Principal;
  /** The bearer token itself, for forwarding; never logged. */
  bearerToken: string;
  minRevision?: number;
}

/**
 * Authenticates from the gateway's own token index replica: no NATS round trip per request. A
 * revocation reaches the replica through the live event feed within milliseconds; a token minted
 * through another replica a moment ago costs one read of the log before it is refused.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private readonly sources: TokenSourceOptions;
  private readonly publicOrigin: string;

  constructor(
    private readonly replica: TokenIndexReplica,
    private readonly config: TesseraConfig,
    private readonly uses: TokenUseRecorder,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
  ) {
    this.sources = { extraHeaders: config.TESSERA_EXTRA_AUTH_HEADERS, middleAuth: config.TESSERA_MIDDLE_AUTH === 'on' };
    this.publicOrigin = new URL(config.publicUrl).origin;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    await this.authenticate(context.switchToHttp().getRequest<AuthenticatedRequest>());
    return true;
  }

  /**
   * Resolves the caller onto the request, or throws the contract's 400/401/403/503. Who is calling
   * comes first: only an authenticated caller may make a request wait for X-Tessera-Min-Revision.
   * At once (no promise) for a token the replica knows, sent in a header, with no revision asked.
   */
  authenticate(request: FastifyRequest): Principal | Promise<Principal> {
    const caller = extractToken(request, this.sources);
    if (caller === undefined) throw new TesseraError('no_token', 'this request needs a token');
    const resolved = this.replica.resolve(caller.token);
    if (resolved instanceof Promise || caller.ambient || asksForRevision(request))
      return this.authenticateWaiting(request, caller, resolved);
    return this.admit(request, caller.token, resolved);
  }

  private async authenticateWaiting(
    request: FastifyRequest,
    caller: CallerToken,
    resolved: Principal | TokenRefusal | Promise<Principal | TokenRefusal>,
  ): Promise<Principal> {
    let result = await resolved;
    if (isRefusal(result)) throw refusal(result);
    if (caller.ambient) await requireTrustedOrigin(request, this.publicOrigin, this.nats);
    const minRevision = readMinRevision(request);
    if (minRevision !== undefined) {
      (request as AuthenticatedRequest).minRevision = minRevision;
      if (!(await this.replica.waitFor(minRevision, MIN_REVISION_WAIT_MS))) throw staleError(minRevision, this.replica.position);
      // Once more at that revision: it may hold the token's revocation.
      result = await this.replica.resolve(caller.token);
    }
    return this.admit(request, caller.token, result);
  }

  private admit(request: FastifyRequest, token: string, result: Principal | TokenRefusal): Principal {
    if (isRefusal(result)) throw refusal(result);
    const authenticated = request as AuthenticatedRequest;
    authenticated.principal = result;
    authenticated.bearerToken = token;
    this.uses.record(result.tokenId);
    return result;
  }
}

function refusal(result: TokenRefusal): TesseraError {
  return new TesseraError(result.error, MESSAGES[result.error]);
}

/** Marks a controller or route as needing a token; `@CurrentPrincipal()` then gives the caller. */
export const Authenticated = (): ClassDecorator & MethodDecorator => applyDecorators(UseGuards(BearerAuthGuard), ApiBearerAuth());
