import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { TesseraError } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { LogSubscription, loadLatestSnapshot, readHeadPosition, saveSnapshot } from '@tessera/event-store';
import { NATS_CONNECTION, PG_POOL, Readiness } from '@tessera/platform';
import { DecisionIndex } from './decision-index';

const SNAPSHOT_NAME = 'policy-decision-index';
/** A snapshot after this many new events keeps a cold start a short replay. */
const SNAPSHOT_EVERY_EVENTS = 50_000;
/** The longest a request waits for `minRevision` (CONTRACT section 2) before answering `stale`. */
export const MIN_REVISION_WAIT_MS = 2_000;

/**
 * Holds the DecisionIndex as a projection of the log: latest snapshot, replay, then the live feed.
 * The app reports not ready until the replay has reached the head of the log.
 */
@Injectable()
export class DecisionIndexProjection implements OnApplicationBootstrap, OnApplicationShutdown {
  index: DecisionIndex;
  private subscription: LogSubscription;
  private snapshotPosition = 0;
  private snapshotting = false;
  /** False until the replay reached the head of the log: decisions wait for it. */
  caughtUp = false;
  private readonly log = new Logger('DecisionIndex');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly config: TesseraConfig,
    private readonly readiness: Readiness,
  ) {
    this.index = new DecisionIndex(config.publicUrl);
    readiness.waitFor('decision-index', 'replaying the event log');
    readiness.reportRevision(() => this.index.position);
  }

  get revision(): number {
    return this.index.position;
  }

  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    const snapshot = await loadLatestSnapshot(this.pool, SNAPSHOT_NAME).catch(() => undefined);
    if (snapshot) {
      try {
        this.index = DecisionIndex.fromSnapshot(snapshot.data, this.config.publicUrl);
        this.snapshotPosition = snapshot.position;
      } catch (error) {
        this.log.warn(`snapshot at ${snapshot.position} unreadable, replaying from 0: ${(error as Error).message}`);
      }
    }
    this.subscription = new LogSubscription(this.pool, {
      from: this.index.position,
      handle: (events) => {
        this.index.apply(events);
        this.maybeSnapshot();
      },
      nats: this.nats,
      pollIntervalMs: this.config.TESSERA_POLL_INTERVAL_MS,
      onError: (error) => this.log.error(`log subscription: ${(error as Error).message}`),
    });
    // Start in the background so the app listens (health answers not-ready) while it replays.
    void this.subscription.start().then(
      async () => {
        await this.subscription.waitFor(await readHeadPosition(this.pool), 60_000);
        this.caughtUp = true;
        this.readiness.ready('decision-index');
        this.log.log(`caught up at ${this.index.position} in ${Date.now() - started} ms`);
      },
      (error) => this.log.error(`replay failed: ${(error as Error).stack}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  /** Answers only once the index reflects `minRevision`; 503 `stale` after the bounded wait. */
  async atLeast(minRevision: unknown): Promise<void> {
    if (minRevision === undefined || minRevision === null || minRevision === '') return;
    const wanted = Number(minRevision);
    if (!Number.isSafeInteger(wanted) || wanted < 0) throw new TesseraError('bad_request', 'minRevision must be a non-negative integer');
    if (this.index.position >= wanted) return;
    if (!(await this.subscription.waitFor(wanted, MIN_REVISION_WAIT_MS))) {
      throw new TesseraError('stale', `revision ${wanted} not reached within ${MIN_REVISION_WAIT_MS} ms`, undefined, undefined, 1);
    }
  }

  /** For admin writes and reads: the index reflects everything committed before the request. */
  async caughtUpWithHead(): Promise<void> {
    const head = await readHeadPosition(this.pool);
    if (this.index.position >= head) return;
    if (!(await this.subscription.waitFor(head, MIN_REVISION_WAIT_MS))) {
      throw new TesseraError('unavailable', 'the decision index is behind the log', undefined, undefined, 1);
    }
  }

  /** After a write: the answer reflects it on this replica. */
  async reached(position: number): Promise<void> {
    await this.subscription.waitFor(position, MIN_REVISION_WAIT_MS);
  }

  private maybeSnapshot(): void {
    if (this.snapshotting || this.index.position - this.snapshotPosition < SNAPSHOT_EVERY_EVENTS) return;
    this.snapshotting = true;
    const position = this.index.position;
    saveSnapshot(this.pool, SNAPSHOT_NAME, position, this.index.toSnapshot())
      .then(() => (this.snapshotPosition = position))
      .catch((error) => this.log.warn(`snapshot failed: ${(error as Error).message}`))
      .finally(() => (this.snapshotting = false));
  }
}
