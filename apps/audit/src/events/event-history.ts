import type { Pool } from 'pg';
import { TesseraError, type AuditEventItem, type AuditEventsPage, type AuditEventsQuery } from '@tessera/contracts';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 500;

interface HistoryRow {
  position: string;
  type: string;
  stream_id: string;
  recorded_at: Date;
  actor: string | null;
  impersonated_by?: string | null;
  data: Record<string, unknown>;
}

/**
 * The filtered event log, in position order, one page at a time. Every filter is an equality on an
 * indexed expression (see the audit migration) and the cursor is the last position shown, so a page
 * costs the same at the end of a long log as at its start.
 */
export async function readEventHistory(pool: Pool, query: AuditEventsQuery): Promise<AuditEventsPage> {
  const limit = parseLimit(query.limit);
  const conditions: string[] = [];
  const values: unknown[] = [];
  const bind = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const after = Math.max(parsePosition('after', query.after) ?? 0, parsePosition('cursor', query.cursor) ?? 0);
  conditions.push(`position > ${bind(after)}`);
  if (query.type) conditions.push(`type = ${bind(query.type)}`);
  if (query.streamId) conditions.push(`stream_id = ${bind(query.streamId)}`);
  if (query.actor) conditions.push(`metadata->>'actor' = ${bind(query.actor)}`);
  if (query.user) {
    const user = bind(query.user);
    conditions.push(`(data->>'userId' = ${user} OR stream_id = 'user-' || ${user})`);
  }
  if (query.dataset) {
    const ids = await datasetIds(pool, query.dataset);
    conditions.push(`(data->>'datasetId' = ANY(${bind(ids)}) OR stream_id = ANY(${bind(ids.map((id) => `dataset-${id}`))}))`);
  }
  if (query.from) conditions.push(`recorded_at >= ${bind(parseTime('from', query.from))}`);
  if (query.to) conditions.push(`recorded_at < ${bind(parseTime('to', query.to))}`);
  const result = await pool.query<HistoryRow>(
    `SELECT position, type, stream_id, recorded_at, metadata->>'actor' AS actor, metadata->>'impersonatedBy' AS impersonated_by, data
       FROM event_store.events WHERE ${conditions.join(' AND ')} ORDER BY position LIMIT ${bind(limit + 1)}`,
    values,
  );
  const rows = result.rows.slice(0, limit);
  const items = rows.map(toAuditEventItem);
  return { items, nextCursor: result.rows.length > limit ? items[items.length - 1].position : null };
}

export function toAuditEventItem(row: HistoryRow): AuditEventItem {
  return {
    position: String(row.position),
    type: row.type,
    streamId: row.stream_id,
    recordedAt: row.recorded_at.toISOString(),
    actor: row.actor ?? null,
    // The admin who wrote it with an impersonation token, beside the impersonated user in `actor`.
    ...(row.impersonated_by ? { impersonatedBy: row.impersonated_by } : {}),
    data: row.data,
  };
}

/** A dataset named by id, or by any name it ever had (names are matched exactly). */
async function datasetIds(pool: Pool, idOrName: string): Promise<string[]> {
  const named = await pool.query<{ id: string }>(
    `SELECT DISTINCT data->>'datasetId' AS id FROM event_store.events
      WHERE type IN ('DatasetCreated', 'DatasetUpdated') AND data->>'name' = $1`,
    [idOrName],
  );
  return [idOrName, ...named.rows.map((row) => row.id)];
}

function parseLimit(raw: unknown): number {
  if (raw === undefined || raw === null || raw === '') return DEFAULT_LIMIT;
  const limit = Number(raw);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    throw badField('limit', `must be an integer from 1 to ${MAX_LIMIT}`);
  }
  return limit;
}

export function parsePosition(field: string, raw: unknown): number | undefined {
  if (raw === undefined || raw === null || raw === '') return undefined;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) throw badField(field, 'must be an event position (a decimal number)');
  return Number(raw);
}

export function parseTime(field: string, raw: unknown): Date {
  const time = typeof raw === 'string' && /^\d{4}-\d{2}-\d{2}/.test(raw) ? new Date(raw) : new Date(NaN);
  if (Number.isNaN(time.getTime())) throw badField(field, 'must be an ISO 8601 time');
  return time;
}

export function badField(field: string, problem: string): TesseraError {
  return new TesseraError('bad_request', `${field}: ${problem}`, [{ field, problems: [problem] }]);
}
