import { TesseraError, type Principal } from '@tessera/contracts';

/** The event metadata actor: the user, or the admin token when minted from the admin key. */
export function actorOf(principal: Principal): string {
  return principal.userId ?? `admin-token:${principal.tokenId}`;
}

export function requireSuperAdmin(principal: Principal): void {
  if (!principal.superAdmin) throw new TesseraError('not_admin', 'only a super admin may do this');
}

/** Managing one's own tokens needs a token with scope `tokens` (a session token has every scope). */
export function requireScope(principal: Principal, scope: string): void {
  if (!principal.scopes.includes(scope)) throw new TesseraError('insufficient_scope', `this token lacks the ${scope} scope`);
}
