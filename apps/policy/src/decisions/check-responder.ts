import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { queueGroup, SUBJECTS, TesseraError, type CheckReply, type CheckRequest } from '@tessera/contracts';
import { requestObject, respondDirectly, type DirectAnswer } from '@tessera/messaging';
import { NATS_CONNECTION } from '@tessera/platform';
import { Decider } from './decider';
import type { Decision } from './decision-index';
import { DecisionIndexProjection } from './decision-index.projection';

/**
 * `tessera.v1.policy.check` straight on the NATS subscription, without Nest's RPC pipeline: the
 * hottest subject is a JSON parse, a token hash, a few map look-ups and a reply.
 */
@Injectable()
export class CheckResponder implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: Subscription | undefined;
  private readonly log = new Logger('CheckResponder');

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly projection: DecisionIndexProjection,
    private readonly decider: Decider,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = respondDirectly(this.nats, SUBJECTS.policyCheck, queueGroup('policy'), this.log, (message) => this.answer(message));
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  /** Answers synchronously unless the request waits for a revision or names a token this replica has not seen. */
  private answer(message: Msg): DirectAnswer | Promise<DirectAnswer> {
    if (!this.projection.caughtUp)
      throw new TesseraError('unavailable', 'the decision index is still replaying the log', undefined, undefined, 1);
    const request = requestObject<CheckRequest>(message);
    const authorization = message.headers?.get('Authorization') || undefined;
    if (request.minRevision !== undefined && !(this.projection.revision >= Number(request.minRevision))) {
      return this.projection
        .atLeast(request.minRevision)
        .then(() => this.decider.decide(request, authorization))
        .then((decision) => this.reply(decision));
    }
    const decision = this.decider.decide(request, authorization);
    return decision instanceof Promise ? decision.then((known) => this.reply(known)) : this.reply(decision);
  }

  private reply(decision: Decision): DirectAnswer {
    const reply: CheckReply = { ...decision, revision: String(this.projection.revision) };
    return { json: JSON.stringify(reply) };
  }
}
