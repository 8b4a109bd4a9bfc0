import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { REMOTE_REPLAY_SUBJECTS } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';
import { NATS_CONNECTION, PG_POOL, ProjectionReplayResponder, type ReplayableProjection } from '@tessera/platform';
import { TokenIndex, TokenIndexReplica } from '@tessera/token-index';

/** `POST /api/v1/audit/replay {"projection":"token-index"}`: this replica's token index, rebuilt from the log. */
@Injectable()
export class TokenIndexReplay implements ReplayableProjection<TokenIndex>, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly responder: ProjectionReplayResponder<TokenIndex>;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(NATS_CONNECTION) nats: NatsConnection,
    private readonly replica: TokenIndexReplica,
  ) {
    this.responder = new ProjectionReplayResponder(pool, nats, REMOTE_REPLAY_SUBJECTS['token-index'], this);
  }

  onApplicationBootstrap(): void {
    this.responder.listen();
  }

  onApplicationShutdown(): void {
    this.responder.stop();
  }

  whenLive(): Promise<void> {
    return this.replica.start();
  }

  empty(): TokenIndex {
    return new TokenIndex();
  }

  apply(copy: TokenIndex, events: RecordedEvent[]): void {
    copy.apply(events);
  }

  livePosition(): number {
    return this.replica.index.position;
  }

  matchesLive(copy: TokenIndex): boolean {
    return copy.serialize().equals(this.replica.index.serialize());
  }

  swapIn(copy: TokenIndex): void {
    this.replica.index = copy;
  }

  /** The next cold start loads the rebuilt index, not the snapshot of the one it replaced. */
  afterSwap(): Promise<void> {
    return this.replica.saveSnapshot();
  }
}
