import { TesseraError } from './tessera-error';

/** The token kinds of CONTRACT section 3, as answers spell them. */
export const TOKEN_KINDS = ['session', 'personal', 'service', 'impersonation', 'resource', 'admin'] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];

/**
 * Who is calling, as the gateway and the policy app resolve a bearer token: the token's owner
 * (a user or a service account), the token's kind and scopes, and the owner's standing.
 */
export interface Principal {
  tokenId: string;
  kind: TokenKind;
  /** User or service-account id; absent for admin tokens minted from the admin key. */
  userId?: string;
  scopes: string[];
  /** Super admin: an admin token, or a user flagged admin using a token with the `admin` scope. */
  superAdmin: boolean;
  readOnly: boolean;
  serviceAccount: boolean;
  /** Resource tokens only: the one resource and its actions. */
  resource?: string;
  actions?: string[];
  expiresAt?: string;
  /** Impersonation tokens only: the admin acting as this user (recorded with every write). */
  impersonatedBy?: string;
}

/** Who wrote an event (its metadata): the actor, and behind an impersonation token the admin who really did. */
export interface WriteMetadata {
  actor: string;
  impersonatedBy?: string;
}

/** The metadata of an event the caller writes (DESIGN: acting as someone else always leaves the real actor in the log). */
export function writeMetadata(principal: Principal): WriteMetadata {
  return { actor: actorOf(principal), ...(principal.impersonatedBy ? { impersonatedBy: principal.impersonatedBy } : {}) };
}

/**
 * Who an event names as its actor (`metadata.actor`): the user or service account, or the admin
 * token itself when it was minted from the admin key and has no owner.
 */
export function actorOf(principal: Pick<Principal, 'userId' | 'tokenId'>): string {
  return principal.userId ?? `admin-token:${principal.tokenId}`;
}

/** 403 `not_admin` unless the caller is a super admin (an admin token, or an admin user's token with scope `admin`). */
export function requireSuperAdmin(principal: Principal, message = 'only a super admin may do this'): void {
  if (!principal?.superAdmin) throw new TesseraError('not_admin', message);
}

/** 403 `insufficient_scope` unless the caller's token carries `scope` (a session token carries every one). */
export function requireScope(principal: Principal, scope: string): void {
  if (!principal.scopes.includes(scope)) throw new TesseraError('insufficient_scope', `this token lacks the ${scope} scope`);
}
