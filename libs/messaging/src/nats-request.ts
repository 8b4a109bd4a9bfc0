import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { TesseraError, type WireError } from '@tessera/contracts';

export interface NatsRequestOptions {
  timeoutMs?: number;
  /** Sent as the NATS header `Authorization`. */
  authorization?: string;
}

/** The default bound on every request between apps. */
export const REQUEST_TIMEOUT_MS = 5_000;

/**
 * Sends a plain-JSON request and returns the JSON answer; an `{"error":…}` reply is rethrown as the
 * TesseraError the owning app raised, and no responder or a timeout becomes 503 `unavailable`.
 */
export async function requestJson<T>(nats: NatsConnection, subject: string, body: unknown, options: NatsRequestOptions = {}): Promise<T> {
  let headers;
  if (options.authorization) {
    headers = natsHeaders();
    headers.set('Authorization', options.authorization);
  }
  let reply: unknown;
  try {
    const message = await nats.request(subject, JSON.stringify(body ?? {}), { timeout: options.timeoutMs ?? REQUEST_TIMEOUT_MS, headers });
    reply = message.json();
  } catch (error) {
    throw new TesseraError('unavailable', `${subject} did not answer: ${(error as Error).message}`, undefined, undefined, 1);
  }
  const error = reply && typeof reply === 'object' ? (reply as { error?: unknown }).error : undefined;
  if (error && typeof error === 'object') {
    throw TesseraError.fromWire(error as WireError);
  }
  return reply as T;
}
