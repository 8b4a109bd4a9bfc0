import { createParamDecorator, Injectable, type ExecutionContext } from '@nestjs/common';
import type { PolicyAdminSubject, ReplyOf, RequestOf } from '@tessera/contracts';
import { TesseraClient } from '@tessera/messaging';
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
  constructor(private readonly client: TesseraClient) {}

  forward<S extends PolicyAdminSubject>(
    subject: S,
    token: string,
    minRevision: number | undefined,
    body: Omit<RequestOf<S>, 'token' | 'minRevision'>,
  ): Promise<ReplyOf<S>> {
    const request = { ...body, token, ...(minRevision !== undefined ? { minRevision } : {}) } as RequestOf<S>;
    return this.client.request(subject, request);
  }
}
