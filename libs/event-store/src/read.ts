import { Query, type Pool, type PoolClient, type QueryArrayConfig } from 'pg';
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

const PAYLOAD_SQL = `SELECT position, type, schema_version, data FROM event_store.events
                       WHERE position > $1 AND ($2::bigint IS NULL OR position <= $2)
                       ORDER BY position LIMIT $3`;
type PayloadRow = [string, string, number, Record<string, unknown>];

function toPayload([position, type, schemaVersion, data]: PayloadRow, upcasters: Upcasters): EventPayload {
  return upcasters.apply<EventPayload>({ position: Number(position), type, schemaVersion, data });
}

/**
 * Reads the global log in position order, only what a projection applies: position, type, schema
 * version and data. Skips parsing the metadata, the stream id and the time, which catching up over
 * a long log spends as much on as on the data.
 */
export async function readPayloads(db: Queryable, options: ReadAllOptions = {}): Promise<EventPayload[]> {
  const result = await db.query<PayloadRow>({
    text: PAYLOAD_SQL,
    values: [options.after ?? 0, options.to ?? null, options.limit ?? 1000],
    rowMode: 'array',
  });
  const upcasters = options.upcasters ?? defaultUpcasters;
  return result.rows.map((row) => toPayload(row, upcasters));
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
export async function streamPayloads(pool: Pool, options: ReadAllOptions, apply: (events: EventPayload[]) => void): Promise<number> {
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
      let chunk: EventPayload[] = [];
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
          chunk.push(toPayload(row, upcasters));
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
