import { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { readHeadPosition } from '@tessera/event-store';

/** Rows read per query: the export holds about one page (a few MB at most) in memory, however long the log. */
export const EXPORT_PAGE_SIZE = 2_000;

/**
 * One NDJSON line per event, built by PostgreSQL (json_build_object keeps the key order and embeds
 * the stored jsonb as it is, so Node neither parses nor re-serialises the payloads). Events are
 * exported as stored, with their schemaVersion: an export is a faithful copy of the log.
 */
const LINE = `json_build_object(
  'position', position::text, 'type', type, 'streamId', stream_id, 'streamVersion', stream_version,
  'schemaVersion', schema_version, 'recordedAt', to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'actor', metadata->'actor', 'metadata', metadata, 'data', data)::text`;

/**
 * The log as NDJSON, read by the gateway straight from PostgreSQL (the log is everyone's; no NATS
 * hop, no message-size limit) one keyset page at a time, up to the head as it stood when the export
 * began, so the export is a consistent prefix of the log. The stream is pulled: the next page is
 * read only when the client has taken the previous one (TCP back-pressure reaches the query loop),
 * and a client that disconnects stops the loop.
 */
export function exportLog(pool: Pool, range: { from?: string; to?: string; after?: string }): Readable {
  async function* pages(): AsyncGenerator<string> {
    const head = await readHeadPosition(pool);
    let after = Number(range.after ?? 0);
    for (;;) {
      const result = await pool.query<{ position: string; line: string }>(
        `SELECT position, ${LINE} AS line
           FROM event_store.events
          WHERE position > $1 AND position <= $2
            AND ($3::timestamptz IS NULL OR recorded_at >= $3) AND ($4::timestamptz IS NULL OR recorded_at < $4)
          ORDER BY position LIMIT $5`,
        [after, head, range.from ?? null, range.to ?? null, EXPORT_PAGE_SIZE],
      );
      if (result.rows.length === 0) return;
      yield result.rows.map((row) => row.line).join('\n') + '\n';
      after = Number(result.rows[result.rows.length - 1].position);
      if (result.rows.length < EXPORT_PAGE_SIZE) return;
    }
  }
  return Readable.from(pages(), { objectMode: false, highWaterMark: 64 * 1024 });
}
