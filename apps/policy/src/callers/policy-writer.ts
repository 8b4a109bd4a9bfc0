import { writeMetadata } from '@tessera/contracts';
import { Injectable } from '@nestjs/common';
import type { PoolClient } from 'pg';
import type { PolicyEvent, Principal } from '@tessera/contracts';
import { EventStore, type RecordedEvent, type StreamAppend } from '@tessera/event-store';
import { DecisionIndexProjection } from '../decisions/decision-index.projection';

/** Appends policy events with the caller as actor, then waits until this replica's index shows them. */
@Injectable()
export class PolicyWriter {
  constructor(
    private readonly store: EventStore<PolicyEvent>,
    private readonly projection: DecisionIndexProjection,
  ) {}

  /** The log's pool, for reading a stream before deciding on it. */
  get pool() {
    return this.store.pool;
  }

  async write(
    principal: Principal,
    appends: StreamAppend<PolicyEvent> | StreamAppend<PolicyEvent>[],
    project?: (client: PoolClient, events: RecordedEvent<PolicyEvent>[]) => Promise<void>,
  ): Promise<{ revision: string }> {
    const result = await this.store.append(appends, { metadata: { ...writeMetadata(principal) }, project });
    await this.projection.reached(result.position);
    return { revision: String(result.position) };
  }
}
