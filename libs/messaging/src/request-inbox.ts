import { createInbox, type Msg, type MsgHdrs, type NatsConnection } from '@nats-io/transport-node';

interface Waiting {
  resolve(message: Msg): void;
  reject(error: Error): void;
  deadline: number;
}

/** How often requests past their deadline are failed: a timeout is late by at most this much. */
const SWEEP_EVERY_MS = 100;

/**
 * Request-reply over one inbox subscription per connection, as nats-core's own request does, without
 * its per-request costs: an Error with a captured stack made for every request (to reject a request
 * already answered, even with noAsyncTraces), a timer and its promise, and a race of the two. A
 * request waits in a map; a sweep fails those past their deadline; a lost connection fails them all.
 */
export class RequestInbox {
  private readonly prefix: string;
  private readonly waiting = new Map<string, Waiting>();
  private sequence = 0;

  constructor(
    private readonly nats: NatsConnection,
    inboxPrefix: string | undefined,
  ) {
    this.prefix = `${createInbox(inboxPrefix)}.`;
    nats.subscribe(`${this.prefix}*`, {
      callback: (error, message) => {
        if (error === null) this.answered(message);
      },
    });
    const sweeper = setInterval(() => this.sweep(), SWEEP_EVERY_MS).unref();
    void nats.closed().then(() => {
      clearInterval(sweeper);
      this.failAll(new Error('the connection is closed'));
    });
  }

  /** Publishes the request with this inbox as its reply subject; the reply, or `no responders` or `timeout`. */
  request(subject: string, payload: string, timeoutMs: number, headers?: MsgHdrs): Promise<Msg> {
    const token = (this.sequence++).toString(36);
    return new Promise<Msg>((resolve, reject) => {
      this.nats.publish(subject, payload, { reply: this.prefix + token, headers });
      this.waiting.set(token, { resolve, reject, deadline: performance.now() + timeoutMs });
    });
  }

  /** Fails every request waiting (their answers went with the connection). */
  failAll(error: Error): void {
    for (const waiting of this.waiting.values()) waiting.reject(error);
    this.waiting.clear();
  }

  private answered(message: Msg): void {
    const token = message.subject.slice(this.prefix.length);
    const waiting = this.waiting.get(token);
    if (waiting === undefined) return;
    this.waiting.delete(token);
    // The server's own answer when nobody subscribes to the subject: an empty message with status 503.
    if (message.data.length === 0 && message.headers?.code === 503) waiting.reject(new Error('no responders'));
    else waiting.resolve(message);
  }

  private sweep(): void {
    if (this.waiting.size === 0) return;
    const now = performance.now();
    for (const [token, waiting] of this.waiting) {
      if (waiting.deadline > now) continue;
      this.waiting.delete(token);
      waiting.reject(new Error('timeout'));
    }
  }
}

const inboxes = new WeakMap<NatsConnection, RequestInbox>();

/** Requests on this connection go through one RequestInbox (connectNats does it for every app connection). */
export function useRequestInbox(nats: NatsConnection, inboxPrefix: string | undefined): RequestInbox {
  const inbox = new RequestInbox(nats, inboxPrefix);
  inboxes.set(nats, inbox);
  return inbox;
}

/** The inbox of a connection made by connectNats; undefined for a test's bare client (nats-core's request then). */
export function requestInboxOf(nats: NatsConnection): RequestInbox | undefined {
  return inboxes.get(nats);
}
