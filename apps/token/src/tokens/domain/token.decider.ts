import {
  ACCOUNT_SCOPES,
  actorOf,
  requireScope,
  requireSuperAdmin,
  TesseraError,
  type MintFields,
  type Principal,
  type TokenEvent,
  type TokenKind,
  type TokenMinted,
} from '@tessera/contracts';
import type { Command, Decider } from '@tessera/event-store';

/** A token as its stream (`token-<id>`) leaves it. */
export type TokenState = { status: 'unknown' } | { status: 'live' | 'revoked'; tokenId: string; ownerId: string | null; kind: TokenKind };

/** What the token index knows of a token's owner (a user or a service account). */
export interface TokenOwner {
  id: string;
  active: boolean;
  serviceAccount: boolean;
  /** Service accounts: the most their tokens may carry. */
  scopes: string[] | null;
}

/** The new token itself, made by the caller (random, so not decided): its id, hash and hint. */
export interface TokenSecret {
  tokenId: string;
  tokenHash: string;
  hint: string;
}

/** How each kind of mint is asked for: what the gateway forwards, a login, or the admin key. */
export type MintAsked =
  | { kind: MintFields['kind']; principal: Principal; request: MintFields }
  /** `exchanged`: made from a provider token by the token exchange, which ends at `notAfter` (epoch ms) where known. */
  | { kind: 'session'; exchanged?: { notAfter?: number } }
  | { kind: 'admin' };

/**
 * Mint a token (CONTRACT section 3). `owner` is the owner the token would act as, from the token
 * index: the caller for a personal token, `ownerId` for impersonation and service tokens, the user
 * of a session. Returns the event with its actor (`metadata.actor` of the append).
 */
export type MintToken = Command<
  'MintToken',
  {
    asked: MintAsked;
    secret: TokenSecret;
    owner: TokenOwner | undefined;
    /** Whether a name is in the permission registry (the index's copy of it). */
    isPermission: (name: string) => boolean;
    limits: TokenLimits;
    now: number;
  }
>;

/** Lifetimes from the configuration. */
export interface TokenLimits {
  /** TESSERA_TOKEN_MAX_DAYS: the longest a personal token may ask for. */
  maxDays: number;
  /** TESSERA_SESSION_TTL and TESSERA_ADMIN_TOKEN_TTL, in seconds. */
  sessionSeconds: number;
  adminSeconds: number;
}

/** Revoke by id (`DELETE /api/v1/tokens/:id`): the owner with scope `tokens`, or a super admin. */
export type RevokeTokenById = Command<'RevokeTokenById', { tokenId: string; caller: Principal }>;
/** Revoke with a reason the caller vouches for: the token's holder (RFC 7009), a logout, a deactivation. */
export type RevokeToken = Command<'RevokeToken', { tokenId: string; reason: string }>;

export type TokenCommand = MintToken | RevokeTokenById | RevokeToken;

const DAY_MS = 86_400_000;
/** Lifetime of a personal token that names none (as GitHub's default). */
const DEFAULT_DAYS = 30;
/** A session token carries every scope of its user (CONTRACT section 3). */
export const SESSION_SCOPES = ['*', ...ACCOUNT_SCOPES];
/** One made from a provider token carries the user's permission scopes only: never `admin`, and no `tokens` to mint longer-lived ones. */
export const EXCHANGED_SCOPES = ['*'];
/** What acting as someone else never carries: their admin rights, or the right to mint more of their tokens. */
const IMPERSONATION_BANNED_SCOPES = ['admin', 'tokens'];

export function decide(command: TokenCommand, state: TokenState): TokenEvent[] | TesseraError {
  try {
    return decideOrThrow(command, state);
  } catch (error) {
    // The rules throw as the principal module does; decide answers with the error instead.
    if (error instanceof TesseraError) return error;
    throw error;
  }
}

function decideOrThrow(command: TokenCommand, state: TokenState): TokenEvent[] {
  switch (command.type) {
    case 'MintToken':
      if (state.status !== 'unknown') throw new TesseraError('conflict', `token ${command.data.secret.tokenId} exists`);
      return [{ type: 'TokenMinted', data: mint(command.data) }];
    case 'RevokeTokenById': {
      const { caller } = command.data;
      const owns = state.status !== 'unknown' && state.ownerId !== null && state.ownerId === caller.userId;
      if (state.status === 'unknown' || (!owns && !caller.superAdmin)) throw new TesseraError('not_found', 'no such token');
      if (!caller.superAdmin) requireScope(caller, 'tokens');
      return revoked(state, caller.superAdmin && !owns ? 'admin' : 'owner');
    }
    case 'RevokeToken':
      if (state.status === 'unknown') throw new TesseraError('not_found', 'no such token');
      return revoked(state, command.data.reason);
  }
}

