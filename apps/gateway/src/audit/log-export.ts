import { Readable } from 'node:stream';
import type { Pool } from 'pg';
import { readHeadPosition } from '@tessera/event-store';

/** Rows read per query: the export holds about one page in memory, however long the log. */
export const EXPORT_PAGE_SIZE = 1_000;

interface ExportRow {
  position: string;
  type: string;
  stream_id: string;
  stream_version: number;
  schema_version: number;
  recorded_at: Date;
  metadata: { actor?: string } & Record<string, unknown>;
  data: Record<string, unknown>;
}

/**
 * The log as NDJSON, read by the gateway straight from PostgreSQL (the log is everyone's) one keyset
 * page at a time, up to the head as it stood when the export began, so the export is a consistent
 * prefix of the log. The stream is pulled: the next page is read only when the client has taken the
 * previous one (TCP back-pressure reaches the query loop), and a disconnect stops the loop.
 */
export function exportLog(pool: Pool, range: { from?: string; to?: string }): Readable {
  async function* pages(): AsyncGenerator<string> {
    const head = await readHeadPosition(pool);
    let after = 0;
    for (;;) {
      const result = await pool.query<ExportRow>(
        `SELECT position, type, stream_id, stream_version, schema_version, recorded_at, metadata, data
           FROM event_store.events
          WHERE position > $1 AND position <= $2
            AND ($3::timestamptz IS NULL OR recorded_at >= $3) AND ($4::timestamptz IS NULL OR recorded_at < $4)
          ORDER BY position LIMIT $5`,
        [after, head, range.from ?? null, range.to ?? null, EXPORT_PAGE_SIZE],
      );
      if (result.rows.length === 0) return;
      yield result.rows.map(toLine).join('');
      after = Number(result.rows[result.rows.length - 1].position);
      if (result.rows.length < EXPORT_PAGE_SIZE) return;
    }
  }
  return Readable.from(pages(), { objectMode: false, highWaterMark: 64 * 1024 });
}

function toLine(row: ExportRow): string {
  return (
    JSON.stringify({
      position: String(row.position),
      type: row.type,
      streamId: row.stream_id,
      streamVersion: row.stream_version,
      schemaVersion: row.schema_version,
      recordedAt: row.recorded_at.toISOString(),
      actor: row.metadata?.actor ?? null,
      metadata: row.metadata,
      data: row.data,
    }) + '\n'
  );
}
