import type { Pool } from 'pg';

/** Upserts a batch of uses, keeping the latest time per token: one statement per gateway flush. */
export async function recordUses(pool: Pool, uses: [string, number][]): Promise<void> {
  if (uses.length === 0) return;
  await pool.query(
    `INSERT INTO token.token_last_used (token_id, last_used_at)
     SELECT id, to_timestamp(ms / 1000.0) FROM unnest($1::uuid[], $2::float8[]) AS u(id, ms)
     ON CONFLICT (token_id) DO UPDATE SET last_used_at = GREATEST(token.token_last_used.last_used_at, excluded.last_used_at)`,
    [uses.map((use) => use[0]), uses.map((use) => use[1])],
  );
}

export async function lastUsedOf(pool: Pool, tokenIds: string[]): Promise<Map<string, string>> {
  if (tokenIds.length === 0) return new Map();
  const result = await pool.query<{ token_id: string; last_used_at: Date }>(
    'SELECT token_id, last_used_at FROM token.token_last_used WHERE token_id = ANY($1::uuid[])',
    [tokenIds],
  );
  return new Map(result.rows.map((row) => [row.token_id, row.last_used_at.toISOString()]));
}
