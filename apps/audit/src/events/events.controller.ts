import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import { AUDIT_SUBJECTS, type AuditEventsQuery } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { PG_POOL } from '@tessera/platform';
import { readEventHistory } from './event-history';

/** `GET /api/v1/audit/events`, forwarded by the gateway once it has checked the caller is a super admin. */
@Controller()
export class EventsController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Handles(AUDIT_SUBJECTS.events)
  list(@Payload() query: AuditEventsQuery) {
    return readEventHistory(this.pool, query ?? {});
  }
}
