import type { Principal } from '../principal';
import { POLICY_ADMIN_SUBJECTS as P } from '../policy-subjects';
import { SUBJECTS } from '../subjects';
import type { WireError } from '../tessera-error';
import type { Message, Page, PageQuery, Revision } from './message';

/** The reasons of a decision (CONTRACT section 6). */
export type DecisionReason =
  | 'granted'
  | 'super_admin'
  | 'no_permission'
  | 'missing_tos'
  | 'insufficient_scope'
  | 'unknown_dataset'
  | 'unknown_table'
  | 'invalid_token'
  | 'expired_token'
  | 'revoked_token';

/** The terms of service a `missing_tos` answer asks to accept. */
export interface TosRef {
  id: string;
  title: string;
  acceptUrl: string;
}

export interface Decision {
  allowed: boolean;
  reason: DecisionReason;
  tos?: TosRef;
}

/** `tessera.v1.policy.check`: the subject's own `token`, or a `userId` (with a `decisions` caller). */
export interface CheckRequest {
  token?: string;
  userId?: string;
  permission?: string;
  dataset?: string;
  service?: string;
  table?: string;
  minRevision?: string | number;
}

export type CheckReply = Decision & Revision;

/** A user's permissions per dataset name, as `GET /api/v1/me/permissions` shows them. */
export interface UserPermissions {
  permissions: Record<string, string[]>;
  permissionsIgnoringTos: Record<string, string[]>;
  missingTos: TosRef[];
  datasetsAdmin: string[];
  groupsAdmin: string[];
}

export interface UserInfo extends UserPermissions, Revision {
  id: string | null;
  name: string | null;
  admin: boolean;
  groups: string[];
}

export interface NamedRef {
  id: string;
  name: string;
}

/**
 * A subject the gateway forwards with the caller's own bearer `token`: the policy app resolves it
 * from its own token index (ForwardedCallerPipe), so the handler sees the principal instead.
 */
export type PolicyAdminMessage<Fields, Reply> = Message<
  Fields & { token: string; minRevision?: number | string },
  Reply,
  Fields & { principal: Principal; minRevision?: number | string }
>;

export interface GroupMemberView {
  userId: string;
  name: string | null;
  admin: boolean;
}

export interface DatasetView {
  id: string;
  name: string;
  description: string | null;
  admins: string[];
  tos: { id: string; version: number; title: string } | null;
}

export interface GrantView {
  groupId: string;
  groupName: string | null;
  permission: string;
  expiresAt: string | null;
  expired: boolean;
}

export interface ServiceTableView {
  service: string;
  table: string;
  /** The dataset id. */
  dataset: string;
  datasetName: string | null;
}

export interface TosView {
  id: string;
  datasetId: string;
  version: number;
  title: string;
  /** Plain text, returned exactly as stored, never rendered. */
  text: string;
  publishedAt: string;
  acceptUrl: string;
}

export interface AffiliationView {
  id: string;
  name: string;
  contactName: string | null;
  contactEmail: string | null;
}

export interface UserAffiliationView {
  affiliationId: string;
  start: string;
  end: string | null;
}

