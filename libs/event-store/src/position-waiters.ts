/** Requests waiting for a log position, settled in position order as the reader advances. */
interface Waiter {
  position: number;
  resolve: (reached: boolean) => void;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
}

/**
 * A min-heap of waiters by position with a cap: settling the reached ones costs O(log n) each, and
 * a timeout marks its waiter settled in O(1) instead of filtering an array (quadratic under a
 * flood). Settled waiters still in the heap are dropped when they surface, or in one pass once
 * they outnumber the live ones.
 */
export class PositionWaiters {
  private heap: Waiter[] = [];
  private live = 0;

  constructor(private readonly max: number) {}

  get size(): number {
    return this.live;
  }

  /** Resolves true once `settleUpTo` reaches `position`, false after `timeoutMs` or at once when `max` wait already. */
  wait(position: number, timeoutMs: number): Promise<boolean> {
    if (this.live >= this.max) return Promise.resolve(false);
    return new Promise((resolve) => {
      const waiter: Waiter = { position, resolve, timer: undefined, settled: false };
      waiter.timer = setTimeout(() => this.settle(waiter, false), timeoutMs);
      this.push(waiter);
      this.live += 1;
    });
  }

  /** Resolves every waiter at or below `position`. */
  settleUpTo(position: number): void {
    while (this.heap.length > 0 && (this.heap[0].settled || this.heap[0].position <= position)) {
      const waiter = this.pop()!;
      if (!waiter.settled) this.settle(waiter, true);
    }
  }

  /** Resolves every waiter false (the reader stops). */
  clear(): void {
    for (const waiter of this.heap) if (!waiter.settled) this.settle(waiter, false);
    this.heap = [];
  }

  private settle(waiter: Waiter, reached: boolean): void {
    if (waiter.settled) return;
    waiter.settled = true;
    clearTimeout(waiter.timer);
    this.live -= 1;
    waiter.resolve(reached);
    if (this.heap.length > 64 && this.heap.length > 2 * this.live) this.compact();
  }

  private compact(): void {
    const kept = this.heap.filter((waiter) => !waiter.settled);
    this.heap = [];
    for (const waiter of kept) this.push(waiter);
  }

  private push(waiter: Waiter): void {
    const heap = this.heap;
    heap.push(waiter);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (heap[parent].position <= heap[index].position) break;
      [heap[parent], heap[index]] = [heap[index], heap[parent]];
      index = parent;
    }
  }

  private pop(): Waiter | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && heap[left].position < heap[smallest].position) smallest = left;
        if (right < heap.length && heap[right].position < heap[smallest].position) smallest = right;
        if (smallest === index) break;
        [heap[smallest], heap[index]] = [heap[index], heap[smallest]];
        index = smallest;
      }
    }
    return top;
  }
}
