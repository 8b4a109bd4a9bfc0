import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { MIDDLE_AUTH_SUBJECTS as M, POLICY_ADMIN_SUBJECTS as P, queueGroup, TesseraError, type Principal } from '@tessera/contracts';
import { requestObject, respondDirectly, type DirectAnswer } from '@tessera/messaging';
import { NATS_CONNECTION } from '@tessera/platform';
import { isRefusal, type TokenRefusal } from '@tessera/token-index';
import type { DecisionIndex, Subject } from '../decisions/decision-index';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';
import { userCacheText } from '../middle-auth/user-cache';
import { DecisionCallers } from './decision-callers';
import { TOKEN_REFUSAL_MESSAGES } from './forwarded-caller.pipe';
import { subjectOf } from './policy-access';

/** The text of an answer for the caller, from the index as it stands. */
type CallerText = (index: DecisionIndex, subject: Subject) => string;

/**
 * The caller's own answers, asked on nearly every request of a client (`GET /api/v1/me/permissions`,
 * middle_auth's `GET /user/cache`), straight on NATS without Nest's RPC pipeline: the token resolved
 * as ForwardedCallerPipe resolves it, `minRevision` waited for, then the JSON text the decision
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
    const respond = (subject: string, text: CallerText) =>
      respondDirectly(this.nats, subject, queueGroup('policy'), this.log, (message) => this.answer(message, text));
    this.subscriptions = [respond(P.myPermissions, myPermissionsText), respond(M.userCache, userCacheText)];
  }

  onApplicationShutdown(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  /** Synchronous unless the request waits for a revision or names a token this replica has not seen. */
  private answer(message: Msg, text: CallerText): DirectAnswer | Promise<DirectAnswer> {
    if (!this.projection.caughtUp)
      throw new TesseraError('unavailable', 'the decision index is still replaying the log', undefined, undefined, 1);
    const { token, minRevision } = requestObject<{ token?: unknown; minRevision?: string | number }>(message);
    if (typeof token !== 'string') throw new TesseraError('no_token', 'this request needs the caller’s token');
    const reply = (principal: Principal | TokenRefusal): DirectAnswer => {
      if (isRefusal(principal)) throw new TesseraError(principal.error, TOKEN_REFUSAL_MESSAGES[principal.error]);
      const index = this.projection.index;
      return { json: text(index, subjectOf(principal)), revision: String(index.position) };
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

/** The `GET /api/v1/me/permissions` body: the user's kept answer as text, and the revision it reflects. */
function myPermissionsText(index: DecisionIndex, subject: Subject): string {
  const answer = index.servedText(subject, 'me-permissions', (permissions) => ({
    text: JSON.stringify(permissions),
    validUntil: Infinity,
  }));
  return `${answer.slice(0, -1)},"revision":"${index.position}"}`;
}
