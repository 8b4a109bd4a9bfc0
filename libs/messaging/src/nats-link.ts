import type { NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { metrics } from '@tessera/observability';
import { requestInboxOf } from './request-inbox';

/**
 * Whether a NATS connection is up, from its status events: a request made while it is down fails
 * at once, and the requests in flight when it drops fail then (their answers went with the server),
 * instead of each waiting out its timeout. Disconnects and reconnects are logged once per change.
 */
export class NatsLink {
  private up = true;
  private readonly inFlight = new Set<(error: Error) => void>();

  constructor(
    private readonly nats: NatsConnection,
    private readonly log = new Logger('NATS'),
  ) {}

  get connected(): boolean {
    return this.up && !this.nats.isClosed();
  }

  /** Follows the connection's status until it closes. */
  async watch(): Promise<void> {
    for await (const status of this.nats.status()) {
      if (status.type === 'disconnect' && this.up) {
        this.up = false;
        metrics.natsDisconnects.child().inc();
        this.log.warn(`disconnected from ${status.server}; reconnecting`);
        const lost = new Error(`the connection to NATS (${status.server}) was lost`);
        for (const abort of this.inFlight) abort(lost);
        this.inFlight.clear();
        requestInboxOf(this.nats)?.failAll(lost);
      } else if (status.type === 'reconnect' && !this.up) {
        this.up = true;
        metrics.natsReconnects.child().inc();
        this.log.log(`reconnected to ${status.server}`);
      }
    }
  }

  /** The request's answer, or a rejection as soon as the connection drops. */
  guard<T>(request: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.inFlight.add(reject);
      request.then(resolve, reject).finally(() => this.inFlight.delete(reject));
    });
  }
}

const links = new WeakMap<NatsConnection, NatsLink>();

/** Starts following a connection's status (connectNats does it for every app connection). */
export function watchNatsLink(nats: NatsConnection, log?: Logger): NatsLink {
  const link = new NatsLink(nats, log);
  links.set(nats, link);
  void link.watch();
  return link;
}

/** The link of a watched connection; undefined for one nobody watches (a test's bare client). */
export function natsLinkOf(nats: NatsConnection): NatsLink | undefined {
  return links.get(nats);
}
