import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Pool } from 'pg';
import { NATS_APPS, SUBJECTS, TesseraError, type HealthReply } from '@tessera/contracts';
import { natsLinkOf, TesseraClient } from '@tessera/messaging';
import { PG_POOL, Readiness } from '@tessera/platform';

const HEALTH_TIMEOUT_MS = 1_000;

@ApiTags('health')
@Controller()
export class HealthController {
  constructor(
    private readonly client: TesseraClient,
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly readiness: Readiness,
  ) {}

  @Get('healthz')
  @ApiOperation({ summary: 'The gateway process is alive' })
  healthz(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('readyz')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({ summary: 'Every app answers over NATS, PostgreSQL answers, every in-memory index has caught up' })
  async readyz(): Promise<{ status: 'ready'; apps: Record<string, HealthReply> }> {
    const notReady: Record<string, string> = { ...this.readiness.report().notReady };
    const apps: Record<string, HealthReply> = {};
    const natsDown = natsLinkOf(this.client.nats)?.connected === false;
    if (natsDown) notReady.nats = 'disconnected; reconnecting';
    const checks = (natsDown ? [] : NATS_APPS).map(async (app) => {
      try {
        apps[app] = await this.client.request(SUBJECTS.health(app), {}, { timeoutMs: HEALTH_TIMEOUT_MS });
        for (const [component, reason] of Object.entries(apps[app].notReady)) notReady[`${app}.${component}`] = reason;
      } catch {
        notReady[app] = 'does not answer over NATS';
      }
    });
    const database = this.pool.query('SELECT 1').then(
      () => undefined,
      () => {
        notReady.postgresql = 'does not answer';
      },
    );
    await Promise.all([...checks, database]);
    const details = Object.entries(notReady).map(([component, reason]) => ({ component, reason }));
    if (details.length > 0) {
      throw new TesseraError('unavailable', `not ready: ${details.map((detail) => detail.component).join(', ')}`, details, undefined, 1);
    }
    return { status: 'ready', apps };
  }
}
