import type { Event } from './event';

/**
 * Event types of the policy app (category `policy`), read by the policy app's decision index and,
 * by the audit app's access projection. Stream ids: `group-<id>`, `dataset-<id>`, `permission-<name>`,
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
  publicRootsMarked: 'PublicRootsMarked',
} as const satisfies Record<string, PolicyEvent['type']>;

export type GroupCreated = Event<
  'GroupCreated',
  {
    groupId: string;
    name: string;
  }
>;
export type GroupDeleted = Event<
  'GroupDeleted',
  {
    groupId: string;
  }
>;
export type GroupMemberAdded = Event<
  'GroupMemberAdded',
  {
    groupId: string;
    userId: string;
    admin: boolean;
  }
>;
export type GroupMemberRemoved = Event<
  'GroupMemberRemoved',
  {
    groupId: string;
    userId: string;
  }
>;
export type DatasetCreated = Event<
  'DatasetCreated',
  {
    datasetId: string;
    name: string;
    description: string | null;
  }
>;
export type DatasetUpdated = Event<
  'DatasetUpdated',
  {
    datasetId: string;
    name?: string;
    description?: string | null;
  }
>;
export type DatasetDeleted = Event<
  'DatasetDeleted',
  {
    datasetId: string;
  }
>;
export type DatasetAdminAdded = Event<
  'DatasetAdminAdded',
  {
    datasetId: string;
    userId: string;
  }
>;
export type DatasetAdminRemoved = Event<
  'DatasetAdminRemoved',
  {
    datasetId: string;
    userId: string;
  }
>;
export type PermissionRegistered = Event<
  'PermissionRegistered',
  {
    name: string;
  }
>;
export type PermissionGranted = Event<
  'PermissionGranted',
  {
    datasetId: string;
    groupId: string;
    permission: string;
    /** ISO time the grant ends by itself, or null for no end. */
    expiresAt: string | null;
  }
>;
export type PermissionRevoked = Event<
  'PermissionRevoked',
  {
    datasetId: string;
    groupId: string;
    permission: string;
  }
>;
export type ServiceTableMapped = Event<
  'ServiceTableMapped',
  {
    service: string;
    table: string;
    datasetId: string;
  }
>;
export type ServiceTableUnmapped = Event<
  'ServiceTableUnmapped',
  {
    service: string;
    table: string;
  }
>;
export type TosPublished = Event<
  'TosPublished',
  {
    tosId: string;
    datasetId: string;
    version: number;
    title: string;
    /** Plain text, stored and returned as text, never rendered. */
    text: string;
  }
>;
export type TosAccepted = Event<
  'TosAccepted',
  {
    tosId: string;
    datasetId: string;
    userId: string;
  }
>;
export type AffiliationCreated = Event<
  'AffiliationCreated',
  {
    affiliationId: string;
    name: string;
    contactName: string | null;
    contactEmail: string | null;
  }
>;
export type UserAffiliated = Event<
  'UserAffiliated',
  {
    affiliationId: string;
    userId: string;
    start: string;
    end: string | null;
  }
>;

/**
 * Roots of a table that anyone may read (middle_auth's `cell_temp` rows with `public`), brought by
 * an import; stream `public-roots-<table>`. Root ids are decimal strings: they outgrow doubles.
 */
export type PublicRootsMarked = Event<
  'PublicRootsMarked',
  {
    table: string;
    roots: string[];
  }
>;

/** The events of a group stream (`group-<id>`). */
export type GroupEvent = GroupCreated | GroupDeleted | GroupMemberAdded | GroupMemberRemoved;

/** The events of a dataset stream (`dataset-<id>`): the dataset, its admins, grants and TOS versions. */
export type DatasetEvent =
  | DatasetCreated
  | DatasetUpdated
  | DatasetDeleted
  | DatasetAdminAdded
  | DatasetAdminRemoved
  | PermissionGranted
  | PermissionRevoked
  | TosPublished;

/** Every event of the category `policy`. */
export type PolicyEvent =
  | GroupEvent
  | DatasetEvent
  | PermissionRegistered
  | ServiceTableMapped
  | ServiceTableUnmapped
  | TosAccepted
  | AffiliationCreated
  | UserAffiliated
  | PublicRootsMarked;

/** Permissions in the registry from the start (CONTRACT section 5). */
export const BUILT_IN_PERMISSIONS = ['view', 'edit', 'admin_view'] as const;

/** Permission names are lowercase words, joined by underscores. */
export const PERMISSION_NAME_PATTERN = /^[a-z]+(_[a-z]+)*$/;
