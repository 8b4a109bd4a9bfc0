import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { ForwardedCaller, Principal } from '@tessera/contracts';
import type { AuthenticatedRequest } from './bearer-auth.guard';

/** The caller as the gateway resolved it, with the bearer token it forwards. */
export type Caller = Principal & ForwardedCaller;

/**
 * The caller the BearerAuthGuard resolved, with its bearer token: the apps behind NATS believe only
 * that token (ResolvedCallerInterceptor), never the rest of a forwarded principal.
 */
export const CurrentPrincipal = createParamDecorator((_data: unknown, context: ExecutionContext): Caller => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  return { ...request.principal, bearer: request.bearerToken };
});

/** The revision the caller asked reads to reflect (header or `?minRevision=`), to forward to the owning app. */
export const MinRevision = createParamDecorator(
  (_data: unknown, context: ExecutionContext): number | undefined => context.switchToHttp().getRequest<AuthenticatedRequest>().minRevision,
);
