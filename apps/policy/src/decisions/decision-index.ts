import type { Decision, TesseraEvent, TosRef } from '@tessera/contracts';

export type { Decision, DecisionReason, TosRef } from '@tessera/contracts';

/** Who a decision is about: a user with the standing and token scopes that cap its permissions. */
export interface Subject {
  userId?: string;
  superAdmin: boolean;
  readOnly: boolean;
  /** The token's scopes; absent when asked by userId (no token to cap by). */
  scopes?: string[];
}

export interface GroupState {
  id: string;
  name: string;
  /** userId → admin flag. */
  members: Map<string, boolean>;
}

export interface TosVersion {
  id: string;
  datasetId: string;
  version: number;
  title: string;
  text: string;
  publishedAt: string;
}

export interface DatasetState {
  id: string;
  name: string;
  description: string | null;
  admins: Set<string>;
  /** permission → groupId → expiry in ms since epoch (Infinity for none). */
  grants: Map<string, Map<string, number>>;
  tosVersions: TosVersion[];
  serviceTables: Set<string>;
}

export interface AffiliationState {
  id: string;
  name: string;
  contactName: string | null;
  contactEmail: string | null;
}

export interface UserAffiliation {
  affiliationId: string;
  start: string;
  end: string | null;
}

/** What the index knows of a user from the identity events. */
export interface UserState {
  id: string;
  name: string;
  admin: boolean;
  readOnly: boolean;
  serviceAccount: boolean;
  deactivated: boolean;
}

/** An event of the log as the index applies it: the recorded time dates a TOS version. */
export type IndexedEvent = TesseraEvent & { position: number; recordedAt?: Date | string };

export const BUILT_IN = ['view', 'edit', 'admin_view'];

const serviceTableKey = (service: string, table: string): string => `${service}\u0000${table}`;

/**
 * The policy projection in memory: users → groups → grants per dataset, TOS versions and
 * acceptances, servicetables. A check is a few map look-ups; everything here is rebuilt from
 * the log (snapshot + replay), so nothing lives only in this process.
 */
export class DecisionIndex {
  position = 0;
  readonly groups = new Map<string, GroupState>();
  readonly groupsByName = new Map<string, string>();
  readonly userGroups = new Map<string, Set<string>>();
  readonly datasets = new Map<string, DatasetState>();
  readonly datasetsByName = new Map<string, string>();
  readonly datasetsAdministered = new Map<string, Set<string>>();
  readonly permissions = new Set<string>(BUILT_IN);
  readonly serviceTables = new Map<string, string>();
  readonly tos = new Map<string, TosVersion>();
  /** userId → accepted TOS version ids. */
  readonly tosAccepted = new Map<string, Set<string>>();
  readonly affiliations = new Map<string, AffiliationState>();
  readonly userAffiliations = new Map<string, Map<string, UserAffiliation>>();
  readonly users = new Map<string, UserState>();

  constructor(readonly publicUrl = '') {}

  // ---- decisions -------------------------------------------------------------------------------

  /** The decision rule of CONTRACT section 5 for one dataset. */
  check(subject: Subject, permission: string, datasetId: string, now = Date.now()): Decision {
    const dataset = this.datasets.get(datasetId);
    if (!dataset) return { allowed: false, reason: 'unknown_dataset' };
    if (subject.superAdmin) return { allowed: true, reason: 'super_admin' };
    if (!subject.userId || !this.holdsIgnoringTos(subject, dataset, permission, now)) return { allowed: false, reason: 'no_permission' };
    const tos = this.missingTos(subject.userId, dataset);
    if (tos) return { allowed: false, reason: 'missing_tos', tos: this.tosRef(tos) };
    if (subject.scopes && !scopeAllows(subject.scopes, permission)) return { allowed: false, reason: 'insufficient_scope' };
    return { allowed: true, reason: 'granted' };
  }

  checkTable(subject: Subject, permission: string, service: string, table: string, now = Date.now()): Decision {
    const datasetId = this.serviceTables.get(serviceTableKey(service, table));
    if (!datasetId) return { allowed: false, reason: 'unknown_table' };
    return this.check(subject, permission, datasetId, now);
  }

  datasetIdOfTable(service: string, table: string): string | undefined {
    return this.serviceTables.get(serviceTableKey(service, table));
  }

