import type { Pool } from 'pg';
import type { AuditExportQuery } from '@tessera/contracts';
import { copyRowsOut, readHeadPosition } from '@tessera/event-store';

/**
 * Events per page: one COPY each. Large, so PostgreSQL spends its time building lines, not waiting
 * for the gateway to ask for the next page (a round trip per page); the bytes leave as they come.
 */
export const EXPORT_PAGE_ROWS = 10_000;

/**
 * One NDJSON line per event, built by PostgreSQL (json_build_object keeps the key order and embeds
 * the stored jsonb as it is, so Node neither parses nor re-serialises the payloads). Events are
 * exported as stored, with their schemaVersion: an export is a faithful copy of the log.
 */
export const EXPORT_LINE = `json_build_object(
  'position', position::text, 'type', type, 'streamId', stream_id, 'streamVersion', stream_version,
  'schemaVersion', schema_version, 'recordedAt', to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
  'actor', metadata->'actor', 'metadata', metadata, 'data', data)::text`;

export interface ExportPageEnd {
  /** Position of the page's last event (`after` when the page is empty). */
  last: string;
  head: string;
  /** No event is left up to `head`. */
  done: boolean;
}

/**
 * One page of the export: the events after `after` up to `head` (the log's head when the export
 * began, read here on the first page), each line handed to `onLine` (without its newline) as
 * PostgreSQL sends it, up to EXPORT_PAGE_ROWS events and `maxBytes` bytes (the page ends before the first line that
 * would pass them; one line longer than that still makes a page of its own), from one binary COPY of the position and the line's text (binary, so the
 * text arrives as it is, unescaped). The caller asks again with `after` = `last` until `done`, so
 * the export is a consistent prefix of the log, one keyset page at a time. `onLine` gets a view
 * valid only during the call.
 */
export async function copyExportPage(
  pool: Pool,
  query: AuditExportQuery,
  maxBytes: number,
  onLine: (line: Buffer) => void,
): Promise<ExportPageEnd> {
  const head = query.head !== undefined ? position(query.head) : String(await readHeadPosition(pool));
  const after = position(query.after ?? '0');
  const client = await pool.connect();
  let rows = 0;
  let kept = 0;
  let bytes = 0;
  let full = false;
  const lastRow = Buffer.alloc(8);
  try {
    // COPY takes no parameters: the positions are integers, the times quoted literals PostgreSQL parses as before.
    const range = [
      query.from !== undefined ? `AND recorded_at >= ${client.escapeLiteral(query.from)}::timestamptz` : '',
      query.to !== undefined ? `AND recorded_at < ${client.escapeLiteral(query.to)}::timestamptz` : '',
    ].join(' ');
    await copyRowsOut(
      client,
      `COPY (SELECT position, ${EXPORT_LINE} FROM event_store.events
              WHERE position > ${after} AND position <= ${head} ${range}
              ORDER BY position LIMIT ${EXPORT_PAGE_ROWS}) TO STDOUT (FORMAT binary)`,
      ([at, line]) => {
        rows += 1;
        // Past the bound the rest of the COPY is read and dropped: the next page starts there.
        if (full || (kept > 0 && bytes + line!.length + 1 > maxBytes)) {
          full = true;
          return;
        }
        kept += 1;
        bytes += line!.length + 1;
        at!.copy(lastRow);
        onLine(line!);
      },
    );
  } finally {
    client.release();
  }
  return { last: kept > 0 ? String(lastRow.readBigInt64BE()) : after, head, done: !full && rows < EXPORT_PAGE_ROWS };
}

/** Log positions as decimal strings (a bigint column), as PostgreSQL writes them. */
export const LOG_POSITION = /^\d{1,18}$/;

/** The position as it goes into the SQL text: digits only. */
function position(value: string): string {
  if (!LOG_POSITION.test(value)) throw new RangeError(`${value} is not a log position`);
  return String(BigInt(value));
}
