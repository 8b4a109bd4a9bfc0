import { Inject, Injectable, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { REPLAYABLE_PROJECTIONS, TesseraError, type ReplayJob } from '@tessera/contracts';
import { readAll, readHeadPosition } from '@tessera/event-store';
import { PG_POOL } from '@tessera/platform';
import { AccessProjector } from '../access/access-projector';
import { ACCESS_PROJECTION, createAccessTables, dropAccessTables, sameAccessRows } from '../access/access-tables';
import { lockState } from '../access/access.projection';

const BATCH = 5_000;
/** Held by the session of the running replay (one at a time across every audit replica). */
const REPLAY_LOCK_KEY = 7_362_602;
/** Projections other apps hold in memory: they need a replay subject of their own (not built yet). */
const ELSEWHERE: Record<string, string> = {
  'token-index': 'the token app',
  'decision-index': 'the policy app',
};

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

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async start(projection: unknown): Promise<{ jobId: string }> {
    if (typeof projection === 'string' && ELSEWHERE[projection]) {
      throw new TesseraError('bad_request', `${projection} lives in ${ELSEWHERE[projection]}, which has no replay subject yet`, [
        { field: 'projection', problems: [`replayable here: ${REPLAYABLE_PROJECTIONS.join(', ')}`] },
      ]);
    }
    if (projection !== ACCESS_PROJECTION) {
      throw new TesseraError('bad_request', `projection must be one of ${REPLAYABLE_PROJECTIONS.join(', ')}`, [
        { field: 'projection', problems: [`must be one of ${REPLAYABLE_PROJECTIONS.join(', ')}`] },
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
