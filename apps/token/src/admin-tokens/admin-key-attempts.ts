import type { Pool } from 'pg';

export const ADMIN_KEY_TRIES_PER_MINUTE = 10;

/**
 * Counts an admin-key try of a client address in a fixed one-minute window, in PostgreSQL so the
 * limit holds across every gateway and token replica. Returns the count and the seconds left.
 */
export async function countAdminKeyTry(pool: Pool, address: string): Promise<{ attempts: number; retryAfter: number }> {
  const result = await pool.query<{ attempts: number; retry_after: number }>(
    `INSERT INTO token.admin_key_attempts AS a (address, window_start, attempts) VALUES ($1, now(), 1)
     ON CONFLICT (address) DO UPDATE SET
       window_start = CASE WHEN a.window_start <= now() - interval '1 minute' THEN now() ELSE a.window_start END,
       attempts = CASE WHEN a.window_start <= now() - interval '1 minute' THEN 1 ELSE a.attempts + 1 END
     RETURNING attempts, ceil(extract(epoch FROM (window_start + interval '1 minute' - now())))::int AS retry_after`,
    [address],
  );
  const row = result.rows[0];
  return { attempts: row.attempts, retryAfter: Math.max(1, row.retry_after) };
}
