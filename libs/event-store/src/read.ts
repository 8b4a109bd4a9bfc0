import type { Pool, PoolClient } from 'pg';
import type { EventMetadata, EventPayload, RecordedEvent } from './event';
import { upcasters as defaultUpcasters, type Upcasters } from './upcasters';

type Queryable = Pool | PoolClient;

interface EventRow {
  position: string;
  stream_id: string;
  stream_version: number;
  type: string;
  schema_version: number;
  data: Record<string, unknown>;
  metadata: EventMetadata;
  recorded_at: Date;
}

const COLUMNS = 'position, stream_id, stream_version, type, schema_version, data, metadata, recorded_at';

export function toRecordedEvent(row: EventRow, upcasters: Upcasters = defaultUpcasters): RecordedEvent {
  return upcasters.apply({
    position: Number(row.position),
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  });
}

export interface ReadAllOptions {
  /** Read events with a position greater than this. */
  after?: number;
  /** Read events with a position up to and including this. */
  to?: number;
  limit?: number;
  upcasters?: Upcasters;
}

/** Reads the global log in position order. */
export async function readAll(db: Queryable, options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
  const result = await db.query<EventRow>(
    `SELECT ${COLUMNS} FROM event_store.events
      WHERE position > $1 AND ($2::bigint IS NULL OR position <= $2)
      ORDER BY position LIMIT $3`,
    [options.after ?? 0, options.to ?? null, options.limit ?? 1000],
  );
  return result.rows.map((row) => toRecordedEvent(row, options.upcasters));
}

/**
 * Reads the global log in position order, only what a projection applies: position, type, schema
 * version and data. Skips parsing the metadata, the stream id and the time, which catching up over
 * a long log spends as much on as on the data.
 */
export async function readPayloads(db: Queryable, options: ReadAllOptions = {}): Promise<EventPayload[]> {
  const result = await db.query<[string, string, number, Record<string, unknown>]>({
    text: `SELECT position, type, schema_version, data FROM event_store.events
            WHERE position > $1 AND ($2::bigint IS NULL OR position <= $2)
            ORDER BY position LIMIT $3`,
    values: [options.after ?? 0, options.to ?? null, options.limit ?? 1000],
    rowMode: 'array',
  });
  const upcasters = options.upcasters ?? defaultUpcasters;
  return result.rows.map(([position, type, schemaVersion, data]) =>
    upcasters.apply<EventPayload>({ position: Number(position), type, schemaVersion, data }),
  );
}

/** Reads one stream in version order. */
export async function readStream(
  db: Queryable,
  streamId: string,
  options: { fromVersion?: number; upcasters?: Upcasters } = {},
): Promise<RecordedEvent[]> {
  const result = await db.query<EventRow>(
    `SELECT ${COLUMNS} FROM event_store.events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`,
    [streamId, options.fromVersion ?? 1],
  );
  return result.rows.map((row) => toRecordedEvent(row, options.upcasters));
}

/** Position of the last committed event (0 for an empty log). */
export async function readHeadPosition(db: Queryable): Promise<number> {
  const result = await db.query<{ position: string }>('SELECT position FROM event_store.head');
  return Number(result.rows[0]?.position ?? 0);
}
