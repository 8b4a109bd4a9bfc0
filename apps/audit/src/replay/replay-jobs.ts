import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  REMOTE_REPLAY_SUBJECTS,
  REPLAYABLE_PROJECTIONS,
  TesseraError,
  type RemoteProjection,
  type ReplayJob,
  type ReplayJobStatus,
  type ReplayProgress,
} from '@tessera/contracts';
import { requestJson } from '@tessera/messaging';
import { readAll, readHeadPosition } from '@tessera/event-store';
import { NATS_CONNECTION, PG_POOL } from '@tessera/platform';
import { AccessProjector } from '../access/access-projector';
import { ACCESS_PROJECTION, createAccessTables, dropAccessTables, sameAccessRows } from '../access/access-tables';
import { lockState } from '../access/access.projection';

const BATCH = 5_000;
/** Held by the session of the running replay (one at a time across every audit replica). */
const REPLAY_LOCK_KEY = 7_362_602;

interface JobRow {
  id: string;
  projection: string;
  status: ReplayJob['status'];
  position: string;
  target: string;
  started_at: Date;
  finished_at: Date | null;
  matches_live: boolean | null;
  error: string | null;
}

/**
 * Rebuilds the temporal projection from the log into a fresh generation of tables while the live
 * generation keeps answering; once the copy has caught up, it compares the two and swaps under the
 * projection's state-row lock (so no batch lands in between), then drops the old generation. Jobs
 * are rows, so any audit replica can report a job's progress.
 */
