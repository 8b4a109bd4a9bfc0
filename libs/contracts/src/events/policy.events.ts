/**
 * Event types of the policy app (category `policy`), read by the policy app's decision index and,
 * later, by the audit app. Stream ids: `group-<id>`, `dataset-<id>`, `permission-<name>`,
 * `servicetable-<service>/<table>`, `tos-<id>`, `affiliation-<id>`.
 */
export const POLICY_EVENTS = {
  groupCreated: 'GroupCreated',
  groupDeleted: 'GroupDeleted',
  /** Adds a member, or changes an existing member's admin flag. */
  groupMemberAdded: 'GroupMemberAdded',
  groupMemberRemoved: 'GroupMemberRemoved',
  datasetCreated: 'DatasetCreated',
  datasetUpdated: 'DatasetUpdated',
  datasetDeleted: 'DatasetDeleted',
  datasetAdminAdded: 'DatasetAdminAdded',
  datasetAdminRemoved: 'DatasetAdminRemoved',
  permissionRegistered: 'PermissionRegistered',
  /** Sets a grant, or changes its expiry; an expired grant needs no event. */
  permissionGranted: 'PermissionGranted',
  permissionRevoked: 'PermissionRevoked',
  serviceTableMapped: 'ServiceTableMapped',
  serviceTableUnmapped: 'ServiceTableUnmapped',
  tosPublished: 'TosPublished',
  tosAccepted: 'TosAccepted',
  affiliationCreated: 'AffiliationCreated',
  userAffiliated: 'UserAffiliated',
} as const;

export type PolicyEventType = (typeof POLICY_EVENTS)[keyof typeof POLICY_EVENTS];

export interface GroupCreated {
  groupId: string;
  name: string;
}
export interface GroupDeleted {
  groupId: string;
}
export interface GroupMemberAdded {
  groupId: string;
  userId: string;
  admin: boolean;
}
export interface GroupMemberRemoved {
  groupId: string;
  userId: string;
}
export interface DatasetCreated {
  datasetId: string;
  name: string;
  description: string | null;
}
export interface DatasetUpdated {
  datasetId: string;
  name?: string;
  description?: string | null;
}
export interface DatasetDeleted {
  datasetId: string;
}
export interface DatasetAdminAdded {
  datasetId: string;
  userId: string;
}
export interface DatasetAdminRemoved {
  datasetId: string;
  userId: string;
}
export interface PermissionRegistered {
  name: string;
}
export interface PermissionGranted {
  datasetId: string;
  groupId: string;
  permission: string;
  /** ISO time the grant ends by itself, or null for no end. */
  expiresAt: string | null;
}
export interface PermissionRevoked {
  datasetId: string;
  groupId: string;
  permission: string;
}
export interface ServiceTableMapped {
  service: string;
  table: string;
  datasetId: string;
}
export interface ServiceTableUnmapped {
  service: string;
  table: string;
}
export interface TosPublished {
  tosId: string;
  datasetId: string;
  version: number;
  title: string;
  /** Plain text, stored and returned as text, never rendered. */
  text: string;
}
export interface TosAccepted {
  tosId: string;
  datasetId: string;
  userId: string;
}
export interface AffiliationCreated {
  affiliationId: string;
  name: string;
  contactName: string | null;
  contactEmail: string | null;
}
export interface UserAffiliated {
  affiliationId: string;
  userId: string;
  start: string;
  end: string | null;
}

/** Permissions in the registry from the start (CONTRACT section 5). */
export const BUILT_IN_PERMISSIONS = ['view', 'edit', 'admin_view'] as const;

/** Permission names are lowercase words, joined by underscores. */
export const PERMISSION_NAME_PATTERN = /^[a-z]+(_[a-z]+)*$/;
