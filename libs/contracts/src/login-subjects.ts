/**
 * Internal subjects of the login flow, trusted apps, upstream credentials and user administration
 * (CONTRACT section 4). Like the other `…admin.>`/`…internal.>` subjects, only Tessera's own apps may publish
 * on them: restrict `tessera.v1.identity.internal.>` to Tessera's NATS users in production.
 */
export const TRUSTED_APP_SUBJECTS = {
  /** `{}` → `{items: [{id, url, createdAt}], revision}`. */
  list: 'tessera.v1.identity.admin.list-apps',
  /** `{principal, url}` → `{id, url, createdAt, revision}`; super admin. */
  create: 'tessera.v1.identity.admin.create-app',
  /** `{principal, id}` → `{revision}`; super admin. */
  remove: 'tessera.v1.identity.admin.remove-app',
} as const;

export const LOGIN_SUBJECTS = {
  /** `{}` → the upstream provider the gateway's OAuth2 strategy talks to (client secret included: internal only). */
  provider: 'tessera.v1.identity.internal.login-provider',
  /** `{redirect}` → `{trusted: boolean}`: the redirect starts with a registered app URL. */
  checkRedirect: 'tessera.v1.identity.internal.check-redirect',
  /** `{origin}` → `{trusted: boolean}`: the origin is exactly a registered app's origin. */
  checkOrigin: 'tessera.v1.identity.internal.check-origin',
  /** `{stateHash, browserHash, verifier, redirect}` → `{}`: a pending login (10 minutes). */
  saveState: 'tessera.v1.identity.internal.save-login-state',
  /** `{stateHash, browserHash}` → `{verifier, redirect}` once, or `not_found`. */
  takeState: 'tessera.v1.identity.internal.take-login-state',
  /** `{accessToken, refreshToken?, expiresIn?}` → `{userId, created}`: user found or created, credentials stored. */
  complete: 'tessera.v1.identity.internal.complete-login',
  /** `{userId, redirect}` → `{code}`: one-time code, 60 s. */
  createCode: 'tessera.v1.identity.internal.create-login-code',
  /** `{code, redirect}` → `{userId}` once, or `bad_request`. */
  redeemCode: 'tessera.v1.identity.internal.redeem-login-code',
  /** `{authToken}` → `{userId, user, expiresAt?}`: a provider token issued to Tessera, validated with the provider (401 / 503). */
  exchange: 'tessera.v1.identity.internal.exchange',
} as const;

/** Device logins (RFC 8628): the gateway's device routes and the console's approval page. */
export const DEVICE_SUBJECTS = {
  /** `{clientId, scopes}` → `{deviceCode, userCode, expiresIn, interval}`: a pending device login. */
  request: 'tessera.v1.identity.internal.device-request',
  /** `{principal, userCode}` → `{userCode, clientId, scopes, status, expiresAt}` of a live request, or `not_found`. */
  show: 'tessera.v1.identity.admin.device-show',
  /** `{principal, userCode, tokenId, token, tokenExpiresAt}` → `{revision}`: the token minted as the approving user, sealed until collected. */
  approve: 'tessera.v1.identity.admin.device-approve',
  /** `{principal, userCode}` → `{revision}`. */
  deny: 'tessera.v1.identity.admin.device-deny',
  /** `{deviceCode}` → `{status}`: `pending`, `slow_down`, `denied`, `expired`, `unknown`, or `approved` with the token (once). */
  poll: 'tessera.v1.identity.internal.device-poll',
} as const;

export const CREDENTIALS_SUBJECTS = {
  /** `{principal}` → `{items: [{provider, issuer, expiresAt, refreshable, updatedAt}]}`, never a secret. */
  listOwn: 'tessera.v1.identity.admin.list-credentials',
} as const;

export const USER_ACCOUNT_SUBJECTS = {
  /** `{principal, id, name?, admin?, readOnly?, pi?}` → the user and `revision`; super admin. */
  update: 'tessera.v1.identity.admin.update-user',
  /** `{principal, id}` → `{revision}`; super admin: `UserDeactivated`. */
  deactivate: 'tessera.v1.identity.admin.deactivate-user',
} as const;

export const TOKEN_REVOCATION_SUBJECTS = {
  /** `{userId, kinds?, actor, reason}` → `{revoked, revision}`: every live token of the user (of those kinds). */
  revokeAllOfUser: 'tessera.v1.token.internal.revoke-all-of-user',
} as const;
