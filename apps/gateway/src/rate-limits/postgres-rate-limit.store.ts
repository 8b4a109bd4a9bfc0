import type { Pool } from 'pg';

type Done = (error: Error | null, result?: { current: number; ttl: number }) => void;

/**
 * A store for `@fastify/rate-limit` in the gateway's own PostgreSQL table, so a limit holds across
 * every gateway replica: one fixed window per key, counted by a single upsert.
 */
export function postgresRateLimitStore(pool: Pool) {
  return class PostgresRateLimitStore {
    constructor(readonly options: object = {}) {}

    incr(key: string, done: Done, timeWindow: number): void {
      pool
        .query<{ hits: number; ttl_ms: number }>(
          `INSERT INTO gateway.rate_limit_hits AS h (key, window_start, expires_at, hits)
           VALUES ($1, now(), now() + make_interval(secs => $2 / 1000.0), 1)
           ON CONFLICT (key) DO UPDATE SET
             window_start = CASE WHEN h.expires_at <= now() THEN now() ELSE h.window_start END,
             expires_at = CASE WHEN h.expires_at <= now() THEN now() + make_interval(secs => $2 / 1000.0) ELSE h.expires_at END,
             hits = CASE WHEN h.expires_at <= now() THEN 1 ELSE h.hits + 1 END
           RETURNING hits, greatest(1, ceil(extract(epoch FROM (expires_at - now())) * 1000))::int AS ttl_ms`,
          [key, timeWindow],
        )
        .then(
          ({ rows: [row] }) => done(null, { current: row.hits, ttl: row.ttl_ms }),
          (error: Error) => done(error),
        );
    }

    child(routeOptions: object): PostgresRateLimitStore {
      return new PostgresRateLimitStore({ ...this.options, ...routeOptions });
    }
  };
}

/** Windows that ended: deleted in the background so a flood of addresses leaves no rows behind. */
export async function purgeRateLimitHits(pool: Pool): Promise<number> {
  return (await pool.query('DELETE FROM gateway.rate_limit_hits WHERE expires_at < now()')).rowCount ?? 0;
}
