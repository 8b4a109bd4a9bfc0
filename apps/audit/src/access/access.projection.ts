import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { TesseraError, type TesseraEvent } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { LogSubscription, readHeadPosition, type RecordedEvent } from '@tessera/event-store';
import { NATS_CONNECTION, PG_POOL, Readiness } from '@tessera/platform';
import { AccessProjector } from './access-projector';
import { ACCESS_PROJECTION, createAccessTables, dropAccessTables, hasCurrentLayout } from './access-tables';

/** The longest a question waits for `minRevision` before answering 503 `stale`. */
const MIN_REVISION_WAIT_MS = 2_000;
/** Serialises table creation when several audit replicas start at once. */
const ACCESS_TABLES_LOCK_KEY = 7_362_601;

export interface ProjectionState {
  generation: number;
  position: number;
}

/**
 * Keeps the temporal projection (validity intervals in PostgreSQL) up with the log. The rule
 * book's state follows the whole log in memory on every replica (from position 0, so it is the
 * same everywhere); every batch's holding changes are written in one transaction that holds the
 * projection's state row, which also names the live generation: replicas skip what another
 * replica wrote already, and a replay swaps generations under the same row lock, so no event is
 * written twice or lost across the swap.
 */
@Injectable()
export class AccessProjection implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: LogSubscription | undefined;
  private readonly projector = new AccessProjector();
  /** The table's position last seen: events up to it need no holding changes computed. */
  private writtenPosition = 0;
  private readonly log = new Logger('AccessProjection');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
    private readonly config: TesseraConfig,
    private readonly readiness: Readiness,
  ) {
    readiness.waitFor(ACCESS_PROJECTION, 'replaying the event log into the temporal projection');
    readiness.reportRevision(() => this.position);
  }

  get position(): number {
    return this.subscription?.position ?? 0;
  }

  async onApplicationBootstrap(): Promise<void> {
    const started = Date.now();
    this.writtenPosition = (await this.ensureState()).position;
    this.subscription = new LogSubscription(this.pool, {
      from: 0,
      handle: (events) => this.applyBatch(events),
      nats: this.nats,
      pollIntervalMs: this.config.TESSERA_POLL_INTERVAL_MS,
      onError: (error) => this.log.warn(`catching up failed (retried every poll): ${(error as Error).message}`),
      onRecovered: () => this.log.log('catching up again'),
    });
    // In the background, so the app answers health (not ready) while it catches up.
    void this.subscription.start().then(
      async () => {
        await this.subscription!.waitFor(await readHeadPosition(this.pool), 600_000);
        this.readiness.ready(ACCESS_PROJECTION);
        this.log.log(`caught up at ${this.position} in ${Date.now() - started} ms`);
      },
      (error) => this.log.error(`catch-up failed: ${(error as Error).stack}`),
    );
  }

  async onApplicationShutdown(): Promise<void> {
    await this.subscription?.stop();
  }

  /** Answers only once this replica's projection reflects `minRevision`; 503 `stale` after the wait. */
  async atLeast(minRevision: unknown): Promise<void> {
    if (minRevision === undefined || minRevision === null || minRevision === '') return;
    const wanted = Number(minRevision);
    if (!Number.isSafeInteger(wanted) || wanted < 0) throw new TesseraError('bad_request', 'minRevision must be a non-negative integer');
    if (this.position >= wanted) return;
    if (!this.subscription || !(await this.subscription.waitFor(wanted, MIN_REVISION_WAIT_MS))) {
      throw new TesseraError('stale', `revision ${wanted} not reached within ${MIN_REVISION_WAIT_MS} ms`, undefined, undefined, 1);
    }
  }

  /** Applies one batch: the rules' state follows it, and its changes go to the live generation unless another replica wrote them. */
  private async applyBatch(events: RecordedEvent<TesseraEvent>[]): Promise<void> {
    this.projector.follow(events, this.writtenPosition);
    const last = events[events.length - 1].position;
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const state = await lockState(client);
      if (last > state.position) {
        await this.projector.write(client, state.generation, state.position);
        await client.query('UPDATE audit.projection_state SET position = $2 WHERE name = $1', [ACCESS_PROJECTION, last]);
      }
      await client.query('COMMIT');
      this.projector.written();
      this.writtenPosition = Math.max(state.position, last);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async ensureState(): Promise<ProjectionState> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock($1)', [ACCESS_TABLES_LOCK_KEY]);
      await client.query(
        'INSERT INTO audit.projection_state (name, generation, position) VALUES ($1, 1, 0) ON CONFLICT (name) DO NOTHING',
        [ACCESS_PROJECTION],
      );
      let state = await readState(client);
      if (state.position > 0 && !(await hasCurrentLayout(client, state.generation))) {
        // Tables of the former layout: rebuilt from the log by the rule book.
        this.log.log(`generation ${state.generation} is of an older layout: rebuilding it from the log`);
        await dropAccessTables(client, state.generation);
        await client.query('UPDATE audit.projection_state SET position = 0 WHERE name = $1', [ACCESS_PROJECTION]);
        state = { ...state, position: 0 };
      }
      await createAccessTables(client, state.generation);
      return state;
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ACCESS_TABLES_LOCK_KEY]).catch(() => undefined);
      client.release();
    }
  }
}

export async function readState(db: Pool | PoolClient): Promise<ProjectionState> {
  const result = await db.query<{ generation: number; position: string }>(
    'SELECT generation, position FROM audit.projection_state WHERE name = $1',
    [ACCESS_PROJECTION],
  );
  return { generation: result.rows[0].generation, position: Number(result.rows[0].position) };
}

/** The state row, locked until the caller's transaction ends. */
export async function lockState(client: PoolClient): Promise<ProjectionState> {
  const result = await client.query<{ generation: number; position: string }>(
    'SELECT generation, position FROM audit.projection_state WHERE name = $1 FOR UPDATE',
    [ACCESS_PROJECTION],
  );
  return { generation: result.rows[0].generation, position: Number(result.rows[0].position) };
}
