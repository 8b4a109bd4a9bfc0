import type { TokenKind } from '../principal';
import type { Event } from './event';

/**
 * Event types of the token app (category `token`), read by every token index replica. They hold
 * the SHA-256 of a token, never the token itself. Stream id: `token-<tokenId>`.
 */
export const TOKEN_EVENTS = {
  tokenMinted: 'TokenMinted',
  tokenRevoked: 'TokenRevoked',
  personalTokenAdded: 'PersonalTokenAdded',
} as const satisfies Record<string, TokenEvent['type']>;

export const tokenStreamId = (tokenId: string): string => `token-${tokenId}`;
/** A user's personal tokens, one `PersonalTokenAdded` each: the stream whose version serialises their mints. */
export const personalTokensStreamId = (ownerId: string): string => `personal-tokens-${ownerId}`;

export type TokenMinted = Event<
  'TokenMinted',
  {
    tokenId: string;
    /** Hex SHA-256 of the whole token string (prefix included). */
    tokenHash: string;
    kind: TokenKind;
    /** User or service account the token acts as; null for admin tokens minted from the admin key. */
    ownerId: string | null;
    name: string;
    scopes: string[];
    /** What a listing shows: `tsrp_…9f3a` (prefix and the last 4 characters). */
    hint: string;
    createdAt: string;
    /** ISO time after which the token is `expired_token`; null never expires. */
    expiresAt: string | null;
    /** Impersonation tokens: the super admin who minted it (also the event's actor). */
    impersonatedBy?: string | null;
    /** Resource tokens: `<type>:<id>` and the actions allowed on it. */
    resource?: string;
    actions?: string[];
  }
>;

/** Why a token was revoked. */
export type TokenRevocationReason = 'owner' | 'admin' | 'rfc7009' | 'logout' | 'deactivated';

export type TokenRevoked = Event<
  'TokenRevoked',
  {
    tokenId: string;
    /** `owner`, `admin`, `rfc7009` (whoever held it), `logout`, `deactivated` (the owner was). */
    reason: string;
  }
>;

/**
 * A personal token joined its owner's tokens (stream `personal-tokens-<ownerId>`, appended with its
 * `TokenMinted`): the owner's quota of live personal tokens is decided at this stream's version.
 */
export type PersonalTokenAdded = Event<'PersonalTokenAdded', { ownerId: string; tokenId: string }>;

/** Every event of the category `token` (each token is a stream of its own; each user's personal tokens one more). */
export type TokenEvent = TokenMinted | TokenRevoked | PersonalTokenAdded;

/** Scopes a token may carry besides permission scopes (`*` or registry names). CONTRACT section 3. */
export const ACCOUNT_SCOPES = ['tokens', 'admin', 'decisions', 'introspect', 'credentials', 'resource-tokens'] as const;
export type AccountScope = (typeof ACCOUNT_SCOPES)[number];
