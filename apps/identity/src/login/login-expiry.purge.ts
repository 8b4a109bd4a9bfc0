import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@tessera/platform';

const PURGE_EVERY_MS = 60_000;
/** Rows deleted per statement, so a purge after a flood never holds many locks at once. */
const PURGE_BATCH = 5_000;

/**
 * Expired pending logins and one-time codes go in the background (by an index on `expires_at`),
 * never on a request's path: a flood of `/auth/login` then costs one insert each, nothing more.
 * Every replica purges; the deletes are idempotent.
 */
@Injectable()
export class LoginExpiryPurge implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;
  private readonly log = new Logger('LoginExpiryPurge');

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  onApplicationBootstrap(): void {
    void this.purge();
    this.timer = setInterval(() => void this.purge(), PURGE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }

  async purge(): Promise<void> {
    try {
      // Device logins stay an hour past expiry, so a late poll still hears `expired_token`.
      for (const [table, expired] of [
        ['identity.login_states', 'expires_at < now()'],
        ['identity.login_codes', 'expires_at < now()'],
        ['identity.device_requests', "expires_at < now() - interval '1 hour'"],
      ]) {
        let deleted: number;
        do {
          deleted =
            (await this.pool.query(`DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${expired} LIMIT ${PURGE_BATCH})`))
              .rowCount ?? 0;
        } while (deleted === PURGE_BATCH);
      }
    } catch (error) {
      this.log.warn(`purging expired logins failed: ${(error as Error).message}`);
    }
  }
}
