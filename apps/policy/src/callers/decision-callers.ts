import { Injectable } from '@nestjs/common';
import { TesseraError, type Principal } from '@tessera/contracts';
import { isRefusal, parseToken, type TokenRefusal } from '@tessera/token-index';
import type { Subject } from '../decisions/decision-index';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { subjectOf } from './policy-access';

export type TokenProblem = TokenRefusal['error'];

/**
 * The caller rule of CONTRACT section 6: a request carrying the subject's own token needs nothing
 * more; one naming a `userId`, or asking a look-up, needs `Authorization: Bearer <token>` of a
 * service account (or super admin) with scope `decisions`.
 */
@Injectable()
export class DecisionCallers {
  constructor(private readonly projection: DecisionIndexProjection) {}

  /** The subject of a request with `token` or `userId`, or the token problem to answer with. */
  /** Synchronous when the tokens are known (the hot path); a promise only when the log must be read first. */
  subject(
    request: { token?: unknown; userId?: unknown },
    authorization: string | undefined,
  ): Subject | TokenProblem | Promise<Subject | TokenProblem> {
    if (typeof request.token === 'string') {
      const resolved = this.resolve(request.token);
      const toSubject = (principal: Principal | TokenRefusal) => (isRefusal(principal) ? principal.error : subjectOf(principal));
      return resolved instanceof Promise ? resolved.then(toSubject) : toSubject(resolved);
    }
    if (typeof request.userId === 'string' && request.userId !== '') {
      const userId = request.userId;
      const gate = this.requireDecisionsCaller(authorization);
      return gate instanceof Promise
        ? gate.then(() => this.projection.index.subjectOfUser(userId))
        : this.projection.index.subjectOfUser(userId);
    }
    throw new TesseraError('bad_request', 'the request needs "token" or "userId"');
  }

  /** A map look-up; only a well-formed token this replica does not know yet costs a read of the log. */
  resolve(token: string): Principal | TokenRefusal | Promise<Principal | TokenRefusal> {
    const first = this.projection.tokens.resolve(token);
    if (!isRefusal(first) || first.error !== 'invalid_token' || parseToken(token) === undefined) return first;
    return this.projection.catchUp().then(() => this.projection.tokens.resolve(token));
  }

  requireDecisionsCaller(authorization: string | undefined): void | Promise<void> {
    if (!authorization) throw new TesseraError('no_token', 'a request naming a userId needs the Authorization header of a service account');
    const match = /^(?:Bearer|Token)\s+(\S+)$/i.exec(authorization.trim());
    if (!match) throw new TesseraError('bad_auth_header', 'the Authorization header must be "Bearer <token>"');
    const caller = this.resolve(match[1]);
    return caller instanceof Promise ? caller.then(checkDecisionsCaller) : checkDecisionsCaller(caller);
  }
}

function checkDecisionsCaller(caller: Principal | TokenRefusal): void {
  if (isRefusal(caller)) throw new TesseraError(caller.error, `the caller's token is ${caller.error.replace('_token', '')}`);
  if (!caller.superAdmin && !(caller.serviceAccount && caller.scopes.includes('decisions'))) {
    throw new TesseraError('insufficient_scope', 'the caller needs a service account token with scope "decisions"');
  }
}
