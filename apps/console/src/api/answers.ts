// The audit answers are typed once, in libs/contracts, for the audit app, the gateway and the console.
export type {
  AuditAccessIntervals,
  AuditDatasetAccess,
  AuditEventItem,
  AuditEventsPage,
  ReplayJob,
} from '../../../../libs/contracts/src/audit-subjects';

// What the gateway answers. The OpenAPI document types paths, parameters and bodies; these are
// the answer bodies of CONTRACT sections 3 to 7, which the document does not describe yet.

export interface Page<T> {
  items: T[];
  nextCursor?: string | null;
  revision?: string;
}

export interface Affiliation {
  affiliationId: string;
  name: string | null;
  start: string;
  end: string | null;
  current: boolean;
}

export interface Me {
  id: string | null;
  name: string;
  email: string | null;
  admin: boolean;
  serviceAccount: boolean;
  readOnly: boolean;
  groups: string[];
  affiliations: Affiliation[];
}

export interface TosRef {
  id: string;
  title: string;
  acceptUrl: string;
  datasetId: string;
  dataset: string;
}

export interface MyPermissions {
  permissions: Record<string, string[]>;
  permissionsIgnoringTos: Record<string, string[]>;
  missingTos: TosRef[];
  datasetsAdmin: string[];
  groupsAdmin: string[];
}

export type TokenKind = 'session' | 'personal' | 'service' | 'impersonation' | 'resource' | 'admin';

export interface TokenSummary {
  id: string;
  name: string;
  kind: TokenKind;
  hint: string;
  scopes: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
}

export interface MintedToken extends TokenSummary {
  token: string;
}

export interface ConnectedProvider {
  provider: string;
  issuer: string;
  expiresAt: string | null;
  refreshable: boolean;
  updatedAt: string;
}

export interface User {
  id: string;
  name: string;
  email: string | null;
  admin: boolean;
  readOnly: boolean;
  serviceAccount: boolean;
  active: boolean;
  createdAt: string;
}

export interface Group {
  id: string;
  name: string;
  members?: { userId: string; name: string; admin: boolean }[];
}

export interface Dataset {
  id: string;
  name: string;
  description: string | null;
  admins: string[];
  tos: { id: string; version: number; title: string } | null;
}

export interface Grant {
  groupId: string;
  groupName: string;
  permission: string;
  expiresAt: string | null;
  expired: boolean;
}

export interface TosVersion {
  id: string;
  datasetId: string;
  version: number;
  title: string;
  text: string;
  publishedAt: string;
  acceptUrl: string;
  current: boolean;
}

export interface ServiceTable {
  service: string;
  table: string;
  dataset: string;
  datasetName?: string;
}

export interface TrustedApp {
  id: string;
  url: string;
}

export interface AffiliationInstitution {
  id: string;
  name: string;
  contactName: string | null;
  contactEmail: string | null;
}

/** What the gateway tells the console before its first API call (`/console/config.json`). */
export interface ConsoleConfig {
  publicUrl: string;
  tokenMaxDays: number;
}
