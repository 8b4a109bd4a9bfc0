import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { isDatabaseUnreachable } from './database-errors';
import type { Readiness } from './readiness';

const COMPONENT = 'postgresql';
/** How often an unreachable database is probed, which bounds how late the app notices it is back. */
const PROBE_EVERY_MS = 250;

/**
 * Whether PostgreSQL answers, as one app sees it: a lost connection marks it unreachable (logged
 * once, shown on the app's health subject and so in `/readyz`) until a probe answers again.
 */
export class DatabaseHealth {
  private unreachable: string | undefined;
  private probe: NodeJS.Timeout | undefined;
  private probing = false;
  private pool: Pool | undefined;
  private readonly log = new Logger('PostgreSQL');

  constructor(private readonly readiness?: Readiness) {}

  /** The pool that probes run on; until then, the errors are only noted. */
  watch(pool: Pool): void {
    this.pool = pool;
  }

  get reachable(): boolean {
    return this.unreachable === undefined;
  }

  /** Every error of a connection or a query passes here; only a lost connection counts. */
  observe(error: unknown): void {
    if (this.unreachable !== undefined || !isDatabaseUnreachable(error)) return;
    this.unreachable = (error as Error).message || String(error);
    this.log.warn(`unreachable: ${this.unreachable}`);
    this.readiness?.waitFor(COMPONENT, `unreachable: ${this.unreachable}`);
    this.probe = setInterval(() => void this.check(), PROBE_EVERY_MS);
    this.probe.unref();
  }

  stop(): void {
    if (this.probe) clearInterval(this.probe);
  }

  private async check(): Promise<void> {
    if (this.probing || !this.pool) return;
    this.probing = true;
    try {
      await this.pool.query('SELECT 1');
      this.stop();
      this.log.log(`reachable again (was unreachable: ${this.unreachable})`);
      this.unreachable = undefined;
      this.readiness?.ready(COMPONENT);
    } catch {
      // Still down: the next probe tries again.
    } finally {
      this.probing = false;
    }
  }
}
