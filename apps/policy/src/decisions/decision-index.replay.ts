import type { NatsConnection } from '@nats-io/transport-node';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { REMOTE_REPLAY_SUBJECTS, type TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';
import { NATS_CONNECTION, PG_POOL, ProjectionReplayResponder, rebuildInMemory, type InMemoryProjection } from '@tessera/platform';
import { TokenIndex } from '@tessera/token-index';
import { DecisionIndex } from './decision-index';
import { DecisionIndexProjection } from './decision-index.projection';

/** The two indexes one subscription feeds in the policy app, rebuilt together. */
interface PolicyIndexes {
  index: DecisionIndex;
  tokens: TokenIndex;
}

/** `POST /api/v1/audit/replay {"projection":"decision-index"}`: this replica's decision index, rebuilt from the log. */
@Injectable()
export class DecisionIndexReplay implements InMemoryProjection<PolicyIndexes>, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly responder: ProjectionReplayResponder;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(NATS_CONNECTION) nats: NatsConnection,
    private readonly live: DecisionIndexProjection,
  ) {
    this.responder = new ProjectionReplayResponder(
      pool,
      nats,
      REMOTE_REPLAY_SUBJECTS['decision-index'],
      rebuildInMemory(pool, this, new Logger('DecisionIndexReplay')),
    );
  }

  onApplicationBootstrap(): void {
    this.responder.listen();
  }

  onApplicationShutdown(): void {
    this.responder.stop();
  }

  whenLive(): Promise<void> {
    return this.live.whenCaughtUp;
  }

  empty(): PolicyIndexes {
    return { index: new DecisionIndex(this.live.index.publicUrl), tokens: new TokenIndex() };
  }

  apply(copy: PolicyIndexes, events: RecordedEvent<TesseraEvent>[]): void {
    copy.index.apply(events);
    copy.tokens.apply(events);
  }

  livePosition(): number {
    return this.live.index.position;
  }

  matchesLive(copy: PolicyIndexes): boolean {
    return copy.index.toSnapshot().equals(this.live.index.toSnapshot()) && copy.tokens.serialize().equals(this.live.tokens.serialize());
  }

  swapIn(copy: PolicyIndexes): void {
    this.live.index = copy.index;
    this.live.tokens = copy.tokens;
  }

  /** The next cold start loads the rebuilt indexes, not the snapshot of the ones they replaced. */
  afterSwap(): Promise<void> {
    return this.live.snapshot();
  }
}
