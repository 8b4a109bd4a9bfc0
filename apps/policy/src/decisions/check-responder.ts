import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Span } from '@opentelemetry/api';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { queueGroup, SUBJECTS, TesseraError, type CheckReply, type CheckRequest } from '@tessera/contracts';
import { endSpan, handledCells, secondsSince, startIncomingSpan, tracingOn, withContext } from '@tessera/observability';
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
  private readonly cells = handledCells(SUBJECTS.policyCheck);

  constructor(
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly projection: DecisionIndexProjection,
    private readonly decider: Decider,
  ) {}

  onApplicationBootstrap(): void {
    this.subscription = this.nats.subscribe(SUBJECTS.policyCheck, {
      queue: queueGroup('policy'),
      callback: (error, message) => {
        if (error) return;
        if (!tracingOn()) return this.handle(message, performance.now());
        const traced = startIncomingSpan(message.subject, message.headers, { 'messaging.destination.name': message.subject });
        withContext(traced.context, () => this.handle(message, performance.now(), traced.span));
      },
    });
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  /** Answers synchronously unless the request waits for a revision or names a token this replica has not seen. */
  private handle(message: Msg, started: number, span?: Span): void {
    try {
      if (!this.projection.caughtUp)
        throw new TesseraError('unavailable', 'the decision index is still replaying the log', undefined, undefined, 1);
      const request = parse(message);
      const authorization = message.headers?.get('Authorization') || undefined;
      if (request.minRevision !== undefined && !(this.projection.revision >= Number(request.minRevision))) {
        const later = this.projection.atLeast(request.minRevision).then(() => this.decider.decide(request, authorization));
        later.then(
          (decision) => this.answer(message, decision, started, span),
          (error) => this.fail(message, error, started, span),
        );
        return;
      }
      const decision = this.decider.decide(request, authorization);
      if (decision instanceof Promise) {
        decision.then(
          (known) => this.answer(message, known, started, span),
          (error) => this.fail(message, error, started, span),
        );
      } else this.answer(message, decision, started, span);
    } catch (error) {
      this.fail(message, error, started, span);
    }
  }

  private answer(message: Msg, decision: Decision, started: number, span: Span | undefined): void {
    const reply: CheckReply = { ...decision, revision: String(this.projection.revision) };
    if (message.reply) message.respond(JSON.stringify(reply));
    this.cells.ok.inc();
    this.cells.duration.observe(secondsSince(started));
    if (span) endSpan(span);
  }

  private fail(message: Msg, error: unknown, started: number, span: Span | undefined): void {
    this.cells.error.inc();
    this.cells.duration.observe(secondsSince(started));
    if (span) endSpan(span, error);
    let reply: unknown;
    if (error instanceof TesseraError) reply = error.toReply();
    else {
      this.log.error(`check failed: ${(error as Error)?.stack ?? String(error)}`);
      reply = new TesseraError('internal_error', 'internal error').toReply();
    }
    if (message.reply) message.respond(JSON.stringify(reply));
  }
}

function parse(message: Msg): CheckRequest {
  if (message.data.length === 0) return {};
  let body: unknown;
  try {
    body = message.json();
  } catch {
    throw new TesseraError('bad_request', 'the request body is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new TesseraError('bad_request', 'the request body must be a JSON object');
  return body as CheckRequest;
}
