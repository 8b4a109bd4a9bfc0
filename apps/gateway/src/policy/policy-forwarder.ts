import type { NatsConnection } from '@nats-io/transport-node';
import { createParamDecorator, Inject, Injectable, type ExecutionContext } from '@nestjs/common';
import type { PolicyAdminSubject } from '@tessera/contracts';
import { requestJson } from '@tessera/messaging';
import { NATS_CONNECTION } from '@tessera/platform';
import type { AuthenticatedRequest } from '../auth';

/** The bearer token the BearerAuthGuard accepted, to forward; never logged. */
export const BearerToken = createParamDecorator(
  (_data: unknown, context: ExecutionContext): string => context.switchToHttp().getRequest<AuthenticatedRequest>().bearerToken,
);

/**
 * Forwards a policy endpoint to the policy app with the caller's own token (the policy app resolves
 * it from its own token index, so a forged principal on NATS counts for nothing).
 */
@Injectable()
export class PolicyForwarder {
  constructor(@Inject(NATS_CONNECTION) private readonly nats: NatsConnection) {}

  forward<T = Record<string, unknown>>(
    subject: PolicyAdminSubject,
    token: string,
    minRevision: number | undefined,
    body: object = {},
  ): Promise<T> {
    return requestJson<T>(this.nats, subject, { ...body, token, ...(minRevision !== undefined ? { minRevision } : {}) });
  }
}
