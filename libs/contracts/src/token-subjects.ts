/**
 * Internal subjects the gateway uses to forward the token and identity REST endpoints. Their
 * requests carry the caller's resolved principal, so only the gateway (and, for `mintSession`, the
 * login flow) may publish on them: restrict `tessera.v1.token.admin.>`, `tessera.v1.token.internal.>`
 * and `tessera.v1.identity.admin.>` to Tessera's own NATS users in production.
 */
export const TOKEN_ADMIN_SUBJECTS = {
  /** `{adminKey}` → `{token, expiresAt, revision}`; the gateway limits the tries per client address. */
  mintAdmin: 'tessera.v1.token.admin.mint-admin',
  /** `{principal, kind, ownerId?, name, scopes, expiresInDays?, expiresAt?, resource?, actions?}` → the minted token. */
  mint: 'tessera.v1.token.admin.mint',
  /** `{principal}` → `{items}` of the principal's owner, masked. */
  list: 'tessera.v1.token.admin.list',
  /** `{principal, tokenId}` → `{revision}`; owner or super admin. */
  revokeById: 'tessera.v1.token.admin.revoke-by-id',
  /** RFC 7009: `{token}` → `{revision?}`; holding the token is the proof. */
  revoke: 'tessera.v1.token.admin.revoke',
} as const;

export const TOKEN_INTERNAL_SUBJECTS = {
  /**
   * `{userId, exchanged?, notAfter?}` → `{token, expiresAt, revision}`: a session token, for the login flow.
   * `exchanged`: from a provider token (never the `admin` scope); `notAfter`: it must not outlive that token.
   */
  mintSession: 'tessera.v1.token.internal.mint-session',
  /** `{uses: [[tokenId, epochMs], …]}` from the gateways, flushed in batches: the source of `lastUsedAt`. */
  used: 'tessera.v1.token.internal.used',
} as const;

export const IDENTITY_ADMIN_SUBJECTS = {
  createUser: 'tessera.v1.identity.admin.create-user',
  listUsers: 'tessera.v1.identity.admin.list-users',
  getUser: 'tessera.v1.identity.admin.get-user',
  createServiceAccount: 'tessera.v1.identity.admin.create-service-account',
} as const;