@Injectable()
export class ReplayJobs {
  private readonly log = new Logger('ReplayJobs');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(NATS_CONNECTION) private readonly nats: NatsConnection,
  ) {}

  async start(projection: unknown): Promise<{ jobId: string }> {
    if (typeof projection === 'string' && Object.hasOwn(REMOTE_REPLAY_SUBJECTS, projection)) {
      return this.startRemote(projection as RemoteProjection);
    }
    if (projection !== ACCESS_PROJECTION) {
      const known = [...REPLAYABLE_PROJECTIONS, ...Object.keys(REMOTE_REPLAY_SUBJECTS)].join(', ');
      throw new TesseraError('bad_request', `projection must be one of ${known}`, [
        { field: 'projection', problems: [`must be one of ${known}`] },
      ]);
    }
    // One replay per projection across every audit replica: the job's session holds this lock, and
    // a replica that dies releases it, so a job it left 'running' can be marked interrupted.
    const jobId = randomUUID();
    const session = await this.pool.connect();
    let started = false;
    try {
      const locked = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [REPLAY_LOCK_KEY]);
      if (!locked.rows[0].locked) {
        const running = await this.pool.query("SELECT id FROM audit.replay_jobs WHERE projection = $1 AND status = 'running'", [
          projection,
        ]);
        throw new TesseraError('conflict', `a replay of ${projection} is running${running.rowCount ? `: ${running.rows[0].id}` : ''}`);
      }
      await session.query(
        `UPDATE audit.replay_jobs SET status = 'failed', error = 'interrupted: the audit replica running it stopped', finished_at = now()
          WHERE projection = $1 AND status = 'running'`,
        [projection],
      );
      const generation = Number((await session.query<{ g: string }>("SELECT nextval('audit.generation_seq') AS g")).rows[0].g);
      const target = await readHeadPosition(session);
      await session.query(`INSERT INTO audit.replay_jobs (id, projection, generation, status, target) VALUES ($1, $2, $3, 'running', $4)`, [
        jobId,
        projection,
        generation,
        target,
      ]);
      started = true;
      void this.run(jobId, generation)
        .catch(async (error: Error) => {
          this.log.error(`replay ${jobId} failed: ${error.stack}`);
          await this.pool
            .query(`UPDATE audit.replay_jobs SET status = 'failed', error = $2, finished_at = now() WHERE id = $1`, [jobId, error.message])
            .catch(() => undefined);
          await dropAccessTables(this.pool, generation).catch(() => undefined);
        })
        .finally(() => releaseLock(session));
    } finally {
      if (!started) await releaseLock(session);
    }
    return { jobId };
  }

  /**
   * A projection another app holds in memory: the job is a row here, the work is the owning app's,
   * which reports progress on AUDIT_SUBJECTS.replayProgress.
   */
  private async startRemote(projection: RemoteProjection): Promise<{ jobId: string }> {
    const running = await this.pool.query("SELECT id FROM audit.replay_jobs WHERE projection = $1 AND status = 'running'", [projection]);
    if (running.rowCount) throw new TesseraError('conflict', `a replay of ${projection} is running: ${running.rows[0].id}`);
    const jobId = randomUUID();
    const target = await readHeadPosition(this.pool);
    await this.pool.query(`INSERT INTO audit.replay_jobs (id, projection, generation, status, target) VALUES ($1, $2, 0, 'running', $3)`, [
      jobId,
      projection,
      target,
    ]);
    try {
      await requestJson(this.nats, REMOTE_REPLAY_SUBJECTS[projection], { jobId }, { timeoutMs: 2_000 });
    } catch (error) {
      await this.pool.query('DELETE FROM audit.replay_jobs WHERE id = $1', [jobId]);
      if (error instanceof TesseraError && error.code !== 'unavailable') throw error;
      throw new TesseraError('bad_request', `${projection} cannot be replayed yet: nothing answers ${REMOTE_REPLAY_SUBJECTS[projection]}`, [
        { field: 'projection', problems: [`${REMOTE_REPLAY_SUBJECTS[projection]} does not answer`] },
      ]);
    }
    return { jobId };
  }

  /** Progress reported by the app rebuilding one of its projections; a finished job stays finished. */
  async recordProgress(progress: Partial<ReplayProgress>): Promise<{ recorded: boolean }> {
    const statuses: ReplayJobStatus[] = ['running', 'swapped', 'failed'];
    if (typeof progress?.jobId !== 'string' || !statuses.includes(progress.status as ReplayJobStatus)) {
      throw new TesseraError('bad_request', 'progress needs jobId and status (running, swapped or failed)');
    }
    const result = await this.pool.query(
      `UPDATE audit.replay_jobs
          SET status = $2::text, position = $3::bigint, target = greatest($4::bigint, $3::bigint), matches_live = $5::boolean,
              error = $6::text, finished_at = CASE WHEN $2::text = 'running' THEN NULL ELSE now() END
        WHERE id = $1::uuid AND status = 'running' AND projection <> $7::text`,
      [
        progress.jobId,
        progress.status,
        Number(progress.position ?? 0) || 0,
        Number(progress.target ?? 0) || 0,
        progress.matchesLive ?? null,
        progress.failure ?? null,
        ACCESS_PROJECTION,
      ],
    );
    return { recorded: (result.rowCount ?? 0) > 0 };
  }

  async status(jobId: unknown): Promise<ReplayJob> {
    if (typeof jobId !== 'string' || !/^[0-9a-f-]{36}$/i.test(jobId)) throw new TesseraError('not_found', 'no such replay job');
    const result = await this.pool.query<JobRow>('SELECT * FROM audit.replay_jobs WHERE id = $1', [jobId]);
    const row = result.rows[0];
    if (!row) throw new TesseraError('not_found', 'no such replay job');
    const position = Number(row.position);
    const target = Number(row.target);
    return {
      jobId: row.id,
      projection: row.projection,
      status: row.status,
      position: String(position),
      target: String(target),
      progress: row.status === 'swapped' ? 1 : target === 0 ? 0 : Math.min(1, Number((position / target).toFixed(4))),
      startedAt: row.started_at.toISOString(),
      finishedAt: row.finished_at?.toISOString() ?? null,
      matchesLive: row.matches_live,
      failure: row.error,
    };
  }

  private async run(jobId: string, generation: number): Promise<void> {
    await createAccessTables(this.pool, generation);
    let position = 0;
    // Catch-up outside any lock: the live generation keeps following the log meanwhile.
    for (;;) {
      const events = await readAll(this.pool, { after: position, limit: BATCH });
      if (events.length === 0) break;
      await this.applyInTransaction(generation, events);
      position = events[events.length - 1].position;
      const target = Math.max(position, await readHeadPosition(this.pool));
      await this.pool.query('UPDATE audit.replay_jobs SET position = $2, target = $3 WHERE id = $1', [jobId, position, target]);
    }
    const client = await this.pool.connect();
    let retired: number;
    try {
      await client.query('BEGIN');
      // Holding the state row stops every replica's live batches until the swap commits.
      const live = await lockState(client);
      for (;;) {
        const events = await readAll(client, { after: position, to: live.position, limit: BATCH });
        if (events.length === 0) break;
        await new AccessProjector(client, generation).apply(events);
        position = events[events.length - 1].position;
      }
      const matchesLive = await sameAccessRows(client, live.generation, generation);
      await client.query('UPDATE audit.projection_state SET generation = $2 WHERE name = $1', [ACCESS_PROJECTION, generation]);
      await client.query(
        `UPDATE audit.replay_jobs SET status = 'swapped', position = $2, target = $2, matches_live = $3, finished_at = now() WHERE id = $1`,
        [jobId, live.position, matchesLive],
      );
      await client.query('COMMIT');
      retired = live.generation;
      this.log.log(`replay ${jobId}: generation ${generation} live at ${live.position} (matches the old one: ${matchesLive})`);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    await dropAccessTables(this.pool, retired);
  }

  private async applyInTransaction(generation: number, events: Parameters<AccessProjector['apply']>[0]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      await new AccessProjector(client, generation).apply(events);
      await client.query('COMMIT');
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

async function releaseLock(session: PoolClient): Promise<void> {
  await session.query('SELECT pg_advisory_unlock($1)', [REPLAY_LOCK_KEY]).catch(() => undefined);
  session.release();
}
