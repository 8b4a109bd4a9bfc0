import type { Pool } from 'pg';

export interface Snapshot {
  name: string;
  position: number;
  data: Buffer;
}

/** Keeps this many snapshots per projection, so a half-read newest one still leaves an older one. */
const SNAPSHOTS_KEPT = 2;

export async function saveSnapshot(pool: Pool, name: string, position: number, data: Buffer): Promise<void> {
  await pool.query(
    `INSERT INTO event_store.snapshots (name, position, data) VALUES ($1, $2, $3)
     ON CONFLICT (name, position) DO UPDATE SET data = excluded.data, created_at = now()`,
    [name, position, data],
  );
  await pool.query(
    `DELETE FROM event_store.snapshots WHERE name = $1 AND position NOT IN (
       SELECT position FROM event_store.snapshots WHERE name = $1 ORDER BY position DESC LIMIT $2)`,
    [name, SNAPSHOTS_KEPT],
  );
}

export async function loadLatestSnapshot(pool: Pool, name: string): Promise<Snapshot | undefined> {
  const result = await pool.query<{ position: string; data: Buffer }>(
    'SELECT position, data FROM event_store.snapshots WHERE name = $1 ORDER BY position DESC LIMIT 1',
    [name],
  );
  const row = result.rows[0];
  return row ? { name, position: Number(row.position), data: row.data } : undefined;
}
