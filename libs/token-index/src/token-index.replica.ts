import type { NatsConnection } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import type { Principal, TesseraEvent } from '@tessera/contracts';
import { loadLatestSnapshot, LogSubscription, saveSnapshot, type EventPayload } from '@tessera/event-store';
import { observeTokenIndex } from '@tessera/observability';
import type { Readiness } from '@tessera/platform';
import { hashToken, parseToken } from './token-format';
import { isRefusal, TokenIndex, type TokenRefusal } from './token-index';
import { countMintsAfter, streamTokenLog } from './token-log';

export const TOKEN_INDEX_SNAPSHOT = 'token-index';
const COMPONENT = 'token-index';
/**
 * Events per query while catching up; they are applied as they arrive, not held. Large: between two
 * queries PostgreSQL waits while the index works through what the socket still holds, which cost
 * 50,000-event queries a third of a million-event catch-up (3.0 s against 1.8 s in one query).
 */
const CATCH_UP_BATCH = 1_000_000;
/** Tokens minted since the snapshot from which the index makes room for all of them at once. */
const RESERVE_FROM = 10_000;
/** Unknown well-formed tokens remembered with the position they were refused at (the oldest go first). */
const MAX_REMEMBERED_MISSES = 10_000;
/** Reads of the log caused by unknown tokens start at most this often; lookups in between share the next one. */
const UNKNOWN_TOKEN_READ_SPACING_MS = 20;

export interface TokenIndexReplicaOptions {
  pool: Pool;
  nats?: NatsConnection;
  readiness?: Readiness;
  pollIntervalMs?: number;
  /** Token app only: save a snapshot after a long replay and then periodically. */
  snapshots?: { everyMs: number; minEvents: number };
  /** Report this index's position as the app's revision on its health subject. */
  reportRevision?: boolean;
}

/**
 * One app's copy of the token index: loads the latest snapshot, replays the log after it, reports
 * ready only when caught up, then follows the live feed (NATS wake-ups + poll of the log head).
 */
export class TokenIndexReplica {
  index = new TokenIndex();
  private subscription: LogSubscription<TesseraEvent, EventPayload<TesseraEvent>> | undefined;
  private started: Promise<void> | undefined;
  /** True once the index has caught up with the log when it started (start() resolved). */
  private loaded = false;
  private snapshotTimer: NodeJS.Timeout | undefined;
  private snapshotPosition = 0;
  private readonly log = new Logger('TokenIndex');
  /** Token hash → the position at which a read of the log still did not find it. */
  private readonly misses = new Map<string, number>();
  private nextUnknownRead: Promise<void> | undefined;
  private lastUnknownReadAt = 0;
  private readonly appliedListeners: ((events: readonly EventPayload<TesseraEvent>[]) => void)[] = [];

  constructor(private readonly options: TokenIndexReplicaOptions) {}

  get position(): number {
    return this.subscription?.position ?? this.index.position;
  }

  start(): Promise<void> {
    this.started ??= this.load();
    return this.started;
  }

