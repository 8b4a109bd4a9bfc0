import type { NatsConnection } from '@nats-io/transport-node';
import type { Pool } from 'pg';
import type { EventCategory } from '@tessera/contracts';
import { appendToStreams, type AppendOptions, type AppendResult } from './append';
import type { StreamAppend } from './event';
import { publishEvents } from './publish';

/** An app's handle on the log: appends, then publishes what it committed under the app's category. */
export class EventStore {
  constructor(
    readonly pool: Pool,
    private readonly category: EventCategory,
    private readonly nats?: NatsConnection,
  ) {}

  async append(appends: StreamAppend | StreamAppend[], options?: AppendOptions): Promise<AppendResult> {
    const result = await appendToStreams(this.pool, Array.isArray(appends) ? appends : [appends], options);
    if (this.nats) publishEvents(this.nats, this.category, result.events);
    return result;
  }
}
