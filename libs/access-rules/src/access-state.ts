import { BUILT_IN_PERMISSIONS, userNumberOfUuid, type DatasetCreated, type TesseraEvent } from '@tessera/contracts';
import { GroupMemberships, setOf } from './group-memberships';

/** A user as the rules see it: its standing decides super admin, read-only and deactivation. */
export interface AccessUser {
  id: string;
  /** The user's number (CONTRACT section 8): stable, middle_auth's id when imported. */
  number: number;
  /** A service account's parent: it relies on the parent's terms-of-service acceptances. */
  parentId: string | null;
  name: string;
  email: string | null;
  admin: boolean;
  readOnly: boolean;
  serviceAccount: boolean;
  deactivated: boolean;
}

export interface AccessDataset {
  id: string;
  name: string;
  /** permission → groupId → expiry in ms since epoch (Infinity for none). */
  grants: Map<string, Map<string, number>>;
  /** The terms-of-service version a holder must have accepted, if the dataset has terms. */
  currentTosId: string | undefined;
}

/** Who a decision is about: a user with the standing and token scopes that cap its permissions. */
export interface AccessSubject {
  userId?: string;
  superAdmin: boolean;
  readOnly: boolean;
  /** The token's scopes; absent when asked by user id (no token to cap by). */
  scopes?: string[];
}

/** Why a decision came out as it did, in the order the rules are applied. */
export type AccessOutcome = 'unknown_dataset' | 'super_admin' | 'no_permission' | 'missing_tos' | 'insufficient_scope' | 'granted';

/** One grant a user holds through one of its groups, TOS and standing applied; time is not. */
export interface HeldGrant {
  permission: string;
  groupId: string;
  /** ms since epoch, Infinity for none: held at `at` only while `at < expiresAt`. */
  expiresAt: number;
}

/** The factory of a dataset record: a consumer may keep more per dataset than the rules need. */
export type DatasetFactory<D extends AccessDataset> = (created: DatasetCreated['data']) => D;

const plainDataset: DatasetFactory<AccessDataset> = ({ datasetId, name }) => ({
  id: datasetId,
  name,
  grants: new Map(),
  currentTosId: undefined,
});

/**
 * The one rule book of "who holds which permission on which dataset" (CONTRACT section 5): a
 * user holds the union over its groups of their unexpired grants, counted once the dataset's
 * current terms-of-service version is accepted, capped by the token's scopes; a read-only user
 * never holds `edit`; a super admin holds everything; deactivation and group deletion end
 * memberships and grants. The state follows the log through `evolve`; the policy app decides
 * from it live and the audit app materialises its history from it.
 */
export class AccessState<D extends AccessDataset = AccessDataset> {
  readonly users = new Map<string, AccessUser>();
  /** user number → user id. */
  readonly userNumbers = new Map<number, string>();
  /** Who is in which group; `groups` and `userGroups` are its maps, shared. */
  readonly memberships = new GroupMemberships();
  readonly groups = this.memberships.groups;
  /** userId → groupIds. */
  readonly userGroups = this.memberships.userGroups;
  readonly datasets = new Map<string, D>();
  /** groupId → datasetId → how many permissions the group is granted there (expired or not). */
  readonly groupDatasets = new Map<string, Map<string, number>>();
  /** userId → accepted TOS version ids. */
  readonly tosAccepted = new Map<string, Set<string>>();
  /** The permission registry: what a super admin holds. */
  readonly permissions = new Set<string>(BUILT_IN_PERMISSIONS);

  constructor(private readonly newDataset: DatasetFactory<D> = plainDataset as unknown as DatasetFactory<D>) {}

  // ---- the rules -------------------------------------------------------------------------------

  /** The subject of a question asked by user id: the user's own standing, no token scopes. */
  subjectOfUser(userId: string): AccessSubject {
    const user = this.users.get(userId);
    return { userId, superAdmin: user?.admin === true && !user.deactivated, readOnly: user?.readOnly === true };
  }

  /** The decision for one permission on one dataset at `at` (ms since epoch). Allocation-free. */
  decide(subject: AccessSubject, permission: string, dataset: D | undefined, at: number): AccessOutcome {
    if (!dataset) return 'unknown_dataset';
    if (subject.superAdmin) return 'super_admin';
    if (!subject.userId || !this.holdsIgnoringTos(subject, dataset, permission, at)) return 'no_permission';
    if (this.missingTos(subject.userId, dataset) !== undefined) return 'missing_tos';
    if (subject.scopes && !scopeAllows(subject.scopes, permission)) return 'insufficient_scope';
    return 'granted';
  }

  /** Whether a group of the user holds the permission on the dataset at `at`, before TOS and scopes. */
  holdsIgnoringTos(subject: AccessSubject, dataset: D, permission: string, at: number): boolean {
    if (!this.standingAllows(subject, permission)) return false;
    const holders = dataset.grants.get(permission);
    const groups = this.userGroups.get(subject.userId ?? '');
    if (!holders || !groups) return false;
    if (groups.size <= holders.size) {
      for (const groupId of groups) if (isUnexpired(holders.get(groupId), at)) return true;
    } else {
      for (const [groupId, expiresAt] of holders) if (isUnexpired(expiresAt, at) && groups.has(groupId)) return true;
    }
    return false;
  }