/** A revoked token stays revoked: revoking it again records nothing. */
function revoked(state: Extract<TokenState, { status: 'live' | 'revoked' }>, reason: string): TokenEvent[] {
  return state.status === 'live' ? [{ type: 'TokenRevoked', data: { tokenId: state.tokenId, reason } }] : [];
}

type Minted = TokenMinted['data'];

/** The kind a mint makes: a personal token of a service account is a service token (`tsrv_`). */
export function mintedKind(asked: MintAsked, owner: TokenOwner | undefined): TokenKind {
  return asked.kind === 'personal' && owner?.serviceAccount ? 'service' : asked.kind;
}

function mint({ asked, secret, owner, isPermission, limits, now }: MintToken['data']): Minted {
  const token = (kind: TokenKind, fields: Omit<Minted, 'tokenId' | 'tokenHash' | 'hint' | 'kind' | 'createdAt'>): Minted => ({
    ...secret,
    kind,
    ...fields,
    createdAt: new Date(now).toISOString(),
  });
  const until = (seconds: number) => new Date(now + seconds * 1000).toISOString();
  // Acting as someone else never grows into more tokens of theirs (CONTRACT section 3, v1.1).
  if ('principal' in asked && asked.principal.kind === 'impersonation')
    throw new TesseraError('insufficient_scope', 'an impersonation token cannot mint tokens');
  switch (asked.kind) {
    case 'session': {
      if (!owner || owner.serviceAccount) throw new TesseraError('not_found', 'no such user');
      if (!owner.active) throw new TesseraError('conflict', 'the user is deactivated');
      const { exchanged } = asked;
      if (!exchanged)
        return token('session', { ownerId: owner.id, name: 'session', scopes: SESSION_SCOPES, expiresAt: until(limits.sessionSeconds) });
      // A token never outlives the token that made it: an exchanged session ends with the provider token.
      const ends = Math.min(now + limits.sessionSeconds * 1000, exchanged.notAfter ?? Infinity);
      if (ends <= now) throw new TesseraError('invalid_token', 'the provider token has expired');
      return token('session', { ownerId: owner.id, name: 'exchanged', scopes: EXCHANGED_SCOPES, expiresAt: new Date(ends).toISOString() });
    }
    case 'admin':
      return token('admin', { ownerId: null, name: 'admin', scopes: ['*'], expiresAt: until(limits.adminSeconds) });
    case 'personal': {
      const { principal, request } = asked;
      const scopes = request.scopes ?? [];
      requireScope(principal, 'tokens');
      if (principal.userId === undefined) throw new TesseraError('bad_request', 'an admin token has no owner to mint a personal token for');
      checkKnownScopes(scopes, isPermission);
      checkWithin(scopes, principal.scopes, 'this token');
      if (owner?.serviceAccount) checkServiceAccountScopes(scopes, owner.scopes ?? []);
      const expiresAt = expiryOf(request, now, limits.maxDays);
      return token(owner?.serviceAccount ? 'service' : 'personal', {
        ownerId: principal.userId,
        name: request.name ?? '',
        scopes,
        expiresAt,
      });
    }
    case 'impersonation': {
      const { principal, request } = asked;
      requireSuperAdmin(principal);
      if (!owner || owner.serviceAccount) throw new TesseraError('not_found', 'no such user');
      if (!owner.active) throw new TesseraError('conflict', 'the user is deactivated');
      const scopes = request.scopes ?? [];
      checkKnownScopes(scopes, isPermission);
      const banned = scopes.filter((scope) => IMPERSONATION_BANNED_SCOPES.includes(scope));
      if (banned.length > 0) throw badField('scopes', `an impersonation token never carries ${banned.join(' or ')}`);
      const expiresAt = impersonationExpiryOf(request, now, principal.expiresAt);
      return token('impersonation', { ownerId: owner.id, name: request.name ?? '', scopes, expiresAt, impersonatedBy: actorOf(principal) });
    }
    case 'service': {
      const { principal, request } = asked;
      requireSuperAdmin(principal);
      if (!owner || !owner.serviceAccount) throw new TesseraError('not_found', 'no such service account');
      const scopes = request.scopes ?? [];
      checkKnownScopes(scopes, isPermission);
      checkServiceAccountScopes(scopes, owner.scopes ?? []);
      return token('service', { ownerId: owner.id, name: request.name ?? '', scopes, expiresAt: expiryOf(request, now, limits.maxDays) });
    }
    case 'resource': {
      const { principal, request } = asked;
      if (!principal.superAdmin) {
        if (!principal.serviceAccount)
          throw new TesseraError('not_admin', 'only a service account with scope resource-tokens, or a super admin, mints resource tokens');
        requireScope(principal, 'resource-tokens');
      }
      const { resource, actions } = request;
      if (!resource || !actions || actions.length === 0) throw new TesseraError('bad_request', 'resource and actions are required');
      const expiresAt = expiryOf(request, now, limits.maxDays);
      return token('resource', { ownerId: principal.userId ?? null, name: resource, scopes: [], expiresAt, resource, actions });
    }
    default:
      throw new TesseraError('bad_request', 'unknown token kind');
  }
}

