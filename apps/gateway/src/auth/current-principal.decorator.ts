import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Principal } from '@tessera/contracts';
import type { AuthenticatedRequest } from './bearer-auth.guard';

/** The caller the BearerAuthGuard resolved. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, context: ExecutionContext): Principal => context.switchToHttp().getRequest<AuthenticatedRequest>().principal,
);

/** The revision the caller asked reads to reflect (header or `?minRevision=`), to forward to the owning app. */
export const MinRevision = createParamDecorator(
  (_data: unknown, context: ExecutionContext): number | undefined => context.switchToHttp().getRequest<AuthenticatedRequest>().minRevision,
);
