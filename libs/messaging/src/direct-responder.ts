import { headers as natsHeaders, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import type { Span } from '@opentelemetry/api';
import type { Logger } from '@nestjs/common';
import { REVISION_HEADER, TesseraError, VALID_UNTIL_HEADER } from '@tessera/contracts';
import { endSpan, handledCells, secondsSince, startIncomingSpan, tracingOn, withContext } from '@tessera/observability';

/**
 * A direct responder's answer: JSON (text or UTF-8), and with `revision` the REVISION_HEADER (an
 * HTTP body as it stands), with `validUntil` also the VALID_UNTIL_HEADER.
 */
export interface DirectAnswer {
  json: string | Uint8Array;
  revision?: string;
  validUntil?: number;
}

/**
 * Answers one subject straight on its NATS subscription, without Nest's RPC pipeline (a promise
 * chain, pipes and a context object per message): for the hottest subjects, where the pipeline
 * costs more than the answer. Errors, metrics and traces as NatsJsonServer has them.
 */
export function respondDirectly(
  nats: NatsConnection,
  subject: string,
  queue: string,
  log: Logger,
  answer: (message: Msg) => DirectAnswer | Promise<DirectAnswer>,
): Subscription {
  const cells = handledCells(subject);
  const handle = (message: Msg, started: number, span?: Span): void => {
    const done = (reply: DirectAnswer | undefined, error?: unknown) => {
      (error === undefined ? cells.ok : cells.error).inc();
      cells.duration.observe(secondsSince(started));
      if (span) endSpan(span, error);
      if (!message.reply) return;
      try {
        if (reply === undefined) message.respond(errorReply(subject, error, log));
        else if (reply.revision === undefined) message.respond(reply.json);
        else {
          const headers = natsHeaders();
          headers.set(REVISION_HEADER, reply.revision);
          if (reply.validUntil !== undefined) headers.set(VALID_UNTIL_HEADER, String(reply.validUntil));
          message.respond(reply.json, { headers });
        }
      } catch (failure) {
        // A connection closed meanwhile: the caller gets its 503 from its own timeout.
        log.warn(`${subject}: the answer could not be sent: ${(failure as Error).message}`);
      }
    };
    try {
      const reply = answer(message);
      if (reply instanceof Promise) reply.then(done, (error: unknown) => done(undefined, error));
      else done(reply);
    } catch (error) {
      done(undefined, error);
    }
  };
  return nats.subscribe(subject, {
    queue,
    callback: (error, message) => {
      if (error) return;
      if (!tracingOn()) return handle(message, performance.now());
      const traced = startIncomingSpan(message.subject, message.headers, { 'messaging.destination.name': message.subject });
      withContext(traced.context, () => handle(message, performance.now(), traced.span));
    },
  });
}

/** The request body as an object (`{}` when empty), or 400 `bad_request`. */
export function requestObject<T extends object>(message: Msg): T {
  if (message.data.length === 0) return {} as T;
  let body: unknown;
  try {
    body = message.json();
  } catch {
    throw new TesseraError('bad_request', 'the request body is not JSON');
  }
  if (!body || typeof body !== 'object' || Array.isArray(body))
    throw new TesseraError('bad_request', 'the request body must be a JSON object');
  return body as T;
}

function errorReply(subject: string, error: unknown, log: Logger): string {
  if (error instanceof TesseraError) return JSON.stringify(error.toReply());
  log.error(`${subject} failed: ${(error as Error)?.stack ?? String(error)}`);
  return JSON.stringify(new TesseraError('internal_error', 'internal error').toReply());
}