  /** Resolves a dataset given by id or by exact name. */
  findDataset(idOrName: string): DatasetState | undefined {
    return this.datasets.get(idOrName) ?? this.datasets.get(this.datasetsByName.get(idOrName) ?? '');
  }

  /** Permissions the user's groups hold on the dataset now, before TOS and scopes. */
  permissionsIgnoringTos(subject: Subject, dataset: DatasetState, now = Date.now()): string[] {
    const held: string[] = [];
    for (const permission of dataset.grants.keys()) {
      if (this.holdsIgnoringTos(subject, dataset, permission, now)) held.push(permission);
    }
    return held.sort();
  }

  /** Datasets on which the user holds a permission (TOS and scopes applied). */
  datasetsWith(subject: Subject, permission: string, now = Date.now()): DatasetState[] {
    const found: DatasetState[] = [];
    for (const dataset of this.datasets.values()) {
      if (this.check(subject, permission, dataset.id, now).allowed) found.push(dataset);
    }
    return found.sort(byName);
  }

  /** Users holding a permission on a dataset through their groups, TOS applied. */
  usersWith(datasetId: string, permission: string, now = Date.now()): string[] {
    const dataset = this.datasets.get(datasetId);
    const holders = dataset?.grants.get(permission);
    if (!dataset || !holders) return [];
    const users = new Set<string>();
    for (const [groupId, expiresAt] of holders) {
      if (expiresAt <= now) continue;
      for (const userId of this.groups.get(groupId)?.members.keys() ?? []) {
        if (this.check(this.subjectOfUser(userId), permission, datasetId, now).allowed) users.add(userId);
      }
    }
    return [...users].sort();
  }

  /** The `GET /api/v1/me/permissions` body, without `revision`. */
  userPermissions(subject: Subject, now = Date.now()) {
    const permissions: Record<string, string[]> = {};
    const permissionsIgnoringTos: Record<string, string[]> = {};
    const missingTos: (TosRef & { datasetId: string; dataset: string })[] = [];
    const datasets = subject.superAdmin ? [...this.datasets.values()] : this.datasetsOfUser(subject.userId);
    for (const dataset of datasets.sort(byName)) {
      const ignoring = subject.superAdmin ? [...this.permissions].sort() : this.permissionsIgnoringTos(subject, dataset, now);
      if (ignoring.length === 0) continue;
      permissionsIgnoringTos[dataset.name] = ignoring;
      const tos = subject.superAdmin || !subject.userId ? undefined : this.missingTos(subject.userId, dataset);
      if (tos) {
        // The dataset's id lets the user read the terms (GET /api/v1/datasets/:id/tos) before accepting them.
        missingTos.push({ ...this.tosRef(tos), datasetId: dataset.id, dataset: dataset.name });
        continue;
      }
      const capped = subject.superAdmin || !subject.scopes ? ignoring : ignoring.filter((p) => scopeAllows(subject.scopes!, p));
      if (capped.length > 0) permissions[dataset.name] = capped;
    }
    const userId = subject.userId ?? '';
    return {
      permissions,
      permissionsIgnoringTos,
      missingTos,
      datasetsAdmin: [...(this.datasetsAdministered.get(userId) ?? [])]
        .map((id) => this.datasets.get(id)?.name)
        .filter((name): name is string => !!name)
        .sort(),
      groupsAdmin: [...(this.userGroups.get(userId) ?? [])]
        .map((id) => this.groups.get(id))
        .filter((group): group is GroupState => !!group && group.members.get(userId) === true)
        .map((group) => group.name)
        .sort(),
    };
  }

  groupNamesOf(userId: string | undefined): string[] {
    return [...(this.userGroups.get(userId ?? '') ?? [])]
      .map((id) => this.groups.get(id)?.name)
      .filter((name): name is string => !!name)
      .sort();
  }

  currentTos(dataset: DatasetState): TosVersion | undefined {
    return dataset.tosVersions[dataset.tosVersions.length - 1];
  }

  isGroupAdmin(userId: string | undefined, groupId: string): boolean {
    return !!userId && this.groups.get(groupId)?.members.get(userId) === true;
  }

