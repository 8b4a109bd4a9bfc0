import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import { AUDIT_SUBJECTS, TesseraError, type AuditExportQuery } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { PG_POOL } from '@tessera/platform';
import { readExportPage } from './log-export';

const POSITION = /^\d{1,18}$/;

/** `GET /api/v1/audit/export`, one page per request: the gateway checked the caller is a super admin and streams the pages. */
@Controller()
export class ExportController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Handles(AUDIT_SUBJECTS.exportPage)
  page(@Payload() query: AuditExportQuery) {
    for (const field of ['after', 'head'] as const) {
      const value = query?.[field];
      if (value !== undefined && !(typeof value === 'string' && POSITION.test(value)))
        throw new TesseraError('bad_request', `${field} must be a log position`, [{ field, problems: ['a log position'] }]);
    }
    for (const field of ['from', 'to'] as const) {
      const value = query?.[field];
      if (value !== undefined && (typeof value !== 'string' || Number.isNaN(Date.parse(value))))
        throw new TesseraError('bad_request', `${field} must be an ISO 8601 time`, [{ field, problems: ['an ISO 8601 time'] }]);
    }
    return readExportPage(this.pool, query ?? {});
  }
}
