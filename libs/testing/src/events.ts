import type { TesseraEvent } from '@tessera/contracts';
import type { RecordedEvent } from '@tessera/event-store';

/**
 * Events as the log would hand them to a projection, for unit tests without PostgreSQL: each call
 * records one more, at the next position (counted per sequence).
 */
export function eventSequence(after = 0): (event: TesseraEvent, recordedAt?: Date) => RecordedEvent<TesseraEvent> {
  let position = after;
  return (event, recordedAt = new Date()) => {
    position += 1;
    return { ...event, position, streamId: 'test', streamVersion: position, schemaVersion: 1, metadata: {}, recordedAt };
  };
}