  isGroupMember(userId: string | undefined, groupId: string): boolean {
    return !!userId && this.groups.get(groupId)?.members.has(userId) === true;
  }

  isDatasetAdmin(userId: string | undefined, datasetId: string): boolean {
    return !!userId && this.datasets.get(datasetId)?.admins.has(userId) === true;
  }

  private datasetsOfUser(userId: string | undefined): DatasetState[] {
    const found = new Set<DatasetState>();
    for (const groupId of this.userGroups.get(userId ?? '') ?? []) {
      for (const dataset of this.datasets.values()) {
        for (const holders of dataset.grants.values()) {
          if (holders.has(groupId)) {
            found.add(dataset);
            break;
          }
        }
      }
    }
    return [...found];
  }

  private holdsIgnoringTos(subject: Subject, dataset: DatasetState, permission: string, now: number): boolean {
    // A read-only user never holds `edit`, whatever its groups hold.
    if (subject.readOnly && permission === 'edit') return false;
    if (this.users.get(subject.userId ?? '')?.deactivated) return false;
    const holders = dataset.grants.get(permission);
    const groups = this.userGroups.get(subject.userId ?? '');
    if (!holders || !groups) return false;
    if (groups.size <= holders.size) {
      for (const groupId of groups) {
        const expiresAt = holders.get(groupId);
        if (expiresAt !== undefined && expiresAt > now) return true;
      }
    } else {
      for (const [groupId, expiresAt] of holders) if (expiresAt > now && groups.has(groupId)) return true;
    }
    return false;
  }

  private missingTos(userId: string, dataset: DatasetState): TosVersion | undefined {
    const current = dataset.tosVersions[dataset.tosVersions.length - 1];
    if (!current) return undefined;
    return this.tosAccepted.get(userId)?.has(current.id) ? undefined : current;
  }

  private tosRef(tos: TosVersion): TosRef {
    return { id: tos.id, title: tos.title, acceptUrl: `${this.publicUrl}/api/v1/tos/${tos.id}/accept` };
  }

  // ---- projection ------------------------------------------------------------------------------

  /** Applies events in position order; events of other apps and unknown types are skipped. */
  apply(events: IndexedEvent[]): void {
    for (const event of events) {
      this.applyOne(event);
      this.position = event.position;
    }
  }

  /** The subject of a decision asked by user id: the user's own standing, no token scopes. */
  subjectOfUser(userId: string): Subject {
    const user = this.users.get(userId);
    return { userId, superAdmin: user?.admin === true && !user.deactivated, readOnly: user?.readOnly === true };
  }

