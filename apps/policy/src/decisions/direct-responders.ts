import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import {
  MIDDLE_AUTH_SUBJECTS as M,
  POLICY_ADMIN_SUBJECTS as P,
  queueGroup,
  SERVED_HEADER,
  SUBJECTS,
  TesseraError,
  type CheckReply,
  type CheckRequest,
  type Principal,
} from '@tessera/contracts';
import { requestObject, respondDirectly, type DirectAnswer } from '@tessera/messaging';
import { NATS_CONNECTION } from '@tessera/platform';
import { isRefusal, type TokenRefusal } from '@tessera/token-index';
import { DecisionCallers } from '../callers/decision-callers';
import { TOKEN_REFUSAL_MESSAGES } from '../callers/forwarded-caller.pipe';
import { subjectOf } from '../callers/policy-access';
import { userCacheJson } from '../middle-auth/user-cache';
import { Decider, type TimedDecision } from './decider';
import type { Decision, DecisionIndex, ServedBody, Subject } from './decision-index';
import { DecisionIndexProjection } from './decision-index.projection';

/** An answer for the caller as JSON bytes, from the index as it stands, and until when it holds without an event. */
type CallerJson = (index: DecisionIndex, subject: Subject) => ServedBody;

/**
 * The hottest subjects, straight on their NATS subscriptions without Nest's RPC pipeline: any
 * service's `policy.check` (a JSON parse, a token hash, a few map look-ups), and the caller's own
 * answers the gateway asks on nearly every request of a client (`GET /api/v1/me/permissions`,
 * middle_auth's `GET /user/cache`): the JSON the decision index keeps per user, its revision in the
 * REVISION_HEADER and until when it holds without an event in the VALID_UNTIL_HEADER, which the
 * gateway sends on as it came (and keeps: CallerAnswers). Each answers synchronously unless it waits
 * for `minRevision` or names a token this replica has not seen yet.
 */
@Injectable()
export class DirectResponders implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscriptions: Subscription[] = [];
  private readonly log = new Logger('DirectResponders');

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly projection: DecisionIndexProjection,
    private readonly decider: Decider,
    private readonly callers: DecisionCallers,
  ) {}

  onApplicationBootstrap(): void {
    const respond = (subject: string, answer: (message: Msg) => DirectAnswer | Promise<DirectAnswer>) =>
      respondDirectly(this.nats, subject, queueGroup('policy'), this.log, (message) => {
        if (!this.projection.caughtUp)
          throw new TesseraError('unavailable', 'the decision index is still replaying the log', undefined, undefined, 1);
        return answer(message);
      });
    this.subscriptions = [
      respond(SUBJECTS.policyCheck, (message) => this.check(message)),
      respond(P.myPermissions, (message) => this.callerAnswer(message, myPermissionsJson)),
      respond(M.userCache, (message) => this.callerAnswer(message, userCacheJson)),
    ];
  }

  onApplicationShutdown(): void {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
  }

  private check(message: Msg): DirectAnswer | Promise<DirectAnswer> {
    const request = requestObject<CheckRequest>(message);
    const authorization = message.headers?.get('Authorization') || undefined;
    const json = (decision: Decision, revision: string) => JSON.stringify({ ...decision, revision } satisfies CheckReply);
    const reply = (decision: Decision): DirectAnswer => ({ json: json(decision, String(this.projection.revision)) });
    // Asked for (the gateway, which keeps it): the revision and, when allowed, until when it holds, in headers.
    const served = ({ decision, validUntil }: TimedDecision): DirectAnswer => {
      const revision = String(this.projection.revision);
      return { json: json(decision, revision), revision, validUntil };
    };
    const decideAndReply = (): DirectAnswer | Promise<DirectAnswer> => {
      if (message.headers?.has(SERVED_HEADER)) {
        const timed = this.decider.decideTimed(request, authorization);
        return timed instanceof Promise ? timed.then(served) : served(timed);
      }
      const decision = this.decider.decide(request, authorization);
      return decision instanceof Promise ? decision.then(reply) : reply(decision);
    };
    return this.afterRevision(request.minRevision, decideAndReply);
  }

  /** The caller's token resolved as ForwardedCallerPipe resolves it, then its answer. */
  private callerAnswer(message: Msg, json: CallerJson): DirectAnswer | Promise<DirectAnswer> {
    const { token, minRevision } = requestObject<{ token?: unknown; minRevision?: string | number }>(message);
    if (typeof token !== 'string') throw new TesseraError('no_token', 'this request needs the caller’s token');
    const reply = (principal: Principal | TokenRefusal): DirectAnswer => {
      if (isRefusal(principal)) throw new TesseraError(principal.error, TOKEN_REFUSAL_MESSAGES[principal.error]);
      const index = this.projection.index;
      const { json: body, validUntil } = json(index, subjectOf(principal));
      return { json: body, revision: String(index.position), validUntil };
    };
    const resolveAndReply = () => {
      const principal = this.callers.resolve(token);
      return principal instanceof Promise ? principal.then(reply) : reply(principal);
    };
    return this.afterRevision(minRevision, resolveAndReply);
  }

  /** `answer` now, or once the index reflects `minRevision` (503 `stale` after the bounded wait). */
  private afterRevision<T>(minRevision: string | number | undefined, answer: () => T | Promise<T>): T | Promise<T> {
    if (minRevision === undefined || this.projection.revision >= Number(minRevision)) return answer();
    return this.projection.atLeast(minRevision).then(answer);
  }
}

/** The `GET /api/v1/me/permissions` body: the user's kept answer, its closing brace replaced by the revision it reflects. */
function myPermissionsJson(index: DecisionIndex, subject: Subject): ServedBody {
  const { json: answer, validUntil } = index.servedJson(subject, 'me-permissions', (permissions) => ({
    json: JSON.stringify(permissions),
    validUntil: Infinity,
  }));
  const revision = `,"revision":"${index.position}"}`;
  const body = Buffer.allocUnsafe(answer.length - 1 + revision.length);
  answer.copy(body, 0, 0, answer.length - 1);
  body.write(revision, answer.length - 1, 'latin1');
  return { json: body, validUntil };
}
