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
  type ReplayAccepted,
  type ReplayProgress,
  type ReplayReplicaProgress,
  type TesseraEvent,
  isUuid,
} from '@tessera/contracts';
import { inTransaction, readAll, readHeadPosition } from '@tessera/event-store';
import { NATS_CONNECTION, PG_POOL } from '@tessera/platform';
import { AccessProjector } from '../access/access-projector';
import { ACCESS_PROJECTION, createAccessTables, dropAccessTables, sameAccessRows } from '../access/access-tables';
import { lockState } from '../access/access.projection';
import { jobOutcome } from './replica-progress';

const BATCH = 5_000;
/** Replicas answer a replay request at once: gathering ends this long after the last answer. */
const ACCEPT_STALL_MS = 300;
const ACCEPT_MAX_WAIT_MS = 2_000;
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
  replicas: Record<string, ReplayReplicaProgress>;
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
      const known = REPLAYABLE_PROJECTIONS.join(', ');
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
   * A projection another app holds in memory: the job is a row here, the work is done by every
   * replica of the owning app that accepts it, each reporting on AUDIT_SUBJECTS.replayProgress.
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
    const subject = REMOTE_REPLAY_SUBJECTS[projection];
    const accepted = await this.gatherAccepts(subject, jobId);
    if (accepted.length === 0) {
      await this.pool.query('DELETE FROM audit.replay_jobs WHERE id = $1', [jobId]);
      throw new TesseraError(
        'unavailable',
        `no replica of the app holding ${projection} accepted the replay (${subject})`,
        undefined,
        undefined,
        1,
      );
    }
    // Reports may already have come in (a short log replays in milliseconds): they are kept.
    await this.updateReplicas(jobId, (replicas) => {
      for (const replica of accepted) {
        replicas[replica] ??= { replica, status: 'running', position: '0', target: String(target), matchesLive: null, failure: null };
      }
      return accepted.length;
    });
    return { jobId };
  }

  /** Every replica of the owning app answers (they listen outside their queue group). */
  private async gatherAccepts(subject: string, jobId: string): Promise<string[]> {
    const accepted: string[] = [];
    try {
      const replies = await this.nats.requestMany(subject, JSON.stringify({ jobId }), {
        strategy: 'stall',
        stall: ACCEPT_STALL_MS,
        maxWait: ACCEPT_MAX_WAIT_MS,
      });
      for await (const reply of replies) {
        const answer = parseAccepted(reply.data);
        if (answer?.accepted === true) accepted.push(answer.replica);
        else if (answer) this.log.warn(`replica ${answer.replica} declined replay ${jobId}: ${answer.reason ?? 'no reason given'}`);
      }
    } catch (error) {
      this.log.warn(`${subject}: ${(error as Error).message}`);
    }
    return accepted;
  }

  /** Progress reported by a replica rebuilding its copy; a finished job stays finished. */
  async recordProgress(progress: Partial<ReplayProgress>): Promise<{ recorded: boolean }> {
    const statuses: ReplayJobStatus[] = ['running', 'swapped', 'failed'];
    if (
      typeof progress?.jobId !== 'string' ||
      typeof progress.replica !== 'string' ||
      !statuses.includes(progress.status as ReplayJobStatus)
    ) {
      throw new TesseraError('bad_request', 'progress needs jobId, replica and status (running, swapped or failed)');
    }
    const replica = progress.replica;
    const recorded = await this.updateReplicas(progress.jobId, (replicas) => {
      if (replicas[replica] && replicas[replica].status !== 'running') return undefined;
      replicas[replica] = {
        replica,
        status: progress.status as ReplayJobStatus,
        position: String(Number(progress.position ?? 0) || 0),
        target: String(Number(progress.target ?? 0) || 0),
        matchesLive: progress.matchesLive ?? null,
        failure: progress.failure ?? null,
      };
      return undefined;
    });
    return { recorded };
  }

  /**
   * Changes a running remote job's replicas under its row lock and settles the job from them;
   * `change` may return how many replicas accepted it. False when there is no such running job.
   */
  private async updateReplicas(
    jobId: string,
    change: (replicas: Record<string, ReplayReplicaProgress>) => number | undefined,
  ): Promise<boolean> {
    if (!isUuid(jobId)) return false;
    return inTransaction(this.pool, async (client) => {
      const result = await client.query<{ replicas: Record<string, ReplayReplicaProgress>; accepted_by: number | null }>(
        `SELECT replicas, accepted_by FROM audit.replay_jobs WHERE id = $1 AND status = 'running' AND projection <> $2 FOR UPDATE`,
        [jobId, ACCESS_PROJECTION],
      );
      const row = result.rows[0];
      if (!row) return false;
      const acceptedBy = change(row.replicas) ?? row.accepted_by;
      const outcome = jobOutcome(Object.values(row.replicas), acceptedBy);
      await client.query(
        `UPDATE audit.replay_jobs
            SET replicas = $2, accepted_by = $3, status = $4, position = $5, target = greatest(target, $6), matches_live = $7, error = $8,
                finished_at = CASE WHEN $4 = 'running' THEN NULL ELSE now() END
          WHERE id = $1`,
        [jobId, row.replicas, acceptedBy, outcome.status, outcome.position, outcome.target, outcome.matchesLive, outcome.failure],
      );
      return true;
    });
  }

  async status(jobId: unknown): Promise<ReplayJob> {
    if (!isUuid(jobId)) throw new TesseraError('not_found', 'no such replay job');
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
      replicas: Object.values(row.replicas),
    };
  }

  private async run(jobId: string, generation: number): Promise<void> {
    await createAccessTables(this.pool, generation);
    const projector = new AccessProjector();
    let position = 0;
    // Catch-up outside any lock: the live generation keeps following the log meanwhile.
    for (;;) {
      const events = await readAll<TesseraEvent>(this.pool, { after: position, limit: BATCH });
      if (events.length === 0) break;
      projector.follow(events);
      await inTransaction(this.pool, (client) => projector.write(client, generation, 0));
      projector.written();
      position = events[events.length - 1].position;
      const target = Math.max(position, await readHeadPosition(this.pool));
      await this.pool.query('UPDATE audit.replay_jobs SET position = $2, target = $3 WHERE id = $1', [jobId, position, target]);
    }
    const { live, matchesLive } = await inTransaction(this.pool, async (client) => {
      // Holding the state row stops every replica's live batches until the swap commits.
      const live = await lockState(client);
      for (;;) {
        const events = await readAll<TesseraEvent>(client, { after: position, to: live.position, limit: BATCH });
        if (events.length === 0) break;
        projector.follow(events);
        await projector.write(client, generation, 0);
        projector.written();
        position = events[events.length - 1].position;
      }
      const matchesLive = await sameAccessRows(client, live.generation, generation);
      await client.query('UPDATE audit.projection_state SET generation = $2 WHERE name = $1', [ACCESS_PROJECTION, generation]);
      await client.query(
        `UPDATE audit.replay_jobs SET status = 'swapped', position = $2, target = $2, matches_live = $3, finished_at = now() WHERE id = $1`,
        [jobId, live.position, matchesLive],
      );
      return { live, matchesLive };
    });
    this.log.log(`replay ${jobId}: generation ${generation} live at ${live.position} (matches the old one: ${matchesLive})`);
    await dropAccessTables(this.pool, live.generation);
  }
}

function parseAccepted(data: Uint8Array): ReplayAccepted | undefined {
  try {
    const answer = JSON.parse(Buffer.from(data).toString('utf8')) as ReplayAccepted | null;
    return answer && typeof answer.replica === 'string' ? answer : undefined;
  } catch {
    return undefined;
  }
}

async function releaseLock(session: PoolClient): Promise<void> {
  await session.query('SELECT pg_advisory_unlock($1)', [REPLAY_LOCK_KEY]).catch(() => undefined);
  session.release();
}