  private applyOne(event: IndexedEvent): void {
    switch (event.type) {
      case 'UserRegistered':
      case 'ServiceAccountCreated':
      case 'UserUpdated':
      case 'UserDeactivated':
        this.applyIdentity(event);
        return;
      case 'GroupCreated': {
        const data = event.data;
        this.groups.set(data.groupId, { id: data.groupId, name: data.name, members: new Map() });
        this.groupsByName.set(data.name, data.groupId);
        return;
      }
      case 'GroupDeleted': {
        const data = event.data;
        const group = this.groups.get(data.groupId);
        if (!group) return;
        for (const userId of group.members.keys()) this.userGroups.get(userId)?.delete(group.id);
        for (const dataset of this.datasets.values()) for (const holders of dataset.grants.values()) holders.delete(group.id);
        this.groups.delete(group.id);
        this.groupsByName.delete(group.name);
        return;
      }
      case 'GroupMemberAdded': {
        const data = event.data;
        const group = this.groups.get(data.groupId);
        if (!group) return;
        group.members.set(data.userId, data.admin === true);
        setOf(this.userGroups, data.userId).add(group.id);
        return;
      }
      case 'GroupMemberRemoved': {
        const data = event.data;
        this.groups.get(data.groupId)?.members.delete(data.userId);
        this.userGroups.get(data.userId)?.delete(data.groupId);
        return;
      }
      case 'DatasetCreated': {
        const data = event.data;
        this.datasets.set(data.datasetId, {
          id: data.datasetId,
          name: data.name,
          description: data.description ?? null,
          admins: new Set(),
          grants: new Map(),
          tosVersions: [],
          serviceTables: new Set(),
        });
        this.datasetsByName.set(data.name, data.datasetId);
        return;
      }
      case 'DatasetUpdated': {
        const data = event.data;
        const dataset = this.datasets.get(data.datasetId);
        if (!dataset) return;
        if (typeof data.name === 'string') {
          this.datasetsByName.delete(dataset.name);
          dataset.name = data.name;
          this.datasetsByName.set(dataset.name, dataset.id);
        }
        if (data.description !== undefined) dataset.description = data.description;
        return;
      }
      case 'DatasetDeleted': {
        const data = event.data;
        const dataset = this.datasets.get(data.datasetId);
        if (!dataset) return;
        for (const userId of dataset.admins) this.datasetsAdministered.get(userId)?.delete(dataset.id);
        for (const key of dataset.serviceTables) this.serviceTables.delete(key);
        this.datasets.delete(dataset.id);
        this.datasetsByName.delete(dataset.name);
        return;
      }
      case 'DatasetAdminAdded': {
        const data = event.data;
        this.datasets.get(data.datasetId)?.admins.add(data.userId);
        setOf(this.datasetsAdministered, data.userId).add(data.datasetId);
        return;
      }
      case 'DatasetAdminRemoved': {
        const data = event.data;
        this.datasets.get(data.datasetId)?.admins.delete(data.userId);
        this.datasetsAdministered.get(data.userId)?.delete(data.datasetId);
        return;
      }
      case 'PermissionRegistered': {
        const data = event.data;
        this.permissions.add(data.name);
        return;
      }
      case 'PermissionGranted': {
        const data = event.data;
        const dataset = this.datasets.get(data.datasetId);
        if (!dataset) return;
        let holders = dataset.grants.get(data.permission);
        if (!holders) dataset.grants.set(data.permission, (holders = new Map()));
        holders.set(data.groupId, data.expiresAt ? Date.parse(data.expiresAt) : Infinity);
        return;
      }
      case 'PermissionRevoked': {
        const data = event.data;
        this.datasets.get(data.datasetId)?.grants.get(data.permission)?.delete(data.groupId);
        return;
      }
      case 'ServiceTableMapped': {
        const data = event.data;
        const key = serviceTableKey(data.service, data.table);
        const previous = this.serviceTables.get(key);
        if (previous) this.datasets.get(previous)?.serviceTables.delete(key);
        this.serviceTables.set(key, data.datasetId);
        this.datasets.get(data.datasetId)?.serviceTables.add(key);
        return;
      }
      case 'ServiceTableUnmapped': {
        const data = event.data;
        const key = serviceTableKey(data.service, data.table);
        const previous = this.serviceTables.get(key);
        if (previous) this.datasets.get(previous)?.serviceTables.delete(key);
        this.serviceTables.delete(key);
        return;
      }
      case 'TosPublished': {
        const data = event.data;
        const version: TosVersion = {
          id: data.tosId,
          datasetId: data.datasetId,
          version: data.version,
          title: data.title,
          text: data.text,
          publishedAt: event.recordedAt ? new Date(event.recordedAt).toISOString() : new Date(0).toISOString(),
        };
        this.tos.set(version.id, version);
        this.datasets.get(data.datasetId)?.tosVersions.push(version);
        return;
      }
      case 'TosAccepted': {
        const data = event.data;
        setOf(this.tosAccepted, data.userId).add(data.tosId);
        return;
      }
      case 'AffiliationCreated': {
        const data = event.data;
        this.affiliations.set(data.affiliationId, {
          id: data.affiliationId,
          name: data.name,
          contactName: data.contactName ?? null,
          contactEmail: data.contactEmail ?? null,
        });
        return;
      }
      case 'UserAffiliated': {
        const data = event.data;
        let affiliations = this.userAffiliations.get(data.userId);
        if (!affiliations) this.userAffiliations.set(data.userId, (affiliations = new Map()));
        affiliations.set(data.affiliationId, { affiliationId: data.affiliationId, start: data.start, end: data.end ?? null });
        return;
      }
      default:
        return;
    }
  }

