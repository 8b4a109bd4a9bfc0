import type { Pool } from 'pg';
import { copyRowIn, copyRowsOut } from './copy';

export interface Snapshot {
  name: string;
  position: number;
  data: Buffer;
}

/** Keeps this many snapshots per projection, so a half-read newest one still leaves an older one. */
const SNAPSHOTS_KEPT = 2;

/**
 * Saves a projection's snapshot at a position (replacing one saved there before). The data may be
 * given in parts, streamed to PostgreSQL as they are: a big index is never copied into one buffer.
 */
export async function saveSnapshot(pool: Pool, name: string, position: number, data: Uint8Array | readonly Uint8Array[]): Promise<void> {
  const parts = data instanceof Uint8Array ? [data] : data;
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    // Same columns and storage (uncompressed) as the snapshots, which it is copied into at once.
    await client.query(
      'CREATE TEMPORARY TABLE snapshot_upload (LIKE event_store.snapshots INCLUDING DEFAULTS INCLUDING STORAGE) ON COMMIT DROP',
    );
    const at = Buffer.alloc(8);
    at.writeBigInt64BE(BigInt(position));
    await copyRowIn(client, 'snapshot_upload (name, position, data)', [[Buffer.from(name, 'utf8')], [at], parts]).catch((error: Error) => {
      broken = error;
      throw error;
    });
    await client.query(
      `INSERT INTO event_store.snapshots (name, position, data) SELECT name, position, data FROM snapshot_upload
       ON CONFLICT (name, position) DO UPDATE SET data = excluded.data, created_at = now()`,
    );
    await client.query(
      `DELETE FROM event_store.snapshots WHERE name = $1 AND position NOT IN (
         SELECT position FROM event_store.snapshots WHERE name = $1 ORDER BY position DESC LIMIT $2)`,
      [name, SNAPSHOTS_KEPT],
    );
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    // A connection that failed in the middle of a COPY is not given back to the pool.
    client.release(broken);
  }
}

/** Slices a snapshot is read in: PostgreSQL reads only their TOAST chunks, the driver never holds a whole one. */
const SLICE = 1 << 20;

/**
 * The newest snapshot of a projection, read with a binary COPY (its bytes as they are, not as hex
 * text) in slices copied straight into one buffer. A compressed value (stored before snapshots were
 * kept uncompressed) is read in one piece instead: each slice would decompress it from its start.
 */
export async function loadLatestSnapshot(pool: Pool, name: string): Promise<Snapshot | undefined> {
  const client = await pool.connect();
  try {
    const literal = client.escapeLiteral(name);
    let snapshot: Snapshot | undefined;
    let filled = 0;
    await copyRowsOut(
      client,
      `COPY (
         SELECT s.position, octet_length(s.data)::bigint, substring(s.data FROM part.at FOR step.size)
           FROM (SELECT position FROM event_store.snapshots WHERE name = ${literal} ORDER BY position DESC LIMIT 1) latest
           JOIN event_store.snapshots s ON s.name = ${literal} AND s.position = latest.position
          CROSS JOIN LATERAL (SELECT CASE WHEN pg_column_compression(s.data) IS NULL THEN ${SLICE}
                                          ELSE greatest(octet_length(s.data), 1) END AS size) step
          CROSS JOIN LATERAL generate_series(1, greatest(octet_length(s.data), 1), step.size) AS part(at)
          ORDER BY part.at
       ) TO STDOUT (FORMAT binary)`,
      ([position, length, slice]) => {
        if (!position || !length || !slice) throw new Error(`snapshot ${name}: a null in its slices`);
        snapshot ??= { name, position: Number(position.readBigInt64BE(0)), data: Buffer.allocUnsafe(Number(length.readBigInt64BE(0))) };
        if (filled + slice.length > snapshot.data.length) throw new Error(`snapshot ${name} longer than announced`);
        filled += slice.copy(snapshot.data, filled);
      },
    );
    if (snapshot && filled !== snapshot.data.length) throw new Error(`snapshot ${name} cut short`);
    return snapshot;
  } finally {
    client.release();
  }
}
