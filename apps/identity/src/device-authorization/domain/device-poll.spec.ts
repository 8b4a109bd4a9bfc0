import { decidePoll, SLOW_DOWN_STEP_SECONDS, type PolledRequest } from './device-poll';

const now = Date.parse('2026-01-01T00:10:00Z');
const request = (fields: Partial<PolledRequest> = {}): PolledRequest => ({
  status: 'pending',
  expiresAt: now + 60_000,
  lastPolledAt: null,
  intervalSeconds: 5,
  ...fields,
});

describe('a device poll', () => {
  it('is pending at the first poll and at each one the interval apart', () => {
    expect(decidePoll(request(), now)).toEqual({ status: 'pending' });
    expect(decidePoll(request({ lastPolledAt: now - 5_000 }), now)).toEqual({ status: 'pending' });
  });

  it('slows a device that polls sooner than its interval, by one step more each time', () => {
    expect(decidePoll(request({ lastPolledAt: now - 4_999 }), now)).toEqual({ status: 'slow_down', interval: 5 + SLOW_DOWN_STEP_SECONDS });
    expect(decidePoll(request({ lastPolledAt: now - 9_000, intervalSeconds: 10 }), now)).toEqual({
      status: 'slow_down',
      interval: 10 + SLOW_DOWN_STEP_SECONDS,
    });
  });

  it('hands an approved login over, answers denied, and an expired login is expired whatever it was', () => {
    // An approved token is collected even by a quick poll: slow_down is for waiting devices.
    expect(decidePoll(request({ status: 'approved', lastPolledAt: now - 1_000 }), now)).toEqual({ status: 'approved' });
    expect(decidePoll(request({ status: 'denied' }), now)).toEqual({ status: 'denied' });
    for (const status of ['pending', 'approved', 'denied'] as const) {
      expect(decidePoll(request({ status, expiresAt: now }), now)).toEqual({ status: 'expired' });
    }
  });

  it('does not know a login whose token was collected', () => {
    expect(decidePoll(request({ status: 'collected' }), now)).toEqual({ status: 'unknown' });
    expect(decidePoll(request({ status: 'collected', expiresAt: now - 1 }), now)).toEqual({ status: 'unknown' });
  });
});