  private applyIdentity(event: Extract<IndexedEvent, { data: { userId: string } }>): void {
    switch (event.type) {
      case 'UserRegistered':
        this.users.set(event.data.userId, {
          id: event.data.userId,
          name: event.data.name,
          admin: event.data.admin === true,
          readOnly: event.data.readOnly === true,
          serviceAccount: false,
          deactivated: false,
        });
        return;
      case 'ServiceAccountCreated':
        this.users.set(event.data.userId, {
          id: event.data.userId,
          name: event.data.name,
          admin: false,
          readOnly: false,
          serviceAccount: true,
          deactivated: false,
        });
        return;
      case 'UserUpdated': {
        const data = event.data;
        const user = this.users.get(data.userId);
        if (!user) return;
        if (data.name !== undefined) user.name = data.name;
        if (data.admin !== undefined) user.admin = data.admin;
        if (data.readOnly !== undefined) user.readOnly = data.readOnly;
        return;
      }
      case 'UserDeactivated': {
        const data = event.data;
        const user = this.users.get(data.userId);
        if (user) user.deactivated = true;
        // A deactivated user's memberships end.
        for (const groupId of this.userGroups.get(data.userId) ?? []) this.groups.get(groupId)?.members.delete(data.userId);
        this.userGroups.delete(data.userId);
        return;
      }
    }
  }

  // ---- snapshots -------------------------------------------------------------------------------

  /** Everything as JSON; `Infinity` expiries are written as null. */
  toSnapshot(): Buffer {
    return Buffer.from(
      JSON.stringify({
        position: this.position,
        groups: [...this.groups.values()].map((group) => ({ ...group, members: [...group.members] })),
        datasets: [...this.datasets.values()].map((dataset) => ({
          ...dataset,
          admins: [...dataset.admins],
          grants: [...dataset.grants].map(([permission, holders]) => [
            permission,
            [...holders].map(([groupId, expiresAt]) => [groupId, Number.isFinite(expiresAt) ? expiresAt : null]),
          ]),
          serviceTables: [...dataset.serviceTables],
        })),
        permissions: [...this.permissions],
        serviceTables: [...this.serviceTables],
        tosAccepted: [...this.tosAccepted].map(([userId, ids]) => [userId, [...ids]]),
        affiliations: [...this.affiliations.values()],
        userAffiliations: [...this.userAffiliations].map(([userId, map]) => [userId, [...map.values()]]),
        users: [...this.users.values()],
      }),
    );
  }

  static fromSnapshot(data: Buffer, publicUrl = ''): DecisionIndex {
    const raw = JSON.parse(data.toString('utf8'));
    const index = new DecisionIndex(publicUrl);
    index.position = raw.position;
    for (const group of raw.groups) {
      index.groups.set(group.id, { id: group.id, name: group.name, members: new Map(group.members) });
      index.groupsByName.set(group.name, group.id);
      for (const [userId] of group.members) setOf(index.userGroups, userId).add(group.id);
    }
    for (const dataset of raw.datasets) {
      const state: DatasetState = {
        ...dataset,
        admins: new Set(dataset.admins),
        grants: new Map(
          dataset.grants.map(([permission, holders]: [string, [string, number | null][]]) => [
            permission,
            new Map(holders.map(([groupId, expiresAt]) => [groupId, expiresAt ?? Infinity])),
          ]),
        ),
        serviceTables: new Set(dataset.serviceTables),
      };
      index.datasets.set(state.id, state);
      index.datasetsByName.set(state.name, state.id);
      for (const userId of state.admins) setOf(index.datasetsAdministered, userId).add(state.id);
      for (const version of state.tosVersions) index.tos.set(version.id, version);
    }
    for (const name of raw.permissions) index.permissions.add(name);
    for (const [key, datasetId] of raw.serviceTables) index.serviceTables.set(key, datasetId);
    for (const [userId, ids] of raw.tosAccepted) index.tosAccepted.set(userId, new Set(ids));
    for (const affiliation of raw.affiliations) index.affiliations.set(affiliation.id, affiliation);
    for (const [userId, list] of raw.userAffiliations) {
      index.userAffiliations.set(userId, new Map(list.map((item: UserAffiliation) => [item.affiliationId, item])));
    }
    for (const user of raw.users ?? []) index.users.set(user.id, user);
    return index;
  }
}

/** A token's permission scopes cap what it carries: `*` or the permission's own name. */
export function scopeAllows(scopes: string[], permission: string): boolean {
  return scopes.includes('*') || scopes.includes(permission);
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
