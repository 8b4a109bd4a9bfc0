import { connect, type NatsConnection } from '@nats-io/transport-node';

/**
 * Connects to the NATS servers and keeps reconnecting for as long as the process lives, so a
 * restarted NATS server (or a failover in a cluster) only pauses the app.
 */
export async function connectNats(servers: string[], name: string): Promise<NatsConnection> {
  return connect({
    servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    pingInterval: 10_000,
  });
}
