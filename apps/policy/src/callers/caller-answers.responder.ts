import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MIDDLE_AUTH_SUBJECTS as M, POLICY_ADMIN_SUBJECTS as P, queueGroup, TesseraError, type Principal } from '@tessera/contracts';
import { requestObject, respondDirectly, type DirectAnswer } from '@tessera/messaging';
import { NATS_CONNECTION } from '@tessera/platform';
import { isRefusal, type TokenRefusal } from '@tessera/token-index';
import type { DecisionIndex, Subject } from '../decisions/decision-index';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { userCacheJson } from '../middle-auth/user-cache';
import { DecisionCallers } from './decision-callers';
import { TOKEN_REFUSAL_MESSAGES } from './forwarded-caller.pipe';
import { subjectOf } from './policy-access';

/** An answer for the caller as JSON bytes, from the index as it stands. */
type CallerJson = (index: DecisionIndex, subject: Subject) => Uint8Array;

/**
 * The caller's own answers, asked on nearly every request of a client (`GET /api/v1/me/permissions`,
 * middle_auth's `GET /user/cache`), straight on NATS without Nest's RPC pipeline: the token resolved
 * as ForwardedCallerPipe resolves it, `minRevision` waited for, then the JSON the decision
 * index keeps per user, its revision in the REVISION_HEADER; the gateway sends the bytes on.
 */
@Injectable()
export class CallerAnswersResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscriptions: Subscription[] = [];
  private readonly log = new Logger('CallerAnswersResponder');

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly projection: DecisionIndexProjection,
    private readonly callers: DecisionCallers,
  ) {}

  onApplicationBootstrap(): void {
    const respond = (subject: string, json: CallerJson) =>
      respondDirectly(this.nats, subject, queueGroup('policy'), this.log, (message) => this.answer(message, json));
    this.subscriptions = [respond(P.myPermissions, myPermissionsJson), respond(M.userCache, userCacheJson)];
  }

  onApplicationShutdown(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  /** Synchronous unless the request waits for a revision or names a token this replica has not seen. */
  private answer(message: Msg, json: CallerJson): DirectAnswer | Promise<DirectAnswer> {
    if (!this.projection.caughtUp)
      throw new TesseraError('unavailable', 'the decision index is still replaying the log', undefined, undefined, 1);
    const { token, minRevision } = requestObject<{ token?: unknown; minRevision?: string | number }>(message);
    if (typeof token !== 'string') throw new TesseraError('no_token', 'this request needs the caller’s token');
    const reply = (principal: Principal | TokenRefusal): DirectAnswer => {
      if (isRefusal(principal)) throw new TesseraError(principal.error, TOKEN_REFUSAL_MESSAGES[principal.error]);
      const index = this.projection.index;
      return { json: json(index, subjectOf(principal)), revision: String(index.position) };
    };
    const resolveAndReply = () => {
      const principal = this.callers.resolve(token);
      return principal instanceof Promise ? principal.then(reply) : reply(principal);
    };
    if (minRevision !== undefined && !(this.projection.revision >= Number(minRevision))) {
      return this.projection.atLeast(minRevision).then(resolveAndReply);
    }
    return resolveAndReply();
  }
}

/** The `GET /api/v1/me/permissions` body: the user's kept answer, its closing brace replaced by the revision it reflects. */
function myPermissionsJson(index: DecisionIndex, subject: Subject): Uint8Array {
  const answer = index.servedJson(subject, 'me-permissions', (permissions) => ({
    json: JSON.stringify(permissions),
    validUntil: Infinity,
  }));
  const revision = `,"revision":"${index.position}"}`;
  const body = Buffer.allocUnsafe(answer.length - 1 + revision.length);
  answer.copy(body, 0, 0, answer.length - 1);
  body.write(revision, answer.length - 1, 'latin1');
  return body;
}
