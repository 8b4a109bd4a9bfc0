import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { REMOTE_REPLAY_SUBJECTS, type TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';
import { NATS_CONNECTION, PG_POOL, ProjectionReplayResponder, rebuildInMemory, type InMemoryProjection } from '@tessera/platform';
import { TokenIndex, TokenIndexReplica } from '@tessera/token-index';

/** `POST /api/v1/audit/replay {"projection":"token-index"}`: this replica's token index, rebuilt from the log. */
@Injectable()
export class TokenIndexReplay implements InMemoryProjection<TokenIndex>, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly responder: ProjectionReplayResponder;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(NATS_CONNECTION) nats: NatsConnection,
    private readonly replica: TokenIndexReplica,
  ) {
    this.responder = new ProjectionReplayResponder(
      pool,
      nats,
      REMOTE_REPLAY_SUBJECTS['token-index'],
      rebuildInMemory(pool, this, new Logger('TokenIndexReplay')),
    );
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

  apply(copy: TokenIndex, events: RecordedEvent<TesseraEvent>[]): void {
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
