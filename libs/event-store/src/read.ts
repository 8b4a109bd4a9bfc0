import { Query, type Pool, type PoolClient, type QueryArrayConfig } from 'pg';
import type { Event } from '@tessera/contracts';
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

/**
 * A row of the log as an event of the union `E`. The one place a stored event becomes typed: the
 * upcasters lift old schema versions to the shape `E` declares.
 */
function toRecordedEvent<E extends Event>(row: EventRow, upcasters: Upcasters): RecordedEvent<E> {
  return upcasters.apply({
    position: Number(row.position),
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    type: row.type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: row.metadata,
    recordedAt: row.recorded_at,
  }) as RecordedEvent<E>;
}

export interface ReadAllOptions {
  /** Read events with a position greater than this. */
  after?: number;
  /** Read events with a position up to and including this. */
  to?: number;
  limit?: number;
  upcasters?: Upcasters;
}

/** Reads the global log in position order, as events of the union `E` (TesseraEvent for the whole log). */
export async function readAll<E extends Event = Event>(db: Queryable, options: ReadAllOptions = {}): Promise<RecordedEvent<E>[]> {
  const result = await db.query<EventRow>(
    `SELECT ${COLUMNS} FROM event_store.events
      WHERE position > $1 AND ($2::bigint IS NULL OR position <= $2)
      ORDER BY position LIMIT $3`,
    [options.after ?? 0, options.to ?? null, options.limit ?? 1000],
  );
  const upcasters = options.upcasters ?? defaultUpcasters;
  return result.rows.map((row) => toRecordedEvent<E>(row, upcasters));
}

const PAYLOAD_SQL = `SELECT position, type, schema_version, data FROM event_store.events
                       WHERE position > $1 AND ($2::bigint IS NULL OR position <= $2)
                       ORDER BY position LIMIT $3`;
type PayloadRow = [string, string, number, Record<string, unknown>];

function toPayload<E extends Event>([position, type, schemaVersion, data]: PayloadRow, upcasters: Upcasters): EventPayload<E> {
  return upcasters.apply({ position: Number(position), type, schemaVersion, data }) as EventPayload<E>;
}

/**
 * Reads the global log in position order, only what a projection applies: position, type, schema
 * version and data. Skips parsing the metadata, the stream id and the time, which catching up over
 * a long log spends as much on as on the data.
 */
export async function readPayloads<E extends Event = Event>(db: Queryable, options: ReadAllOptions = {}): Promise<EventPayload<E>[]> {
  const result = await db.query<PayloadRow>({
    text: PAYLOAD_SQL,
    values: [options.after ?? 0, options.to ?? null, options.limit ?? 1000],
    rowMode: 'array',
  });
  const upcasters = options.upcasters ?? defaultUpcasters;
  return result.rows.map((row) => toPayload<E>(row, upcasters));
}

/** Events handed to `apply` at a time while streaming. */
const STREAM_CHUNK = 500;

/**
 * As readPayloads, but hands the events to `apply` in small chunks while PostgreSQL is still sending
 * the rest, instead of holding them all: applied events are garbage at once, which a catch-up over
 * a million events otherwise pays for in young-generation copies. The first throw of `apply` stops
 * the applying (the rest of the rows are read and dropped) and rejects with it. Resolves with the
 * number of events read.
 */
export async function streamPayloads<E extends Event = Event>(
  pool: Pool,
  options: ReadAllOptions,
  apply: (events: EventPayload<E>[]) => void,
): Promise<number> {
  const upcasters = options.upcasters ?? defaultUpcasters;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    return await new Promise<number>((resolve, reject) => {
      const config: QueryArrayConfig = {
        text: PAYLOAD_SQL,
        values: [options.after ?? 0, options.to ?? null, options.limit ?? 1000],
        rowMode: 'array',
      };
      // With a 'row' listener and no callback, node-postgres hands rows over without keeping them.
      const query = new Query<PayloadRow>(config);
      let chunk: EventPayload<E>[] = [];
      let read = 0;
      let failure: { error: unknown } | undefined;
      const flush = () => {
        const events = chunk;
        chunk = [];
        if (events.length === 0 || failure) return;
        try {
          apply(events);
        } catch (error) {
          failure = { error };
        }
      };
      query.on('row', (row: PayloadRow) => {
        read += 1;
        if (failure) return;
        try {
          chunk.push(toPayload<E>(row, upcasters));
        } catch (error) {
          failure = { error };
          return;
        }
        if (chunk.length >= STREAM_CHUNK) flush();
      });
      query.on('end', () => {
        flush();
        if (failure) reject(failure.error as Error);
        else resolve(read);
      });
      query.on('error', (error: Error) => {
        broken = error;
        reject(error);
      });
      client.query(query);
    });
  } finally {
    // A client whose query failed may be in any state: it is not given back to the pool.
    client.release(broken);
  }
}

/** Reads one stream in version order, as events of the union `E` (the stream's own events). */
export async function readStream<E extends Event = Event>(
  db: Queryable,
  streamId: string,
  options: { fromVersion?: number; upcasters?: Upcasters } = {},
): Promise<RecordedEvent<E>[]> {
  const result = await db.query<EventRow>(
    `SELECT ${COLUMNS} FROM event_store.events WHERE stream_id = $1 AND stream_version >= $2 ORDER BY stream_version`,
    [streamId, options.fromVersion ?? 1],
  );
  const upcasters = options.upcasters ?? defaultUpcasters;
  return result.rows.map((row) => toRecordedEvent<E>(row, upcasters));
}

/** Position of the last committed event (0 for an empty log). */
export async function readHeadPosition(db: Queryable): Promise<number> {
  const result = await db.query<{ position: string }>('SELECT position FROM event_store.head');
  return Number(result.rows[0]?.position ?? 0);
}
