import { PositionWaiters } from './position-waiters';

describe('PositionWaiters', () => {
  it('resolves waiters in position order as the position advances, each exactly once', async () => {
    const waiters = new PositionWaiters(100);
    const order: number[] = [];
    const waits = [5, 1, 9, 3, 7].map((position) =>
      waiters.wait(position, 10_000).then((reached) => order.push(reached ? position : -position)),
    );
    waiters.settleUpTo(4);
    await Promise.resolve();
    expect(order).toEqual([1, 3]);
    expect(waiters.size).toBe(3);
    waiters.settleUpTo(9);
    await Promise.all(waits);
    expect(order).toEqual([1, 3, 5, 7, 9]);
    expect(waiters.size).toBe(0);
  });

  it('times a waiter out with false, and a later advance does not resolve it again', async () => {
    const waiters = new PositionWaiters(100);
    const results: boolean[] = [];
    const timedOut = waiters.wait(10, 10).then((reached) => results.push(reached));
    const later = waiters.wait(20, 10_000).then((reached) => results.push(reached));
    await timedOut;
    expect(waiters.size).toBe(1);
    waiters.settleUpTo(20);
    await later;
    expect(results).toEqual([false, true]);
  });

  it('caps the waiters: past the cap a wait answers false at once', async () => {
    const waiters = new PositionWaiters(3);
    const held = [1, 2, 3].map((position) => waiters.wait(position, 10_000));
    const started = Date.now();
    expect(await waiters.wait(4, 10_000)).toBe(false);
    expect(Date.now() - started).toBeLessThan(100);
    waiters.settleUpTo(3);
    expect(await Promise.all(held)).toEqual([true, true, true]);
    // Room again once they are settled.
    const again = waiters.wait(5, 10_000);
    waiters.settleUpTo(5);
    expect(await again).toBe(true);
  });

  it('keeps no settled waiter around: 20,000 timed-out waiters leave an empty heap', async () => {
    const waiters = new PositionWaiters(50_000);
    await Promise.all(Array.from({ length: 20_000 }, (_, index) => waiters.wait(1_000_000 + index, 1)));
    expect(waiters.size).toBe(0);
    expect((waiters as unknown as { heap: unknown[] }).heap.length).toBeLessThanOrEqual(64);
  });
});
