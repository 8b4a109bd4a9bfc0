import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown, type Type } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import {
  AUDIT_SUBJECTS,
  queueGroup,
  REMOTE_REPLAY_SUBJECTS,
  type NatsAppName,
  type RemoteProjection,
  type ReplayAccepted,
  type ReplayProgress,
  type TesseraEvent,
} from '@tessera/contracts';
import { readAll, readHeadPosition, rebuildTables, type RecordedEvent, type TableProjection } from '@tessera/event-store';
import { TesseraClient } from '@tessera/messaging';
import { NATS_CONNECTION, PG_POOL } from './tokens';

const BATCH = 5_000;
const PROGRESS_EVERY_MS = 250;
const FINAL_REPORT_TRIES = 20;
const FINAL_REPORT_RETRY_MS = 500;

/** Rebuilds one projection from the log and makes the copy live; reports positions as it goes. */
export type Rebuild = (onProgress: (position: number) => void) => Promise<{ position: number; matchesLive: boolean }>;

/** An in-memory projection that can be rebuilt from the log into a fresh copy beside the live one. */
export interface InMemoryProjection<T> {
  /** Resolves once the live copy has caught up (a replay starts only then). */
  whenLive(): Promise<void>;
  empty(): T;
  apply(copy: T, events: RecordedEvent<TesseraEvent>[]): void;
  /** Position of the last event the live copy applied. */
  livePosition(): number;
  /** Whether the copy holds exactly what the live copy holds; both are at the same position. */
  matchesLive(copy: T): boolean;
  /** Makes the copy the live one, in the same tick as `matchesLive`. */
  swapIn(copy: T): void;
  /** After the swap, for instance a snapshot of the new copy. */
  afterSwap?(): Promise<void>;
}

/**
 * Reads the log into a fresh copy up to the live copy's position, never past it; once both are at
 * the same position (checked in the same tick as the comparison and the swap, so no live batch
 * lands in between), compares them and swaps the copy in. The live copy answers throughout.
 */
export function rebuildInMemory<T>(pool: Pool, projection: InMemoryProjection<T>, log: Logger): Rebuild {
  return async (onProgress) => {
    await projection.whenLive();
    const copy = projection.empty();
    let position = 0;
    for (;;) {
      const live = projection.livePosition();
      if (position === live) break;
      const events = await readAll<TesseraEvent>(pool, { after: position, to: live, limit: BATCH });
      if (events.length === 0) throw new Error(`the log holds nothing after ${position} up to the live position ${live}`);
      projection.apply(copy, events);
      position = events[events.length - 1].position;
      onProgress(position);
    }
    const matchesLive = projection.matchesLive(copy);
    projection.swapIn(copy);
    await projection.afterSwap?.().catch((error: Error) => log.warn(`after the swap: ${error.message}`));
    return { position, matchesLive };
  };
}

export interface ReplayResponderOptions {
  /**
   * Omitted for in-memory projections: every replica holds its own copy, so every replica answers
   * and rebuilds. Set to the app's queue group for tables in PostgreSQL, which one replica rebuilds.
   */
  queue?: string;
}

/**
 * Answers an app's replay subject (REMOTE_REPLAY_SUBJECTS): accepts at once with this process's
 * replica id, rebuilds, and reports on AUDIT_SUBJECTS.replayProgress under that id.
 */
export class ProjectionReplayResponder {
  readonly replica = randomUUID();
  private subscription: Subscription | undefined;
  private runningJob: string | undefined;
  private readonly log: Logger;
  private readonly client: TesseraClient;

  constructor(
    private readonly pool: Pool,
    private readonly nats: NatsConnection,
    private readonly subject: string,
    private readonly rebuild: Rebuild,
    private readonly options: ReplayResponderOptions = {},
  ) {
    this.log = new Logger(`Replay ${subject}`);
    this.client = new TesseraClient(nats);
  }

  listen(): void {
    this.subscription = this.nats.subscribe(this.subject, {
      queue: this.options.queue,
      callback: (error, message) => {
        if (!error) this.answer(message);
      },
    });
  }

  stop(): void {
    this.subscription?.unsubscribe();
  }

  private answer(message: Msg): void {
    const jobId = jobIdOf(message);
    const accepted = jobId !== undefined && this.runningJob === undefined;
    const reply: ReplayAccepted = { accepted, replica: this.replica };
    if (!accepted) reply.reason = jobId === undefined ? 'jobId must be a string' : `busy with replay ${this.runningJob}`;
    message.respond(JSON.stringify(reply));
    if (!accepted) return;
    this.runningJob = jobId;
    void this.run(jobId).finally(() => (this.runningJob = undefined));
  }

  private async run(jobId: string): Promise<void> {
    const progress = { jobId, replica: this.replica };
    let reportedAt = 0;
    const onProgress = (position: number): void => {
      if (Date.now() - reportedAt < PROGRESS_EVERY_MS) return;
      reportedAt = Date.now();
      void readHeadPosition(this.pool)
        .then((head) =>
          this.report({ ...progress, status: 'running', position: String(position), target: String(Math.max(position, head)) }),
        )
        .catch(() => undefined);
    };
    try {
      const { position, matchesLive } = await this.rebuild(onProgress);
      this.log.log(`replay ${jobId}: the rebuilt copy is live at ${position} (it matched the old one: ${matchesLive})`);
      await this.reportFinal({ ...progress, status: 'swapped', position: String(position), target: String(position), matchesLive });
    } catch (error) {
      this.log.error(`replay ${jobId} failed: ${(error as Error).stack}`);
      await this.reportFinal({ ...progress, status: 'failed', position: '0', target: '0', failure: (error as Error).message });
    }
  }

  private report(progress: ReplayProgress): Promise<unknown> {
    return this.client.request(AUDIT_SUBJECTS.replayProgress, progress);
  }

  /** The last report says how the job ended: retried until the audit app answers. */
  private async reportFinal(progress: ReplayProgress): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.report(progress);
        return;
      } catch (error) {
        if (attempt === FINAL_REPORT_TRIES) {
          this.log.error(`could not report the end of replay ${progress.jobId}: ${(error as Error).message}`);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, FINAL_REPORT_RETRY_MS));
      }
    }
  }
}

function jobIdOf(message: Msg): string | undefined {
  try {
    const jobId = (message.json() as { jobId?: unknown } | null)?.jobId;
    return typeof jobId === 'string' ? jobId : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A provider answering the replay subject of `projection` by rebuilding read-model tables: they live
 * in PostgreSQL, shared by every replica, so one replica of the app's queue group rebuilds them.
 */
export function tablesReplay(projection: RemoteProjection, app: NatsAppName, tables: TableProjection): Type<unknown> {
  @Injectable()
  class TablesReplay implements OnApplicationBootstrap, OnApplicationShutdown {
    private readonly responder: ProjectionReplayResponder;

    constructor(@Inject(PG_POOL) pool: Pool, @Inject(NATS_CONNECTION) nats: NatsConnection) {
      this.responder = new ProjectionReplayResponder(
        pool,
        nats,
        REMOTE_REPLAY_SUBJECTS[projection],
        (onProgress) => rebuildTables(pool, tables, onProgress),
        { queue: queueGroup(app) },
      );
    }

    onApplicationBootstrap(): void {
      this.responder.listen();
    }

    onApplicationShutdown(): void {
      this.responder.stop();
    }
  }
  return TablesReplay;
}