  /**
   * Until when the permission, held now through a group of the user, stays held with no event: the
   * last expiry among those grants (Infinity for a grant without end). Nothing else about a held
   * permission changes by time alone. `at` or before when it is not held.
   */
  heldUntil(subject: AccessSubject, dataset: D, permission: string, at: number): number {
    const holders = dataset.grants.get(permission);
    const groups = this.userGroups.get(subject.userId ?? '');
    let until = at;
    if (!holders || !groups) return until;
    for (const groupId of groups) {
      const expiresAt = holders.get(groupId);
      if (expiresAt !== undefined && expiresAt > until) until = expiresAt;
    }
    return until;
  }

  /** The dataset's current TOS version when the user has not accepted it; undefined otherwise. */
  missingTos(userId: string, dataset: D): string | undefined {
    const current = dataset.currentTosId;
    if (current === undefined) return undefined;
    // A service account with a parent relies on the parent's acceptance (as middle_auth does).
    const acceptor = this.users.get(userId)?.parentId ?? userId;
    return this.tosAccepted.get(acceptor)?.has(current) ? undefined : current;
  }

  /** Permissions the user's groups hold on the dataset at `at`, before TOS and scopes, sorted. */
  permissionsIgnoringTos(subject: AccessSubject, dataset: D, at: number): string[] {
    const held: string[] = [];
    for (const permission of dataset.grants.keys()) if (this.holdsIgnoringTos(subject, dataset, permission, at)) held.push(permission);
    return held.sort();
  }

  /** What the user holds on the dataset at `at` by its own standing (no token): sorted permission names. */
  holdings(userId: string, datasetId: string, at: number): string[] {
    const dataset = this.datasets.get(datasetId);
    if (!dataset) return [];
    const subject = this.subjectOfUser(userId);
    if (subject.superAdmin) return [...this.permissions].sort();
    if (this.missingTos(userId, dataset) !== undefined) return [];
    return this.permissionsIgnoringTos(subject, dataset, at);
  }

  /**
   * Every grant the user holds on the dataset through a group by its own standing, TOS applied,
   * expiry left to the reader (`isUnexpired`). What the audit materialises: the same rules as
   * `holdsIgnoringTos` and `missingTos`, enumerated. Super admin standing is not a grant.
   */
  heldGrants(userId: string, dataset: D): HeldGrant[] {
    const held: HeldGrant[] = [];
    const subject = this.subjectOfUser(userId);
    const groups = this.userGroups.get(userId);
    if (!groups || groups.size === 0 || this.missingTos(userId, dataset) !== undefined) return held;
    for (const [permission, holders] of dataset.grants) {
      if (!this.standingAllows(subject, permission)) continue;
      for (const groupId of groups) {
        const expiresAt = holders.get(groupId);
        if (expiresAt !== undefined) held.push({ permission, groupId, expiresAt });
      }
    }
    return held;
  }

  /** Datasets on which a group of the user is granted anything (expired or not): O(the user's groups' grants). */
  datasetsOfUser(userId: string | undefined): D[] {
    const found = new Set<D>();
    for (const groupId of this.userGroups.get(userId ?? '') ?? []) {
      for (const datasetId of this.groupDatasets.get(groupId)?.keys() ?? []) {
        const dataset = this.datasets.get(datasetId);
        if (dataset) found.add(dataset);
      }
    }
    return [...found];
  }

  /** Users in a group granted anything on the dataset: everyone whose holdings there a change can move. */
  usersOnDataset(datasetId: string): Set<string> {
    const users = new Set<string>();
    for (const holders of this.datasets.get(datasetId)?.grants.values() ?? []) {
      for (const groupId of holders.keys()) for (const userId of this.groups.get(groupId)?.members.keys() ?? []) users.add(userId);
    }
    return users;
  }

  /** A read-only user never holds `edit`; a deactivated user holds nothing. */
  private standingAllows(subject: AccessSubject, permission: string): boolean {
    if (subject.readOnly && permission === 'edit') return false;
    return this.users.get(subject.userId ?? '')?.deactivated !== true;
  }

  /** Rebuilds the group → datasets index from the grants (after a state is restored from a snapshot). */
  reindexGroupDatasets(): void {
    this.groupDatasets.clear();
    for (const dataset of this.datasets.values()) {
      for (const holders of dataset.grants.values()) {
        for (const groupId of holders.keys()) {
          let datasets = this.groupDatasets.get(groupId);
          if (!datasets) this.groupDatasets.set(groupId, (datasets = new Map()));
          datasets.set(dataset.id, (datasets.get(dataset.id) ?? 0) + 1);
        }
      }
    }
  }

  // ---- evolve ----------------------------------------------------------------------------------

