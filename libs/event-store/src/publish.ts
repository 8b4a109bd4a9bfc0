import type { NatsConnection } from '@nats-io/transport-node';
import { SUBJECTS, type EventCategory, type EventMessage } from '@tessera/contracts';
import type { RecordedEvent } from './event';

export function toEventMessage(event: RecordedEvent): EventMessage {
  return {
    position: String(event.position),
    type: event.type,
    streamId: event.streamId,
    streamVersion: event.streamVersion,
    schemaVersion: event.schemaVersion,
    recordedAt: event.recordedAt.toISOString(),
    data: event.data,
  };
}

/** Publishes committed events on `tessera.v1.events.<category>`; a lost publish is repaired by the readers' poll. */
export function publishEvents(nats: NatsConnection, category: EventCategory, events: readonly RecordedEvent[]): void {
  const subject = SUBJECTS.events(category);
  for (const event of events) {
    try {
      nats.publish(subject, JSON.stringify(toEventMessage(event)));
    } catch {
      // Closed or draining connection: readers converge through their poll of the log head.
    }
  }
}
