import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool, PoolClient } from 'pg';
import { TesseraError, type TesseraEvent } from '@tessera/contracts';
import { TesseraConfig } from '@tessera/config';
import { LogSubscription, readHeadPosition, type RecordedEvent } from '@tessera/event-store';
import { NATS_CONNECTION, PG_POOL, Readiness } from '@tessera/platform';
import { AccessProjector } from './access-projector';
import { ACCESS_PROJECTION, createAccessTables } from './access-tables';

/** The longest a question waits for `minRevision` before answering 503 `stale`. */
const MIN_REVISION_WAIT_MS = 2_000;
/** Serialises table creation when several audit replicas start at once. */
const ACCESS_TABLES_LOCK_KEY = 7_362_601;

export interface ProjectionState {
  generation: number;
  position: number;
}

/**
 * Keeps the temporal projection (validity intervals in PostgreSQL) up with the log. Every batch is
 * applied in one transaction that holds the projection's state row, which also names the live
 * generation: replicas skip what another replica applied already, and a replay swaps generations
 * under the same row lock, so no event is applied twice or lost across the swap.
 */
@Injectable()
export class AccessProjection implements OnApplicationBootstrap, OnApplicationShutdown {
  private subscription: LogSubscription | undefined;
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
    const state = await this.ensureState();
    this.subscription = new LogSubscription(this.pool, {
      from: state.position,
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

  /** Applies one batch to the live generation, skipping events another replica applied already. */
  private async applyBatch(events: RecordedEvent<TesseraEvent>[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const state = await lockState(client);
      const fresh = events.filter((event) => event.position > state.position);
      if (fresh.length > 0) {
        await new AccessProjector(client, state.generation).apply(fresh);
        await client.query('UPDATE audit.projection_state SET position = $2 WHERE name = $1', [
          ACCESS_PROJECTION,
          fresh[fresh.length - 1].position,
        ]);
      }
      await client.query('COMMIT');
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
      const state = await readState(client);
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
