import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Pool } from 'pg';
import { SUBJECTS, type Event, type TesseraEvent } from '@tessera/contracts';
import { metrics, recordSpan } from '@tessera/observability';
import type { EventPayload, RecordedEvent } from './event';
import { PositionWaiters } from './position-waiters';
import { readAll } from './read';

const eventsCaughtUp = metrics.catchUpReads.child();

/** At most this many requests of one process wait for a position at once; more are answered "not yet" at once. */
export const MAX_POSITION_WAITERS = 10_000;

/** Reads up to `limit` events after `after`, in position order (readAll, or readPayloads for less). */
export type LogReader<Delivered extends { position: number }> = (pool: Pool, after: number, limit: number) => Promise<Delivered[]>;

/**
 * Hands up to `limit` events after `after` to `apply`, in position order and in chunks, as they are
 * read (streamPayloads); resolves with how many were read, rejects with the first throw of `apply`.
 * A streamer that applies some events itself (the token index's columns) says how far it got with
 * `upTo`, beside the events it hands over (possibly none).
 */
export type LogStreamer<Delivered extends { position: number }> = (
  pool: Pool,
  after: number,
  limit: number,
  apply: (events: Delivered[], upTo?: number) => void,
) => Promise<number>;

/** `Delivered`: the events `handle` gets, RecordedEvents of the union `E` unless `read` or `stream` says otherwise. */
export interface LogSubscriptionOptions<E extends Event, Delivered extends EventPayload<E>> {
  /** Position already applied (from a snapshot, or 0). */
  from: number;
  /** Applies events strictly in position order; a throw stops the batch, which is retried on the next poll. */
  handle: (events: Delivered[]) => void | Promise<void>;
  /** Live notifications; without it the subscription only polls. */
  nats?: NatsConnection;
  pollIntervalMs?: number;
  batchSize?: number;
  /** How events are read; whole RecordedEvents by default. */
  read?: LogReader<Delivered>;
  /** Instead of `read`: events streamed to a `handle` that applies them synchronously. */
  stream?: LogStreamer<Delivered>;
  /** The first failure of a run of them (a database outage fails every poll until it ends). */
  onError?: (error: unknown) => void;
  /** The first success after a run of failures. */
  onRecovered?: () => void;
}

/**
 * Catch-up then live: reads the log from `from` to the head, then follows it. A NATS notification
 * only wakes the reader: the events themselves always come from PostgreSQL, in position order, so a
 * lost, duplicated, reordered or forged notification can neither skip nor inject an event, and the
 * poll of the log head bounds the delay when notifications stop.
 */
export class LogSubscription<E extends Event = TesseraEvent, Delivered extends EventPayload<E> = RecordedEvent<E>> {
  private applied: number;
  private draining: Promise<void> | undefined;
  private dirty = false;
  private readonly waiters = new PositionWaiters(MAX_POSITION_WAITERS);
  private natsSubscription: Subscription | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failing = false;
  private readonly read: LogReader<Delivered>;

  constructor(
    private readonly pool: Pool,
    private readonly options: LogSubscriptionOptions<E, Delivered>,
  ) {
    this.applied = options.from;
    const readRecorded: LogReader<RecordedEvent<E>> = (db, after, limit) => readAll<E>(db, { after, limit });
    // Without `read` (or `stream`), Delivered is its default, RecordedEvent<E>: what readRecorded reads.
    this.read = options.read ?? (readRecorded as LogReader<never>);
  }

  /** Position of the last event applied. */
  get position(): number {
    return this.applied;
  }

  /** Catches up with the head, then follows the live feed and the poll. */
  async start(): Promise<void> {
    await this.catchUp();
    if (this.options.nats) {
      this.natsSubscription = this.options.nats.subscribe(SUBJECTS.allEvents, {
        callback: (error, message) => {
          if (error) return;
          const position = Number((message.json() as { position?: unknown }).position);
          if (!(position > this.applied)) return;
          this.catchUp().catch((catchUpError) => this.reportError(catchUpError));
        },
      });
    }
    this.pollTimer = setInterval(() => {
      this.catchUp().catch((error) => this.reportError(error));
    }, this.options.pollIntervalMs ?? 250);
    this.pollTimer.unref();
  }

  /** Reads and applies everything committed so far; concurrent calls share one reader. */
  catchUp(): Promise<void> {
    this.dirty = true;
    this.draining ??= this.drain()
      .then(() => {
        if (!this.failing) return;
        this.failing = false;
        this.options.onRecovered?.();
      })
      .finally(() => {
        this.draining = undefined;
      });
    return this.draining;
  }

  private reportError(error: unknown): void {
    if (this.failing) return;
    this.failing = true;
    this.options.onError?.(error);
  }

  /** Resolves true once `position` is applied, false after `timeoutMs` (or at once when MAX_POSITION_WAITERS wait already). */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.applied >= position) return Promise.resolve(true);
    const reached = this.waiters.wait(position, timeoutMs);
    this.catchUp().catch((error) => this.reportError(error));
    return reached;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.natsSubscription?.unsubscribe();
    await this.draining?.catch(() => undefined);
    this.waiters.clear();
  }

  private async drain(): Promise<void> {
    if (this.options.stream) return this.drainStreamed(this.options.stream);
    const batchSize = this.options.batchSize ?? 5000;
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      for (;;) {
        const started = performance.now();
        const from = this.applied;
        const events = await this.read(this.pool, from, batchSize);
        if (events.length === 0 || this.stopped) break;
        eventsCaughtUp.inc(events.length);
        recordSpan('event-store catch-up read', started, { 'tessera.after': from, 'tessera.events': events.length });
        await this.options.handle(events);
        this.applied = events[events.length - 1].position;
        this.settleWaiters();
        if (events.length < batchSize) break;
      }
    }
  }

  /** As drain, with each chunk applied (and the position advanced) while the rest is still being read. */
  private async drainStreamed(stream: LogStreamer<Delivered>): Promise<void> {
    const batchSize = this.options.batchSize ?? 5000;
    const apply = (events: Delivered[], upTo?: number) => {
      if (this.stopped) return;
      if (events.length > 0) {
        const result = this.options.handle(events);
        if (result instanceof Promise) throw new Error('a streamed LogSubscription needs a synchronous handle');
      }
      const reached = upTo ?? events[events.length - 1]?.position ?? this.applied;
      if (reached <= this.applied) return;
      this.applied = reached;
      this.settleWaiters();
    };
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      for (;;) {
        const started = performance.now();
        const from = this.applied;
        const read = await stream(this.pool, from, batchSize, apply);
        if (read > 0) {
          eventsCaughtUp.inc(read);
          recordSpan('event-store catch-up read', started, { 'tessera.after': from, 'tessera.events': read });
        }
        if (read < batchSize || this.stopped) break;
      }
    }
  }

  private settleWaiters(): void {
    this.waiters.settleUpTo(this.applied);
  }
}
