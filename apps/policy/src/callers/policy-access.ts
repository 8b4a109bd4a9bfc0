import { TesseraError, type Principal } from '@tessera/contracts';
import type { DecisionIndex, Subject } from '../decisions/decision-index';

/** A gateway-forwarded request, once ForwardedCallerPipe resolved the caller's token. */
export interface ForwardedRequest {
  principal: Principal;
  minRevision?: string | number;
}

/** The decision subject a principal stands for. */
export function subjectOf(principal: Principal): Subject {
  return { userId: principal.userId, superAdmin: principal.superAdmin, readOnly: principal.readOnly, scopes: principal.scopes };
}

/** Admin rights of a user are used only through a token carrying the `admin` scope. */
function usesAdminRights(principal: Principal): boolean {
  return principal.scopes.includes('admin');
}

export function requireGroupAdmin(index: DecisionIndex, principal: Principal, groupId: string): void {
  if (principal.superAdmin) return;
  if (!index.isGroupAdmin(principal.userId, groupId)) throw new TesseraError('not_admin', 'only an admin of this group may do this');
  if (!usesAdminRights(principal)) throw new TesseraError('insufficient_scope', 'this token lacks the admin scope');
}

export function requireDatasetAdmin(index: DecisionIndex, principal: Principal, datasetId: string): void {
  if (principal.superAdmin) return;
  if (!index.isDatasetAdmin(principal.userId, datasetId)) throw new TesseraError('not_admin', 'only an admin of this dataset may do this');
  if (!usesAdminRights(principal)) throw new TesseraError('insufficient_scope', 'this token lacks the admin scope');
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** `?limit=` (default 50, max 500) and an opaque `?cursor=` over a list in stable order. */
export function paginate<T>(items: T[], limit: unknown, cursor: unknown): Page<T> {
  const size = limit === undefined || limit === null || limit === '' ? 50 : Number(limit);
  if (!Number.isInteger(size) || size < 1 || size > 500) {
    throw new TesseraError('bad_request', 'limit must be an integer from 1 to 500', [{ field: 'limit', problems: ['1 to 500'] }]);
  }
  let offset = 0;
  if (typeof cursor === 'string' && cursor !== '') {
    const decoded = Buffer.from(cursor, 'base64url').toString('utf8');
    offset = /^\d{1,9}$/.test(decoded) ? Number(decoded) : -1;
    if (offset < 0) {
      throw new TesseraError('bad_request', 'cursor is not valid', [{ field: 'cursor', problems: ['not a cursor of this list'] }]);
    }
  }
  const page = items.slice(offset, offset + size);
  const next = offset + size < items.length ? Buffer.from(String(offset + size), 'utf8').toString('base64url') : null;
  return { items: page, nextCursor: next };
}

export function notFound(what: string): TesseraError {
  return new TesseraError('not_found', `${what} not found`);
}

/** Memberships, admin roles and affiliations name users the identity app registered. */
export function requireKnownUser(index: DecisionIndex, userId: string): void {
  const user = index.users.get(userId);
  if (!user || user.deactivated) throw notFound('user');
}
