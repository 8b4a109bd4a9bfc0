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
}
