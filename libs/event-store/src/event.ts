import type { Event } from '@tessera/contracts';

/** Who did it and why: stored beside every event, never holding a secret. */
export interface EventMetadata {
  /** User or service-account id of the caller, or `system`. */
  actor?: string;
  /** Written with an impersonation token: the admin behind it (the actor is the impersonated user). */
  impersonatedBy?: string;
  correlationId?: string;
  causationId?: string;
  [extra: string]: unknown;
}

/**
 * An event to append: one of the union `E` (its type and data), with an optional schema version
 * (old versions are upcast on read; defaults to 1) and metadata.
 */
export type NewEvent<E extends Event = Event> = E & { schemaVersion?: number; metadata?: EventMetadata };

/** What the log stores beside an event's type and data. */
export interface RecordedFields {
  position: number;
  streamId: string;
  streamVersion: number;
  schemaVersion: number;
  metadata: EventMetadata;
  recordedAt: Date;
}

/** An event of the union `E` as read from the log: `switch (event.type)` narrows `event.data`. */
export type RecordedEvent<E extends Event = Event> = E & RecordedFields;

/** What a projection needs of a recorded event (see readPayloads): no stream, metadata or time. */
export type EventPayload<E extends Event = Event> = E & Pick<RecordedFields, 'position' | 'schemaVersion'>;

/** `no_stream`: the stream must not exist yet; `any`: no check; a number: the stream's current version. */
export type ExpectedVersion = number | 'no_stream' | 'any';

export interface StreamAppend<E extends Event = Event> {
  streamId: string;
  expectedVersion?: ExpectedVersion;
  events: NewEvent<E>[];
}
