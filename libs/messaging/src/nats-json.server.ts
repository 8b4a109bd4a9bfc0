import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { TesseraError } from '@tessera/contracts';
import { NatsJsonContext } from './nats-json.context';

/**
 * A Nest transport speaking plain JSON over NATS, so any client in any language can call a
 * subject: the request body is the handler's payload, the reply is the handler's result or
 * `{"error":{"code","message"}}`. No Nest envelope in either direction. Every replica subscribes
 * in its app's queue group, so NATS hands each request to one replica.
 */
export class NatsJsonServer extends Server implements CustomTransportStrategy {
  private readonly subscriptions: Subscription[] = [];
  private readonly log = new Logger('NatsJsonServer');

  constructor(
    private readonly nats: NatsConnection,
    private readonly queue: string,
  ) {
    super();
  }

  listen(callback: () => void): void {
    for (const [subject, handler] of this.messageHandlers) {
      this.subscriptions.push(
        this.nats.subscribe(subject, {
          queue: handler.isEventHandler ? undefined : this.queue,
          callback: (error, message) => {
            if (!error) void this.handle(message, handler);
          },
        }),
      );
    }
    callback();
  }

  async close(): Promise<void> {
    for (const subscription of this.subscriptions) subscription.unsubscribe();
    this.subscriptions.length = 0;
  }

  on(): void {
    throw new Error('NatsJsonServer has no events to listen to');
  }

  unwrap<T>(): T {
    return this.nats as T;
  }

  private async handle(message: Msg, handler: MessageHandler): Promise<void> {
    let reply: unknown;
    try {
      const body = parseBody(message);
      const result = await handler(body, new NatsJsonContext([message]));
      reply = isObservable(result) ? await lastValueFrom(result, { defaultValue: null }) : result;
    } catch (error) {
      reply = this.toErrorReply(error, message.subject);
    }
    if (message.reply && !handler.isEventHandler) message.respond(JSON.stringify(reply ?? null));
  }

  private toErrorReply(error: unknown, subject: string): unknown {
    if (error instanceof TesseraError) return error.toReply();
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
