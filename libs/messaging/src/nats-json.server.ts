import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import type { Span } from '@opentelemetry/api';
import { TesseraError } from '@tessera/contracts';
import { endSpan, handledCells, secondsSince, startIncomingSpan, tracingOn, withContext, type HandledCells } from '@tessera/observability';
import { NatsJsonContext } from './nats-json.context';

/**
 * A Nest transport speaking plain JSON over NATS, so any client in any language can call a
 * subject: the request body is the handler's payload, the reply is the handler's result or
 * `{"error":{"code","message"}}`. No Nest envelope in either direction. Every replica subscribes
 * in its app's queue group, so NATS hands each request to one replica.
 */
export interface NatsJsonServerOptions {
  /** Maps an error that is not a TesseraError to one (a lost database connection to 503), or leaves it to be a 500. */
  translateError?: (error: unknown) => TesseraError | undefined;
}

/** How long closing waits for the subscriptions to drain and the handlers in flight to answer. */
const CLOSE_WAIT_MS = 5_000;

export class NatsJsonServer extends Server implements CustomTransportStrategy {
  private readonly subscriptions: Subscription[] = [];
  private readonly log = new Logger('NatsJsonServer');
  private inFlight = 0;
  private idle: (() => void) | undefined;

  constructor(
    private readonly nats: NatsConnection,
    private readonly queue: string,
    private readonly options: NatsJsonServerOptions = {},
  ) {
    super();
  }

  listen(callback: () => void): void {
    for (const [subject, handler] of this.messageHandlers) {
      const cells = handledCells(subject);
      this.subscriptions.push(
        this.nats.subscribe(subject, {
          queue: handler.isEventHandler ? undefined : this.queue,
          callback: (error, message) => {
            if (!error) void this.handle(message, handler, cells);
          },
        }),
      );
    }
    callback();
  }

  /** Takes no new request (the queue group hands them to other replicas) and waits for those in flight to answer. */
  async close(): Promise<void> {
    const subscriptions = this.subscriptions.splice(0);
    const drained = Promise.all(subscriptions.map((subscription) => subscription.drain().catch(() => subscription.unsubscribe())));
    const answered = new Promise<void>((resolve) => {
      if (this.inFlight === 0) resolve();
      else this.idle = resolve;
    });
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_WAIT_MS)));
    await Promise.race([Promise.all([drained, answered]), deadline]);
    clearTimeout(timer);
  }

  on(): void {
    throw new Error('NatsJsonServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.nats as T;
  }

  /** Answers inside a span that continues the caller's trace, when tracing. */
  private handle(message: Msg, handler: MessageHandler, cells: HandledCells): Promise<void> {
    if (!tracingOn()) return this.answer(message, handler, cells);
    const traced = startIncomingSpan(message.subject, message.headers, { 'messaging.destination.name': message.subject });
    return withContext(traced.context, () => this.answer(message, handler, cells, traced.span));
  }

  private async answer(message: Msg, handler: MessageHandler, cells: HandledCells, span?: Span): Promise<void> {
    this.inFlight += 1;
    const started = performance.now();
    let reply: unknown;
    let failure: unknown;
    try {
      const body = parseBody(message);
      const result = await handler(body, new NatsJsonContext([message]));
      reply = isObservable(result) ? await lastValueFrom(result, { defaultValue: null }) : result;
      cells.ok.inc();
    } catch (error) {
      failure = error;
      cells.error.inc();
      reply = this.toErrorReply(error, message.subject);
    }
    cells.duration.observe(secondsSince(started));
    if (span) endSpan(span, failure);
    try {
      if (message.reply && !handler.isEventHandler) message.respond(JSON.stringify(reply ?? null));
    } catch (error) {
      // A connection closed meanwhile: the caller gets its 503 from its own timeout.
      this.log.warn(`${message.subject}: the answer could not be sent: ${(error as Error).message}`);
    }
    this.inFlight -= 1;
    if (this.inFlight === 0) this.idle?.();
  }

  private toErrorReply(error: unknown, subject: string): unknown {
    if (error instanceof TesseraError) return error.toReply();
    const translated = this.options.translateError?.(error);
    if (translated) return translated.toReply();
    this.log.error(`${subject} failed: ${(error as Error)?.stack ?? String(error)}`);
    return new TesseraError('internal_error', 'internal error').toReply();
  }
}

function parseBody(message: Msg): unknown {
  if (message.data.length === 0) return {};
  try {
    return message.json();
  } catch {
    throw new TesseraError('bad_request', 'the request body is not JSON');
  }
}
