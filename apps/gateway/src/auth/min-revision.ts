import type { FastifyRequest } from 'fastify';
import type { AuthenticatedRequest } from './bearer-auth.guard';
import { TesseraError } from '@tessera/contracts';

/** The longest a read waits for `X-Tessera-Min-Revision` before answering 503 `stale`. */
export const MIN_REVISION_WAIT_MS = 2_000;

/** Whether the request names a revision at all (readMinRevision then reads it, or refuses it). */
export function asksForRevision(request: FastifyRequest): boolean {
  const raw = rawMinRevision(request);
  return raw !== undefined && raw !== '';
}

/** `X-Tessera-Min-Revision: <n>` or `?minRevision=<n>`; undefined when neither is sent. */
export function readMinRevision(request: FastifyRequest): number | undefined {
  const raw = rawMinRevision(request);
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw.trim())) {
    throw new TesseraError('bad_request', 'X-Tessera-Min-Revision must be a revision (a decimal number)', [
      { field: 'minRevision', problems: ['must be a decimal number'] },
    ]);
  }
  return Number(raw.trim());
}

/** The header, else the query parameter, as sent. */
function rawMinRevision(request: FastifyRequest): string | undefined {
  const header = request.headers['x-tessera-min-revision'];
  const query = (request.query as Record<string, unknown> | undefined)?.minRevision;
  return typeof header === 'string' ? header : typeof query === 'string' ? query : undefined;
}

export function staleError(minRevision: number, position: number): TesseraError {
  return new TesseraError('stale', `this replica reflects revision ${position}, not yet ${minRevision}; retry`, undefined, undefined, 1);
}

/** The caller's `X-Tessera-Min-Revision` as a forwarded request's field, for the answering app to wait for too. */
export function minRevisionOf(request: AuthenticatedRequest): { minRevision?: number } {
  return request.minRevision === undefined ? {} : { minRevision: request.minRevision };
}
