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

/** Who asks for a change, as a decider needs to know it. */
export type Actor = Pick<Principal, 'userId' | 'superAdmin' | 'scopes'>;

/**
 * The refusal, if any, of a change only an admin of this group or dataset (or a super admin) may
 * make. A user's admin rights are used only through a token carrying the `admin` scope.
 */
export function adminRefusal(actor: Actor, isAdmin: (userId: string) => boolean, of: 'group' | 'dataset'): TesseraError | undefined {
  if (actor.superAdmin) return undefined;
  if (!actor.userId || !isAdmin(actor.userId)) return new TesseraError('not_admin', `only an admin of this ${of} may do this`);
  if (!actor.scopes.includes('admin')) return new TesseraError('insufficient_scope', 'this token lacks the admin scope');
  return undefined;
}

export function requireDatasetAdmin(index: DecisionIndex, principal: Principal, datasetId: string): void {
  const refusal = adminRefusal(principal, (userId) => index.isDatasetAdmin(userId, datasetId), 'dataset');
  if (refusal) throw refusal;
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

/** Memberships, admin roles and affiliations name users the identity app registered and did not deactivate. */
export function isActiveUser(index: DecisionIndex, userId: string): boolean {
  const user = index.users.get(userId);
  return !!user && !user.deactivated;
}
