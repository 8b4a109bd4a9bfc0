import type { Msg, NatsConnection, Subscription } from '@nats-io/transport-node';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { AUDIT_SUBJECTS, type ReplayAccepted, type ReplayProgress } from '@tessera/contracts';
import { readAll, readHeadPosition, type RecordedEvent } from '@tessera/event-store';
import { requestJson } from '@tessera/messaging';

const BATCH = 5_000;
const PROGRESS_EVERY_MS = 250;
const FINAL_REPORT_TRIES = 20;
const FINAL_REPORT_RETRY_MS = 500;

/** An in-memory projection that can be rebuilt from the log into a fresh copy beside the live one. */
export interface ReplayableProjection<T> {
  /** Resolves once the live copy has caught up (a replay starts only then). */
  whenLive(): Promise<void>;
  empty(): T;
  apply(copy: T, events: RecordedEvent[]): void;
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
 * Answers an app's replay subject (REMOTE_REPLAY_SUBJECTS). Every replica subscribes outside the
 * queue group, so each rebuilds its own copy and reports on AUDIT_SUBJECTS.replayProgress under its
 * own replica id: a replay repairs every replica, not one picked at random.
 */
export class ProjectionReplayResponder<T> {
  readonly replica = randomUUID();
  private subscription: Subscription | undefined;
  private runningJob: string | undefined;
  private readonly log: Logger;

  constructor(
    private readonly pool: Pool,
    private readonly nats: NatsConnection,
    private readonly subject: string,
    private readonly projection: ReplayableProjection<T>,
  ) {
    this.log = new Logger(`Replay ${subject}`);
  }

  listen(): void {
    this.subscription = this.nats.subscribe(this.subject, {
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
    void this.rebuild(jobId)
      .catch(async (error: Error) => {
        this.log.error(`replay ${jobId} failed: ${error.stack}`);
        await this.reportFinal({ jobId, replica: this.replica, status: 'failed', position: '0', target: '0', failure: error.message });
      })
      .finally(() => (this.runningJob = undefined));
  }

  /**
   * Reads the log into a fresh copy up to the live copy's position, never past it; once both are
   * at the same position (checked in the same tick as the comparison and the swap, so no live batch
   * lands in between), compares them and swaps the copy in. The live copy answers throughout.
   */
  private async rebuild(jobId: string): Promise<void> {
    await this.projection.whenLive();
    const copy = this.projection.empty();
    let position = 0;
    let reportedAt = 0;
    for (;;) {
      const live = this.projection.livePosition();
      if (position === live) break;
      const events = await readAll(this.pool, { after: position, to: live, limit: BATCH });
      if (events.length === 0) throw new Error(`the log holds nothing after ${position} up to the live position ${live}`);
      this.projection.apply(copy, events);
      position = events[events.length - 1].position;
      if (Date.now() - reportedAt >= PROGRESS_EVERY_MS) {
        reportedAt = Date.now();
        const target = String(Math.max(position, await readHeadPosition(this.pool)));
        void this.report({ jobId, replica: this.replica, status: 'running', position: String(position), target }).catch(() => undefined);
      }
    }
    const matchesLive = this.projection.matchesLive(copy);
    this.projection.swapIn(copy);
    this.log.log(`replay ${jobId}: fresh copy live at ${position} (matches the old one: ${matchesLive})`);
    await this.projection.afterSwap?.().catch((error: Error) => this.log.warn(`after the swap: ${error.message}`));
    await this.reportFinal({
      jobId,
      replica: this.replica,
      status: 'swapped',
      position: String(position),
      target: String(position),
      matchesLive,
    });
  }

  private report(progress: ReplayProgress): Promise<unknown> {
    return requestJson(this.nats, AUDIT_SUBJECTS.replayProgress, progress);
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
