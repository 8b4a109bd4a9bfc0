import { Controller, Inject } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import type { Pool } from 'pg';
import { AUDIT_SUBJECTS, TesseraError, type AuditAccessIntervalsQuery, type AuditAccessQuery } from '@tessera/contracts';
import { Handles } from '@tessera/messaging';
import { PG_POOL } from '@tessera/platform';
import { badField, parseTime } from '../events/event-history';
import { datasetAccessIntervals } from './access-intervals';
import { datasetAccessAt, userAccessAt } from './access-queries';
import { AccessProjection } from './access.projection';

/** `GET /api/v1/audit/access`: who held what at a moment, from the temporal projection. */
@Controller()
export class AccessController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly projection: AccessProjection,
  ) {}

  @Handles(AUDIT_SUBJECTS.access)
  async access(@Payload() query: AuditAccessQuery & { minRevision?: string | number }) {
    const at = parseTime('at', query?.at);
    const dataset = nonEmpty(query.dataset);
    const user = nonEmpty(query.user);
    if ((dataset === undefined) === (user === undefined)) {
      throw new TesseraError('bad_request', 'give exactly one of dataset and user', [
        { field: dataset === undefined ? 'dataset' : 'user', problems: ['give exactly one of dataset and user'] },
      ]);
    }
    await this.projection.atLeast(query.minRevision);
    return dataset !== undefined ? datasetAccessAt(this.pool, dataset, at) : userAccessAt(this.pool, user!, at);
  }

  @Handles(AUDIT_SUBJECTS.accessIntervals)
  async intervals(@Payload() query: AuditAccessIntervalsQuery & { minRevision?: string | number }) {
    const from = parseTime('from', query?.from);
    const to = parseTime('to', query.to);
    if (to <= from) throw badField('to', 'must be after from');
    const dataset = nonEmpty(query.dataset);
    if (dataset === undefined) throw badField('dataset', 'required: a dataset id or name');
    await this.projection.atLeast(query.minRevision);
    return datasetAccessIntervals(this.pool, dataset, from, to);
  }
}

function nonEmpty(value: unknown): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw badField('query', 'dataset and user must be strings');
  return value;
}
