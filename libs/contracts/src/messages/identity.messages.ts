import { SUBJECTS } from '../subjects';
import { CREDENTIALS_SUBJECTS, DEVICE_SUBJECTS, LOGIN_SUBJECTS, TRUSTED_APP_SUBJECTS, USER_ACCOUNT_SUBJECTS } from '../login-subjects';
import { IDENTITY_ADMIN_SUBJECTS } from '../token-subjects';
import type { CallerMessage, Message, NoFields, Page, PageQuery, Revision } from './message';

/** A user or service account as the identity app answers it (CONTRACT section 4). */
export interface UserView {
  id: string;
  /** The user's number (CONTRACT section 8): stable, middle_auth's id for imported users. */
  number: number;
  name: string;
  email: string | null;
  admin: boolean;
  readOnly: boolean;
  serviceAccount: boolean;
  active: boolean;
  /** Service accounts only: the most their tokens may carry. */
  scopes?: string[];
  /** Service accounts only: the user who made it, or null. */
  parentId?: string | null;
  createdAt: string;
}

export interface CreateUserFields {
  name: string;
  email?: string | null;
  admin?: boolean;
  readOnly?: boolean;
}

export interface UpdateUserFields {
  id: string;
  name?: string;
  admin?: boolean;
  readOnly?: boolean;
  pi?: boolean;
}

export interface TrustedAppView {
  id: string;
  url: string;
  createdAt: string;
}

/** The upstream provider the gateway's OAuth2 strategy talks to (the client secret included: internal only). */
export interface LoginProviderSettings {
  name: string;
  authorizationURL: string;
  tokenURL: string;
  clientID: string;
  clientSecret: string;
  scope: string;
}

/** A connected upstream provider, never its secrets. */
export interface CredentialSummary {
  provider: string;
  issuer: string;
  expiresAt: string | null;
  refreshable: boolean;
  updatedAt: string;
}

/** The subjects the identity app answers. */
export interface IdentityMessages {
  [IDENTITY_ADMIN_SUBJECTS.createUser]: CallerMessage<CreateUserFields, UserView & Revision>;
  [IDENTITY_ADMIN_SUBJECTS.listUsers]: CallerMessage<
    PageQuery & { q?: string; serviceAccount?: 'true' | 'false' },
    Page<UserView> & Revision
  >;
  [IDENTITY_ADMIN_SUBJECTS.getUser]: CallerMessage<{ id: string }, UserView & Revision>;
  [IDENTITY_ADMIN_SUBJECTS.createServiceAccount]: CallerMessage<
    { name: string; scopes: string[] },
    { id: string; number: number; name: string; scopes: string[]; parentId: string | null } & Revision
  >;
  [USER_ACCOUNT_SUBJECTS.update]: CallerMessage<UpdateUserFields, UserView & { pi: boolean; revision?: string }>;
  [USER_ACCOUNT_SUBJECTS.deactivate]: CallerMessage<{ id: string }, { deactivated: boolean; revision?: string }>;
  [TRUSTED_APP_SUBJECTS.list]: Message<NoFields, { items: TrustedAppView[] } & Revision>;
  [TRUSTED_APP_SUBJECTS.create]: CallerMessage<{ url: string }, TrustedAppView & Revision>;
  [TRUSTED_APP_SUBJECTS.remove]: CallerMessage<{ id: string }, Revision>;
  [CREDENTIALS_SUBJECTS.listOwn]: CallerMessage<NoFields, { items: CredentialSummary[] }>;
  [SUBJECTS.identityCredentials]: Message<{ userId: string; provider: string }, { accessToken: string; expiresAt: string | null }>;
  [LOGIN_SUBJECTS.provider]: Message<NoFields, LoginProviderSettings>;
  [LOGIN_SUBJECTS.checkRedirect]: Message<{ redirect: string }, { trusted: boolean }>;
  [LOGIN_SUBJECTS.checkOrigin]: Message<{ origin: string }, { trusted: boolean }>;
  [LOGIN_SUBJECTS.saveState]: Message<{ stateHash: string; browserHash: string; verifier: string; redirect: string }, NoFields>;
  [LOGIN_SUBJECTS.takeState]: Message<{ stateHash: string; browserHash: string }, { verifier: string; redirect: string }>;
  [LOGIN_SUBJECTS.complete]: Message<
    { accessToken: string; refreshToken?: string; expiresIn?: number },
    { userId: string; created: boolean }
  >;
  [LOGIN_SUBJECTS.createCode]: Message<{ userId: string; redirect: string }, { code: string }>;
  [LOGIN_SUBJECTS.redeemCode]: Message<{ code: string; redirect: string }, { userId: string }>;
  [LOGIN_SUBJECTS.exchange]: Message<{ authToken: string }, { userId: string; user: UserView; expiresAt?: string }>;
  [DEVICE_SUBJECTS.request]: Message<
    { clientId: string; scopes: string[] },
    { deviceCode: string; userCode: string; expiresIn: number; interval: number } & Revision
  >;
  [DEVICE_SUBJECTS.show]: CallerMessage<{ userCode: string }, DeviceLoginView>;
  [DEVICE_SUBJECTS.approve]: CallerMessage<{ userCode: string; tokenId: string; token: string; tokenExpiresAt: string | null }, Revision>;
  [DEVICE_SUBJECTS.deny]: CallerMessage<{ userCode: string }, Revision>;
  [DEVICE_SUBJECTS.poll]: Message<{ deviceCode: string }, DevicePoll>;
}

/** A device login as the approval page shows it: never the device code. */
export interface DeviceLoginView {
  userCode: string;
  clientId: string;
  scopes: string[];
  status: 'pending' | 'approved' | 'denied' | 'collected';
  expiresAt: string;
}

/** What one poll of the device finds (the gateway turns it into RFC 8628's answers). */
export type DevicePoll =
  | { status: 'pending' | 'denied' | 'expired' | 'unknown' }
  | { status: 'slow_down'; interval: number }
  | { status: 'approved'; token: string; expiresAt: string | null };
