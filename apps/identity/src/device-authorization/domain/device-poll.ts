import type { DeviceLoginView, DevicePoll } from '@tessera/contracts';

/** RFC 8628: the device waits this much longer after each `slow_down`. */
export const SLOW_DOWN_STEP_SECONDS = 5;

/** A pending device login as one poll finds it (the table's row: polls are not events). */
export interface PolledRequest {
  status: DeviceLoginView['status'];
  /** ms since epoch. */
  expiresAt: number;
  /** ms since epoch; null before the first poll. */
  lastPolledAt: number | null;
  intervalSeconds: number;
}

/**
 * What one poll answers (RFC 8628 section 3.5), and so what it changes: `approved` hands the token
 * over once (the request is then collected), `slow_down` grows the interval, `pending` notes the poll.
 */
export type PollOutcome = Exclude<DevicePoll, { status: 'approved' }> | { status: 'approved' };

export function decidePoll(request: PolledRequest, now: number): PollOutcome {
  if (request.status === 'collected') return { status: 'unknown' };
  if (request.expiresAt <= now) return { status: 'expired' };
  if (request.status === 'denied') return { status: 'denied' };
  if (request.status === 'approved') return { status: 'approved' };
  // Polling faster than the interval (while pending) is `slow_down`, and the interval grows.
  if (request.lastPolledAt !== null && now - request.lastPolledAt < request.intervalSeconds * 1000) {
    return { status: 'slow_down', interval: request.intervalSeconds + SLOW_DOWN_STEP_SECONDS };
  }
  return { status: 'pending' };
}
