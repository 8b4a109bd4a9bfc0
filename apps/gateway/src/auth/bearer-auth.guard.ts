import type { NatsConnection } from '@nats-io/transport-node';
import { applyDecorators, Inject, Injectable, UseGuards, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { TesseraError, type Principal } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { NATS_CONNECTION } from '@tessera/platform';
import { isRefusal, TokenIndexReplica } from '@tessera/token-index';
import { MIN_REVISION_WAIT_MS, readMinRevision, staleError } from './min-revision';
import { requireTrustedOrigin } from './request-origin';
import { extractToken, type TokenSourceOptions } from './token-sources';
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
   */
  async authenticate(request: FastifyRequest): Promise<Principal> {
    const authenticated = request as AuthenticatedRequest;
    const caller = extractToken(request, this.sources);
    if (caller === undefined) throw new TesseraError('no_token', 'this request needs a token');
    let result = await this.replica.resolve(caller.token);
    if (isRefusal(result)) throw new TesseraError(result.error, MESSAGES[result.error]);
    if (caller.ambient) await requireTrustedOrigin(request, this.publicOrigin, this.nats);
    const minRevision = readMinRevision(request);
    if (minRevision !== undefined) {
      authenticated.minRevision = minRevision;
      if (!(await this.replica.waitFor(minRevision, MIN_REVISION_WAIT_MS))) throw staleError(minRevision, this.replica.position);
      // Once more at that revision: it may hold the token's revocation.
      result = await this.replica.resolve(caller.token);
      if (isRefusal(result)) throw new TesseraError(result.error, MESSAGES[result.error]);
    }
    authenticated.principal = result;
    authenticated.bearerToken = caller.token;
    this.uses.record(result.tokenId);
    return result;
  }
}

/** Marks a controller or route as needing a token; `@CurrentPrincipal()` then gives the caller. */
export const Authenticated = (): ClassDecorator & MethodDecorator => applyDecorators(UseGuards(BearerAuthGuard), ApiBearerAuth());