  /** A user (or service account) and its number; also for a snapshot's users. */
  addUser(user: AccessUser): void {
    this.users.set(user.id, user);
    this.userNumbers.set(user.number, user.id);
  }

  /** Applies one event of the log; events the rules do not read pass by. Answers whether it was read. */
  evolve(event: TesseraEvent): boolean {
    switch (event.type) {
      case 'UserRegistered': {
        const { userId, name, admin, readOnly, email } = event.data;
        this.addUser({
          id: userId,
          number: event.data.number ?? userNumberOfUuid(userId),
          parentId: null,
          name,
          email: email ?? null,
          admin: admin === true,
          readOnly: readOnly === true,
          serviceAccount: false,
          deactivated: false,
        });
        return true;
      }
      case 'ServiceAccountCreated': {
        const { userId, name } = event.data;
        this.addUser({
          id: userId,
          number: event.data.number ?? userNumberOfUuid(userId),
          parentId: event.data.parentId ?? null,
          name,
          email: null,
          admin: false,
          readOnly: false,
          serviceAccount: true,
          deactivated: false,
        });
        return true;
      }
      case 'UserUpdated': {
        const { userId, name, admin, readOnly, email } = event.data;
        const user = this.users.get(userId);
        if (!user) return true;
        if (name !== undefined) user.name = name;
        if (email !== undefined) user.email = email;
        if (admin !== undefined) user.admin = admin;
        if (readOnly !== undefined) user.readOnly = readOnly;
        return true;
      }
      case 'UserDeactivated': {
        const user = this.users.get(event.data.userId);
        if (user) user.deactivated = true;
        // A deactivated user's memberships end.
        return this.memberships.evolve(event);
      }
      case 'GroupDeleted': {
        const { groupId } = event.data;
        if (!this.groups.has(groupId)) return true;
        // Deleting a group ends its memberships and its grants.
        for (const datasetId of this.groupDatasets.get(groupId)?.keys() ?? []) {
          for (const holders of this.datasets.get(datasetId)?.grants.values() ?? []) holders.delete(groupId);
        }
        this.groupDatasets.delete(groupId);
        return this.memberships.evolve(event);
      }
      case 'GroupCreated':
      case 'GroupMemberAdded':
      case 'GroupMemberRemoved':
        return this.memberships.evolve(event);
      case 'DatasetCreated': {
        this.datasets.set(event.data.datasetId, this.newDataset(event.data));
        return true;
      }
      case 'DatasetUpdated': {
        const { datasetId, name } = event.data;
        const dataset = this.datasets.get(datasetId);
        if (dataset && typeof name === 'string') dataset.name = name;
        return true;
      }
      case 'DatasetDeleted': {
        const { datasetId } = event.data;
        const dataset = this.datasets.get(datasetId);
        if (!dataset) return true;
        for (const holders of dataset.grants.values())
          for (const groupId of holders.keys()) this.groupDatasets.get(groupId)?.delete(datasetId);
        this.datasets.delete(datasetId);
        return true;
      }
      case 'PermissionRegistered':
        this.permissions.add(event.data.name);
        return true;
      case 'PermissionGranted': {
        const { datasetId, groupId, permission, expiresAt } = event.data;
        const dataset = this.datasets.get(datasetId);
        if (!dataset) return true;
        let holders = dataset.grants.get(permission);
        if (!holders) dataset.grants.set(permission, (holders = new Map()));
        if (!holders.has(groupId)) {
          let datasets = this.groupDatasets.get(groupId);
          if (!datasets) this.groupDatasets.set(groupId, (datasets = new Map()));
          datasets.set(datasetId, (datasets.get(datasetId) ?? 0) + 1);
        }
        holders.set(groupId, expiresAt ? Date.parse(expiresAt) : Infinity);
        return true;
      }
      case 'PermissionRevoked': {
        const { datasetId, groupId, permission } = event.data;
        if (!this.datasets.get(datasetId)?.grants.get(permission)?.delete(groupId)) return true;
        const datasets = this.groupDatasets.get(groupId);
        const left = (datasets?.get(datasetId) ?? 1) - 1;
        if (left > 0) datasets?.set(datasetId, left);
        else datasets?.delete(datasetId);
        return true;
      }
      case 'TosPublished': {
        // A new version replaces the current one: every holder must accept it again.
        const dataset = this.datasets.get(event.data.datasetId);
        if (dataset) dataset.currentTosId = event.data.tosId;
        return true;
      }
      case 'TosAccepted':
        setOf(this.tosAccepted, event.data.userId).add(event.data.tosId);
        return true;
      default:
        return false;
    }
  }
}

/** A token's permission scopes cap what it carries: `*` or the permission's own name. */
export function scopeAllows(scopes: string[], permission: string): boolean {
  return scopes.includes('*') || scopes.includes(permission);
}

/** A grant counts at `at` while it has not expired (no expiry: Infinity). */
export function isUnexpired(expiresAt: number | undefined, at: number): boolean {
  return expiresAt !== undefined && expiresAt > at;
}
