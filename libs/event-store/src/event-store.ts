import type { NatsConnection } from '@nats-io/transport-node';
import type { Pool } from 'pg';
import type { Event, EventCategory } from '@tessera/contracts';
import { appendToStreams, type AppendOptions, type AppendResult } from './append';
import type { StreamAppend } from './event';
import { publishEvents } from './publish';

/**
 * An app's handle on the log: appends, then publishes what it committed under the app's category.
 * Inject it typed by the app's events (`EventStore<IdentityEvent>`) so an append takes only those.
 */
export class EventStore<E extends Event = Event> {
  constructor(
    readonly pool: Pool,
    private readonly category: EventCategory,
    private readonly nats?: NatsConnection,
  ) {}

  async append(appends: StreamAppend<E> | StreamAppend<E>[], options?: AppendOptions<E>): Promise<AppendResult<E>> {
    const result = await appendToStreams(this.pool, Array.isArray(appends) ? appends : [appends], options);
    if (this.nats) publishEvents(this.nats, this.category, result.events);
    return result;
  }
}
