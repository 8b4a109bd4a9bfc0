import type { Pool, PoolClient } from 'pg';
import type { Event } from '@tessera/contracts';
import { inSpan, metrics, secondsSince } from '@tessera/observability';
import { ConcurrencyError } from './concurrency-error';
import type { EventMetadata, RecordedEvent, StreamAppend } from './event';
import { isUniqueViolation } from './unique-violation';

export interface AppendOptions<E extends Event = Event> {
  /** Metadata merged into every event of this append (actor, correlation id). */
  metadata?: EventMetadata;
  /**
   * Inline projection: runs in the append's transaction after the events are inserted, so a
   * read model changes together with the log or not at all. Throwing rolls everything back.
   */
  project?: (client: PoolClient, events: RecordedEvent<E>[]) => Promise<void>;
  /** Fixed recording time, for scripted histories in tests. */
  recordedAt?: Date;
}

export interface AppendResult<E extends Event = Event> {
  events: RecordedEvent<E>[];
  /** Position of the last event appended: the `revision` the write answers with. */
  position: number;
}

const appended = metrics.appendDuration.child('ok');
const refused = metrics.appendDuration.child('conflict');
const failed = metrics.appendDuration.child('error');

/** Appends to several streams atomically, each checked against its expected version. */
export async function appendToStreams<E extends Event>(
  pool: Pool,
  appends: StreamAppend<E>[],
  options: AppendOptions<E> = {},
): Promise<AppendResult<E>> {
  const count = appends.reduce((sum, append) => sum + append.events.length, 0);
  if (count === 0) throw new Error('appendToStreams needs at least one event');
  const started = performance.now();
  try {
    const result = await inSpan('event-store append', { 'tessera.stream': appends[0].streamId, 'tessera.events': count }, () =>
      appendInTransaction(pool, appends, options),
    );
    appended.observe(secondsSince(started));
    return result;
  } catch (error) {
    (error instanceof ConcurrencyError ? refused : failed).observe(secondsSince(started));
    throw error;
  }
}

async function appendInTransaction<E extends Event>(
  pool: Pool,
  appends: StreamAppend<E>[],
  options: AppendOptions<E>,
): Promise<AppendResult<E>> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const head = await client.query<{ position: string }>('SELECT position FROM event_store.head FOR UPDATE');
    let position = Number(head.rows[0].position);
    const rows = {
      position: [] as number[],
      stream: [] as string[],
      version: [] as number[],
      type: [] as string[],
      schema: [] as number[],
      data: [] as string[],
      metadata: [] as string[],
    };
    for (const append of appends) {
      let version = await currentVersion(client, append);
      for (const event of append.events) {
        rows.position.push(++position);
        rows.stream.push(append.streamId);
        rows.version.push(++version);
        rows.type.push(event.type);
        rows.schema.push(event.schemaVersion ?? 1);
        rows.data.push(JSON.stringify(event.data));
        rows.metadata.push(JSON.stringify({ ...options.metadata, ...event.metadata }));
      }
    }
    const inserted = await client.query<{ recorded_at: Date }>(
      `INSERT INTO event_store.events (position, stream_id, stream_version, type, schema_version, data, metadata, recorded_at)
       SELECT p, s, v, t, sv, d, m, coalesce($8::timestamptz, clock_timestamp())
         FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::int[], $6::jsonb[], $7::jsonb[]) AS x(p, s, v, t, sv, d, m)
       RETURNING recorded_at`,
      [rows.position, rows.stream, rows.version, rows.type, rows.schema, rows.data, rows.metadata, options.recordedAt ?? null],
    );
    await client.query('UPDATE event_store.head SET position = $1', [position]);
    // The events as stored (data through JSON, as a reader gets it), each still of its own type in E.
    const events = rows.position.map(
      (eventPosition, index) =>
        ({
          position: eventPosition,
          streamId: rows.stream[index],
          streamVersion: rows.version[index],
          type: rows.type[index],
          schemaVersion: rows.schema[index],
          data: JSON.parse(rows.data[index]) as object,
          metadata: JSON.parse(rows.metadata[index]) as EventMetadata,
          recordedAt: inserted.rows[index].recorded_at,
        }) as RecordedEvent<E>,
    );
    await options.project?.(client, events);
    await client.query('COMMIT');
    return { events, position };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    if (isUniqueViolation(error, 'events_stream_version_unique')) {
      throw new ConcurrencyError(appends[0].streamId, 'unknown', -1);
    }
    throw error;
  } finally {
    client.release();
  }
}

export function appendToStream<E extends Event>(pool: Pool, append: StreamAppend<E>, options?: AppendOptions<E>): Promise<AppendResult<E>> {
  return appendToStreams(pool, [append], options);
}

async function currentVersion(client: PoolClient, append: StreamAppend<Event>): Promise<number> {
  const result = await client.query<{ version: number }>(
    'SELECT coalesce(max(stream_version), 0)::int AS version FROM event_store.events WHERE stream_id = $1',
    [append.streamId],
  );
  const actual = result.rows[0].version;
  const expected = append.expectedVersion ?? 'any';
  if (expected === 'any') return actual;
  const wanted = expected === 'no_stream' ? 0 : expected;
  if (actual !== wanted) throw new ConcurrencyError(append.streamId, String(expected), actual);
  return actual;
}
