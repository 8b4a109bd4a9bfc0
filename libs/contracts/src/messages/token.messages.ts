import type { TokenKind } from '../principal';
import { SUBJECTS } from '../subjects';
import { TOKEN_REVOCATION_SUBJECTS } from '../login-subjects';
import { TOKEN_ADMIN_SUBJECTS, TOKEN_INTERNAL_SUBJECTS } from '../token-subjects';
import type { CallerMessage, Message, Page, PageQuery, Revision } from './message';

/** What the gateway forwards for every mint besides the caller. */
export interface MintFields {
  /** `personal` (own token; `service` when the caller is a service account), `impersonation`, `service`, `resource`. */
  kind: 'personal' | 'impersonation' | 'service' | 'resource';
  /** Impersonation: the user; service: the service account. */
  ownerId?: string;
  name?: string;
  scopes?: string[];
  expiresInDays?: number;
  expiresAt?: string;
  resource?: string;
  actions?: string[];
  minRevision?: number;
}

/** A minted token: the secret is in this answer only, never stored or logged. */
export interface MintedToken extends Revision {
  id: string;
  token: string;
  name: string;
  scopes: string[];
  kind: TokenKind;
  hint: string;
  createdAt: string;
  expiresAt: string | null;
  resource?: string;
  actions?: string[];
}

/** A token as its owner's list shows it, masked. */
export interface TokenListItem {
  id: string;
  name: string;
  kind: TokenKind;
  hint: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  resource?: string;
  actions?: string[] | null;
}

/** RFC 7662: an inactive token's answer is `{"active":false}` (plus `revision`), nothing else. */
export type Introspection =
  | ({ active: false } & Revision)
  | ({
      active: true;
      sub: string;
      scope: string;
      exp?: number;
      iat: number;
      token_type: 'Bearer';
      kind: TokenKind;
      resource?: string;
      actions?: string[];
    } & Revision);

/** A token's own resource decision (CONTRACT section 3), or why the token itself is refused. */
export interface ResourceAuthorization extends Revision {
  allowed: boolean;
  reason: string;
}

export interface SessionToken extends Revision {
  id: string;
  token: string;
  expiresAt: string;
}

/** The subjects the token app answers. */
export interface TokenMessages {
  [TOKEN_ADMIN_SUBJECTS.mintAdmin]: Message<{ adminKey: string }, { token: string; expiresAt: string } & Revision>;
  [TOKEN_ADMIN_SUBJECTS.mint]: CallerMessage<MintFields, MintedToken>;
  [TOKEN_ADMIN_SUBJECTS.list]: CallerMessage<{ ownerId?: string; minRevision?: number } & PageQuery, Page<TokenListItem> & Revision>;
  [TOKEN_ADMIN_SUBJECTS.revokeById]: CallerMessage<{ tokenId: string; minRevision?: number }, Revision>;
  [TOKEN_ADMIN_SUBJECTS.revoke]: Message<{ token: string }, { revision?: string }>;
  [TOKEN_INTERNAL_SUBJECTS.mintSession]: Message<{ userId: string; exchanged?: boolean; notAfter?: string }, SessionToken>;
  [TOKEN_INTERNAL_SUBJECTS.used]: Message<{ uses: [tokenId: string, epochMs: number][] }, { recorded: number }>;
  [TOKEN_REVOCATION_SUBJECTS.revokeAllOfUser]: Message<
    { userId: string; kinds?: TokenKind[]; reason?: string; actor: string; impersonatedBy?: string; minRevision?: number },
    { revoked: number } & Revision
  >;
  [SUBJECTS.tokenIntrospect]: Message<{ token: string }, Introspection>;
  [SUBJECTS.tokenAuthorize]: Message<{ token: string; resource: string; action: string }, ResourceAuthorization>;
}