function badField(field: string, problem: string): TesseraError {
  return new TesseraError('bad_request', `${field}: ${problem}`, [{ field, problems: [problem] }]);
}

function isPermissionScope(scope: string): boolean {
  return !(ACCOUNT_SCOPES as readonly string[]).includes(scope) && scope !== '*';
}

/** `*`, an account scope, or a permission of the registry; anything else is 400. */
function checkKnownScopes(scopes: string[], isPermission: (name: string) => boolean): void {
  if (scopes.length === 0) throw badField('scopes', 'must not be empty');
  const unknown = scopes.filter((scope) => scope !== '*' && !(ACCOUNT_SCOPES as readonly string[]).includes(scope) && !isPermission(scope));
  if (unknown.length > 0) throw badField('scopes', `unknown scope ${unknown.join(', ')}`);
}

/** A token never mints a token carrying more than itself: 403 insufficient_scope. */
function checkWithin(scopes: string[], held: string[], heldBy: string): void {
  const missing = scopes.filter((scope) => !held.includes(scope) && !(held.includes('*') && isPermissionScope(scope)));
  if (missing.length > 0) throw new TesseraError('insufficient_scope', `${heldBy} does not hold ${missing.join(', ')}`);
}

/** Service-account tokens carry at most the account's scopes: 400 naming `scopes`. */
function checkServiceAccountScopes(scopes: string[], accountScopes: string[]): void {
  const missing = scopes.filter((scope) => !accountScopes.includes(scope) && !(accountScopes.includes('*') && isPermissionScope(scope)));
  if (missing.length > 0) throw badField('scopes', `the service account does not hold ${missing.join(', ')}`);
}

/** `expiresInDays` up to TESSERA_TOKEN_MAX_DAYS, or an `expiresAt` in the future within it; 30 days (or the maximum) by default. */
function expiryOf(input: { expiresInDays?: number; expiresAt?: string }, now: number, maxDays: number): string {
  if (input.expiresInDays !== undefined && input.expiresAt !== undefined)
    throw badField('expiresAt', 'give expiresInDays or expiresAt, not both');
  if (input.expiresInDays !== undefined) {
    if (!Number.isInteger(input.expiresInDays) || input.expiresInDays < 1)
      throw badField('expiresInDays', 'must be a whole number of days, at least 1');
    if (input.expiresInDays > maxDays) throw badField('expiresInDays', `must be at most ${maxDays} (TESSERA_TOKEN_MAX_DAYS)`);
    return new Date(now + input.expiresInDays * DAY_MS).toISOString();
  }
  if (input.expiresAt !== undefined) {
    const at = Date.parse(input.expiresAt);
    if (Number.isNaN(at)) throw badField('expiresAt', 'must be an ISO 8601 time');
    if (at <= now) throw badField('expiresAt', 'must be in the future');
    if (at > now + maxDays * DAY_MS) throw badField('expiresAt', `must be within ${maxDays} days (TESSERA_TOKEN_MAX_DAYS)`);
    return new Date(at).toISOString();
  }
  return new Date(now + Math.min(DEFAULT_DAYS, maxDays) * DAY_MS).toISOString();
}

/**
 * An impersonation token lives at most 24 hours (more is 400 naming the field), and never past the
 * token that mints it: a 15-minute admin token mints one of at most 15 minutes.
 */
function impersonationExpiryOf(input: { expiresInDays?: number; expiresAt?: string }, now: number, makerExpiresAt?: string): string {
  if (input.expiresInDays !== undefined && input.expiresInDays > 1)
    throw badField('expiresInDays', 'an impersonation token lives at most 1 day');
  if (input.expiresAt !== undefined && Date.parse(input.expiresAt) > now + DAY_MS)
    throw badField('expiresAt', 'an impersonation token lives at most 24 hours');
  const asked = input.expiresInDays !== undefined || input.expiresAt !== undefined ? Date.parse(expiryOf(input, now, 1)) : now + DAY_MS;
  const maker = makerExpiresAt === undefined ? Infinity : Date.parse(makerExpiresAt);
  return new Date(Math.min(asked, now + DAY_MS, maker)).toISOString();
}

export function evolve(state: TokenState, event: TokenEvent): TokenState {
  switch (event.type) {
    case 'TokenMinted':
      return { status: 'live', tokenId: event.data.tokenId, ownerId: event.data.ownerId, kind: event.data.kind };
    case 'TokenRevoked':
      return state.status === 'unknown' ? state : { ...state, status: 'revoked' };
    case 'PersonalTokenAdded':
      return state;
  }
}

export const initialState = (): TokenState => ({ status: 'unknown' });

export const tokenDecider: Decider<TokenState, TokenCommand, TokenEvent> = { decide, evolve, initialState };