  private async load(): Promise<void> {
    const { pool, readiness } = this.options;
    readiness?.waitFor(COMPONENT, 'loading the token index from the event log');
    if (this.options.reportRevision) readiness?.reportRevision(() => this.position);
    const began = Date.now();
    const snapshot = await loadLatestSnapshot(pool, TOKEN_INDEX_SNAPSHOT).catch(() => undefined);
    if (snapshot) {
      try {
        this.index = TokenIndex.deserialize(snapshot.data);
        this.snapshotPosition = this.index.position;
        if (!this.index.hasMemberships) {
          this.log.warn(`snapshot at ${snapshot.position} predates the memberships index, replaying the whole log`);
          this.index = new TokenIndex();
          this.snapshotPosition = 0;
        }
      } catch (error) {
        this.log.warn(`snapshot at ${snapshot.position} unreadable, replaying the whole log: ${(error as Error).message}`);
        this.index = new TokenIndex();
      }
    }
    const fromSnapshot = this.index.position;
    this.subscription = new LogSubscription<TesseraEvent, EventPayload<TesseraEvent>>(pool, {
      from: this.index.position,
      handle: (events) => {
        this.index.apply(events);
        for (const listener of this.appliedListeners) listener(events);
      },
      // Token events go straight into the index's columns; `handle` gets the others.
      stream: (db, after, limit, apply) => streamTokenLog(db, after, limit, () => this.index, apply),
      batchSize: CATCH_UP_BATCH,
      nats: this.options.nats,
      pollIntervalMs: this.options.pollIntervalMs ?? 250,
      onError: (error) => this.log.warn(`catching up failed (retried every poll): ${(error as Error).message}`),
      onRecovered: () => this.log.log('catching up again'),
    });
    // Columns and lookup tables of their final size before a long catch-up, trimmed to the tokens after it.
    const minted = await countMintsAfter(pool, this.index.position).catch(() => 0);
    if (minted >= RESERVE_FROM) this.index.reserve(minted);
    await this.subscription.start();
    this.index.trim();
    this.loaded = true;
    this.log.log(
      `token index ready at ${this.position} (${this.index.size} tokens, snapshot at ${fromSnapshot}) in ${Date.now() - began} ms`,
    );
    readiness?.ready(COMPONENT);
    observeTokenIndex({ size: () => this.index.size, position: () => this.position }, pool);
    const snapshots = this.options.snapshots;
    if (snapshots) {
      if (this.position - this.snapshotPosition >= snapshots.minEvents) await this.saveSnapshot();
      this.snapshotTimer = setInterval(() => {
        if (this.position - this.snapshotPosition >= snapshots.minEvents) void this.saveSnapshot();
      }, snapshots.everyMs);
      this.snapshotTimer.unref();
    }
  }

  /**
   * Called with every batch of events once the index holds them, in log order: for an app that
   * reacts to the log. TokenMinted and TokenRevoked events are applied without being made objects,
   * so they are not among them (streamTokenLog).
   */
  onApplied(listener: (events: readonly EventPayload<TesseraEvent>[]) => void): void {
    this.appliedListeners.push(listener);
  }

  async saveSnapshot(): Promise<void> {
    const position = this.index.position;
    try {
      await saveSnapshot(this.options.pool, TOKEN_INDEX_SNAPSHOT, position, this.index.snapshotParts());
      this.snapshotPosition = position;
    } catch (error) {
      this.log.warn(`snapshot at ${position} failed: ${(error as Error).message}`);
    }
  }

  /**
   * Resolves a token: at once (no promise) once the index is loaded and the token known, or refused
   * for a reason other than being unknown. A well-formed token this replica does not know yet
   * (minted through another replica a moment ago) is looked for once more in the log before it is
   * refused. The checksum is public, so that read must not be had for the asking: the same token
   * again is refused without one until the log has moved, and the reads of a burst of different
   * ones are shared (one starts at most every 20 ms, always after the lookups that wait for it).
   */
  resolve(token: string): Principal | TokenRefusal | Promise<Principal | TokenRefusal> {
    if (!this.loaded) return this.start().then(() => this.resolve(token));
    const first = this.index.resolve(token);
    if (!isRefusal(first) || first.error !== 'invalid_token' || parseToken(token) === undefined) return first;
    const key = hashToken(token);
    if (this.misses.get(key) === this.position) return first;
    return this.readForUnknownToken().then(() => {
      const second = this.index.resolve(token);
      if (isRefusal(second) && second.error === 'invalid_token') this.rememberMiss(key);
      return second;
    });
  }

  private readForUnknownToken(): Promise<void> {
    this.nextUnknownRead ??= new Promise<void>((resolve) =>
      setTimeout(resolve, Math.max(0, this.lastUnknownReadAt + UNKNOWN_TOKEN_READ_SPACING_MS - Date.now())),
    ).then(() => {
      this.nextUnknownRead = undefined;
      this.lastUnknownReadAt = Date.now();
      return this.catchUp();
    });
    return this.nextUnknownRead;
  }

  private rememberMiss(key: string): void {
    this.misses.delete(key);
    if (this.misses.size >= MAX_REMEMBERED_MISSES) this.misses.delete(this.misses.keys().next().value!);
    this.misses.set(key, this.position);
  }

  async catchUp(): Promise<void> {
    await this.start();
    await this.subscription?.catchUp();
  }

  /** True once the index reflects `position` (read-your-writes across replicas). */
  async waitFor(position: number, timeoutMs: number): Promise<boolean> {
    await this.start();
    return this.subscription!.waitFor(position, timeoutMs);
  }

  async stop(): Promise<void> {
    if (this.snapshotTimer) clearInterval(this.snapshotTimer);
    await this.subscription?.stop();
  }
}