/** The subjects the policy app answers. */
export interface PolicyMessages {
  [SUBJECTS.policyCheck]: Message<CheckRequest, CheckReply>;
  [SUBJECTS.policyCheckBatch]: Message<
    { checks: CheckRequest[]; minRevision?: string | number },
    { results: (Decision | { error: WireError })[] } & Revision
  >;
  [SUBJECTS.policyUserInfo]: Message<{ token?: string; userId?: string; minRevision?: string | number }, UserInfo>;
  [SUBJECTS.policyLookupDatasets]: Message<
    { userId: string; permission: string; minRevision?: string | number },
    { datasets: NamedRef[] } & Revision
  >;
  [SUBJECTS.policyLookupUsers]: Message<
    { dataset: string; permission: string; minRevision?: string | number },
    { users: { id: string; name: string | null }[] } & Revision
  >;
  [P.createGroup]: PolicyAdminMessage<{ name: string }, NamedRef & Revision>;
  [P.listGroups]: PolicyAdminMessage<PageQuery, Page<NamedRef> & Revision>;
  [P.getGroup]: PolicyAdminMessage<{ groupId: string }, NamedRef & { members: GroupMemberView[] } & Revision>;
  [P.deleteGroup]: PolicyAdminMessage<{ groupId: string }, Revision>;
  [P.putMember]: PolicyAdminMessage<
    { groupId: string; userId: string; admin?: boolean },
    { groupId: string; userId: string; admin: boolean } & Revision
  >;
  [P.removeMember]: PolicyAdminMessage<{ groupId: string; userId: string }, Revision>;
  [P.createDataset]: PolicyAdminMessage<{ name: string; description?: string }, DatasetView & Revision>;
  [P.listDatasets]: PolicyAdminMessage<PageQuery, Page<DatasetView> & Revision>;
  [P.getDataset]: PolicyAdminMessage<{ datasetId: string }, DatasetView & Revision>;
  [P.updateDataset]: PolicyAdminMessage<{ datasetId: string; name?: string; description?: string | null }, DatasetView & Revision>;
  [P.deleteDataset]: PolicyAdminMessage<{ datasetId: string }, Revision>;
  [P.putDatasetAdmin]: PolicyAdminMessage<{ datasetId: string; userId: string }, { datasetId: string; userId: string } & Revision>;
  [P.removeDatasetAdmin]: PolicyAdminMessage<{ datasetId: string; userId: string }, Revision>;
  [P.listPermissions]: PolicyAdminMessage<PageQuery, Page<{ name: string }> & Revision>;
  [P.registerPermission]: PolicyAdminMessage<{ name: string }, { name: string } & Revision>;
  [P.putGrant]: PolicyAdminMessage<
    { datasetId: string; groupId: string; permission: string; expiresAt?: string },
    { datasetId: string; groupId: string; permission: string; expiresAt: string | null } & Revision
  >;
  [P.revokeGrant]: PolicyAdminMessage<{ datasetId: string; groupId: string; permission: string }, Revision>;
  [P.listGrants]: PolicyAdminMessage<{ datasetId: string } & PageQuery, Page<GrantView> & Revision>;
  [P.putServiceTable]: PolicyAdminMessage<{ service: string; table: string; dataset: string }, ServiceTableView & Revision>;
  [P.getServiceTable]: PolicyAdminMessage<{ service: string; table: string }, ServiceTableView & Revision>;
  [P.deleteServiceTable]: PolicyAdminMessage<{ service: string; table: string }, Revision>;
  [P.listServiceTables]: PolicyAdminMessage<{ service?: string } & PageQuery, Page<ServiceTableView> & Revision>;
  [P.publishTos]: PolicyAdminMessage<{ datasetId: string; title: string; text: string }, TosView & Revision>;
  [P.listTos]: PolicyAdminMessage<{ datasetId: string } & PageQuery, Page<TosView & { current: boolean }> & Revision>;
  [P.acceptTos]: PolicyAdminMessage<{ tosId: string }, { tosId: string; datasetId: string; userId: string; accepted: true } & Revision>;
  [P.createAffiliation]: PolicyAdminMessage<{ name: string; contactName?: string; contactEmail?: string }, AffiliationView & Revision>;
  [P.putUserAffiliation]: PolicyAdminMessage<
    { userId: string; affiliationId: string; start: string; end?: string | null },
    UserAffiliationView & { userId: string } & Revision
  >;
  [P.listAffiliations]: PolicyAdminMessage<PageQuery, Page<AffiliationView> & Revision>;
  [P.listUserAffiliations]: PolicyAdminMessage<
    { userId: string } & PageQuery,
    Page<UserAffiliationView & { name: string | null; current: boolean }> & Revision
  >;
  /** The gateway's answer as it stands, its revision also in the REVISION_HEADER. */
  [P.myPermissions]: PolicyAdminMessage<Record<never, never>, UserPermissions & Revision>;
  [P.myDatasets]: PolicyAdminMessage<{ permission?: string } & PageQuery, Page<NamedRef> & Revision>;
  [P.datasetUsers]: PolicyAdminMessage<
    { datasetId: string; permission?: string } & PageQuery,
    Page<{ id: string; name: string | null }> & Revision
  >;
}
