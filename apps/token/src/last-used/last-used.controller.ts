import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import { isUuid, TOKEN_INTERNAL_SUBJECTS } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { PG_POOL } from '@tessera/platform';
import { recordUses } from './last-used.store';

/** The gateways' batched token uses: the source of `lastUsedAt`, never an event. */
@Controller()
export class LastUsedController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Handles(TOKEN_INTERNAL_SUBJECTS.used)
  async used(@Payload() body: { uses?: unknown }): Promise<{ recorded: number }> {
    const uses = (Array.isArray(body.uses) ? body.uses : []).filter(
      (use): use is [string, number] => Array.isArray(use) && isUuid(use[0]) && Number.isFinite(use[1]),
    );
    await recordUses(this.pool, uses);
    return { recorded: uses.length };
  }
}
