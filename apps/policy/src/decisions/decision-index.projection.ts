import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { TesseraError } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { LogSubscription, loadLatestSnapshot, readHeadPosition, saveSnapshot } from '@tessera/event-store';
import { NATS_CONNECTION, PG_POOL, Readiness } from '@tessera/platform';
import { TokenIndex } from '@tessera/token-index';
import { DecisionIndex } from './decision-index';

const SNAPSHOT_NAME = 'policy-decision-index';
/** A snapshot once this many events arrived since the last one keeps a cold start a short replay. */
const SNAPSHOT_AFTER_EVENTS = 50_000;
const SNAPSHOT_CHECK_MS = 60_000;
/** The longest a request waits for `minRevision` (CONTRACT section 2) before answering `stale`. */
export const MIN_REVISION_WAIT_MS = 2_000;

/**
 * Holds the DecisionIndex, and the TokenIndex that resolves callers' tokens, as projections of the
 * log fed by one subscription (one read of the log, not two): latest snapshot, replay, then the
 * live feed. The app reports not ready until the replay has reached the head of the log.
 */
@Injectable()
export class DecisionIndexProjection implements OnApplicationBootstrap, OnApplicationShutdown {
  index: DecisionIndex;
  tokens = new TokenIndex();
  private subscription: LogSubscription;
  private snapshotPosition = 0;
  private snapshotting = false;
  private snapshotTimer: NodeJS.Timeout | undefined;
  /** False until the replay reached the head of the log: decisions wait for it. */
  caughtUp = false;
  private markCaughtUp!: () => void;
  /** Resolves once `caughtUp` is true. */
  readonly whenCaughtUp = new Promise<void>((resolve) => (this.markCaughtUp = resolve));
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
        const { decisions, tokens } = splitSnapshot(snapshot.data);
        this.index = DecisionIndex.fromSnapshot(decisions, this.config.publicUrl);
        this.tokens = TokenIndex.deserialize(tokens);
        this.snapshotPosition = snapshot.position;
      } catch (error) {
        this.log.warn(`snapshot at ${snapshot.position} unreadable, replaying from 0: ${(error as Error).message}`);
        this.index = new DecisionIndex(this.config.publicUrl);
        this.tokens = new TokenIndex();
      }
    }
    this.subscription = new LogSubscription(this.pool, {
      from: this.index.position,
      handle: (events) => {
        this.index.apply(events);
        this.tokens.apply(events);
      },
      nats: this.nats,
      pollIntervalMs: this.config.TESSERA_POLL_INTERVAL_MS,
      onError: (error) => this.log.warn(`catching up failed (retried every poll): ${(error as Error).message}`),
      onRecovered: () => this.log.log('catching up again'),
    });
    // Start in the background so the app listens (health answers not-ready) while it replays.
    void this.subscription.start().then(
      async () => {
        await this.subscription.waitFor(await readHeadPosition(this.pool), 60_000);
        this.caughtUp = true;
        this.markCaughtUp();
        this.readiness.ready('decision-index');
        this.log.log(`caught up at ${this.index.position} in ${Date.now() - started} ms`);
        // Snapshots only after the replay, so a long replay is not paused by serialising.
        this.maybeSnapshot();
        this.snapshotTimer = setInterval(() => this.maybeSnapshot(), SNAPSHOT_CHECK_MS);
        this.snapshotTimer.unref();
      },
      (error) => this.log.error(`replay failed: ${(error as Error).stack}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
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

  /** Reads whatever the log holds beyond the index now (a token minted a moment ago elsewhere). */
  async catchUp(): Promise<void> {
    await this.subscription?.catchUp();
  }

  /** After a write: the answer reflects it on this replica. */
  async reached(position: number): Promise<void> {
    await this.subscription.waitFor(position, MIN_REVISION_WAIT_MS);
  }

  private maybeSnapshot(): void {
    if (this.index.position - this.snapshotPosition < SNAPSHOT_AFTER_EVENTS) return;
    void this.snapshot();
  }

  /** Saves a snapshot of both indexes now (unless one is being saved). */
  async snapshot(): Promise<void> {
    if (this.snapshotting) return;
    this.snapshotting = true;
    const position = this.index.position;
    await saveSnapshot(this.pool, SNAPSHOT_NAME, position, joinSnapshot(this.index.toSnapshot(), this.tokens.serialize()))
      .then(() => (this.snapshotPosition = position))
      .catch((error) => this.log.warn(`snapshot failed: ${(error as Error).message}`))
      .finally(() => (this.snapshotting = false));
  }
}

/** Snapshot layout: 4-byte length of the decision index JSON, that JSON, then the token index. */
function joinSnapshot(decisions: Buffer, tokens: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(decisions.length);
  return Buffer.concat([length, decisions, tokens]);
}

function splitSnapshot(data: Buffer): { decisions: Buffer; tokens: Buffer } {
  const length = data.readUInt32BE(0);
  return { decisions: data.subarray(4, 4 + length), tokens: data.subarray(4 + length) };
}
