import { connect, createInbox, type NatsConnection } from '@nats-io/transport-node';
import { watchNatsLink } from './nats-link';
import { useRequestInbox } from './request-inbox';

/**
 * Connects to the NATS servers and keeps reconnecting for as long as the process lives, so a
 * restarted NATS server (or a failover in a cluster) only pauses the app. While it is down,
 * requests fail at once with 503 (NatsLink). Replies come to the app's own inbox prefix
 * (`_INBOX.<inbox>`), the only inbox its NATS user may read (deploy/nats/tessera-permissions.conf).
 */
export async function connectNats(servers: string[], name: string, inbox?: string): Promise<NatsConnection> {
  const nats = await connect({
    ...natsServersAndCredentials(servers),
    name,
    ...(inbox ? { inboxPrefix: `_INBOX.${inbox}` } : {}),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
    // Async stack traces cost every request two Errors, stacks captured, before it is even sent;
    // requestJson turns every failure into a TesseraError of its own anyway.
    noAsyncTraces: true,
  });
  watchNatsLink(nats);
  useRequestInbox(nats, inbox ? `_INBOX.${inbox}` : undefined);
  return nats;
}

/** A fresh subject under the connection's own inbox prefix, for a subscription that gathers several replies. */
export function inboxOf(nats: NatsConnection): string {
  return createInbox((nats as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
}

export interface NatsServersAndCredentials {
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
}

/**
 * `nats://user:password@host:4222` (or `nats://token@host:4222`) in NATS_URL: the client takes
 * credentials as options, not in server URLs, so they are moved out of the URLs.
 */
export function natsServersAndCredentials(urls: string[]): NatsServersAndCredentials {
  const result: NatsServersAndCredentials = { servers: [] };
  for (const raw of urls) {
    const url = new URL(raw);
    if (!url.username) {
      result.servers.push(raw);
      continue;
    }
    const user = decodeURIComponent(url.username);
    if (url.password) Object.assign(result, { user, pass: decodeURIComponent(url.password) });
    else result.token = user;
    result.servers.push(`${url.protocol}//${url.host}`);
  }
  return result;
}
