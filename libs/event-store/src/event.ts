/** Who did it and why: stored beside every event, never holding a secret. */
export interface EventMetadata {
  /** User or service-account id of the caller, or `system`. */
  actor?: string;
  correlationId?: string;
  causationId?: string;
  [extra: string]: unknown;
}

export interface NewEvent<Data extends object = Record<string, unknown>> {
  type: string;
  data: Data;
  /** Version of the event's data shape; old versions are upcast on read. Defaults to 1. */
  schemaVersion?: number;
  metadata?: EventMetadata;
}

export interface RecordedEvent<Data extends object = Record<string, unknown>> {
  position: number;
  streamId: string;
  streamVersion: number;
  type: string;
  schemaVersion: number;
  data: Data;
  metadata: EventMetadata;
  recordedAt: Date;
}

/** What a projection needs of a recorded event (see readPayloads): no stream, metadata or time. */
export type EventPayload<Data extends object = Record<string, unknown>> = Pick<
  RecordedEvent<Data>,
  'position' | 'type' | 'schemaVersion' | 'data'
>;

/** `no_stream`: the stream must not exist yet; `any`: no check; a number: the stream's current version. */
export type ExpectedVersion = number | 'no_stream' | 'any';

export interface StreamAppend {
  streamId: string;
  expectedVersion?: ExpectedVersion;
  events: NewEvent<object>[];
}

/** The category of a stream id (`token-…` → `token`), used by readers that filter. */
export function streamCategory(streamId: string): string {
  const dash = streamId.indexOf('-');
  return dash === -1 ? streamId : streamId.slice(0, dash);
}
