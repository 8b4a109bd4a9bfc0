import type { Pool } from 'pg';
import type { AuditExportPage, AuditExportQuery } from '@tessera/contracts';
import { readHeadPosition } from '@tessera/event-store';

/** Rows read per query. */
export const EXPORT_PAGE_ROWS = 2_000;
/**
 * NDJSON bytes per page at most (one event longer than this still makes a page of its own). A page
 * travels as a JSON string over NATS, whose escaping can nearly double it: this stays under NATS's
 * default 1 MiB payload.
 */
export const EXPORT_PAGE_BYTES = 384 * 1024;

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
 * One page of the export: the events after `after` up to `head` (the log's head when the export
 * began, read here on the first page), as NDJSON lines. The caller asks again with `after` = the
 * answer's `last` until `done`, so the export is a consistent prefix of the log, read one keyset
 * page at a time, each page only once the previous one was taken.
 */
export async function readExportPage(pool: Pool, query: AuditExportQuery): Promise<AuditExportPage> {
  const head = query.head !== undefined ? Number(query.head) : await readHeadPosition(pool);
  const after = Number(query.after ?? 0);
  const result = await pool.query<{ position: string; line: string }>(
    `SELECT position, ${LINE} AS line
       FROM event_store.events
      WHERE position > $1 AND position <= $2
        AND ($3::timestamptz IS NULL OR recorded_at >= $3) AND ($4::timestamptz IS NULL OR recorded_at < $4)
      ORDER BY position LIMIT $5`,
    [after, head, query.from ?? null, query.to ?? null, EXPORT_PAGE_ROWS],
  );
  const lines: string[] = [];
  let bytes = 0;
  let last = after;
  for (const row of result.rows) {
    const size = Buffer.byteLength(row.line) + 1;
    if (lines.length > 0 && bytes + size > EXPORT_PAGE_BYTES) break;
    lines.push(row.line);
    bytes += size;
    last = Number(row.position);
  }
  const done = lines.length === result.rows.length && result.rows.length < EXPORT_PAGE_ROWS;
  return { ndjson: lines.length > 0 ? lines.join('\n') + '\n' : '', last: String(last), head: String(head), done };
}
