import { Injectable, type PipeTransform } from '@nestjs/common';
import { TesseraError } from '@tessera/contracts';
import { isRefusal } from '@tessera/token-index';
import { DecisionCallers } from './decision-callers';
import type { ForwardedRequest } from './policy-access';

/** How a refused caller's token is described. */
export const TOKEN_REFUSAL_MESSAGES = {
  invalid_token: 'the token is not valid',
  expired_token: 'the token has expired',
  revoked_token: 'the token has been revoked',
};

/**
 * The gateway forwards the caller's own bearer token, never a principal: the policy app resolves it
 * from its own token index, so nobody on NATS can claim to be a super admin by saying so.
 */
@Injectable()
export class ForwardedCallerPipe implements PipeTransform {
  constructor(private readonly callers: DecisionCallers) {}

  async transform(value: unknown): Promise<ForwardedRequest> {
    const request = (value ?? {}) as ForwardedRequest & { token?: unknown };
    if (typeof request.token !== 'string') throw new TesseraError('no_token', 'this request needs the caller’s token');
    const principal = await this.callers.resolve(request.token);
    if (isRefusal(principal)) throw new TesseraError(principal.error, TOKEN_REFUSAL_MESSAGES[principal.error]);
    return { ...request, token: undefined, principal } as ForwardedRequest;
  }
}
