import { AccessState, scopeAllows, type AccessDataset, type AccessGroup, type AccessSubject, type AccessUser } from '@tessera/access-rules';
import { userNumberOfUuid, type DatasetCreated, type Decision, type TesseraEvent, type TosRef } from '@tessera/contracts';

export type { Decision, DecisionReason, TosRef } from '@tessera/contracts';
export { scopeAllows } from '@tessera/access-rules';

/** Who a decision is about: a user with the standing and token scopes that cap its permissions. */
export type Subject = AccessSubject;

export type GroupState = AccessGroup;

export interface TosVersion {
  id: string;
  datasetId: string;
  version: number;
  title: string;
  text: string;
  publishedAt: string;
}

/** A dataset as the rules see it, plus what the policy app shows of it. */
export interface DatasetState extends AccessDataset {
  description: string | null;
  admins: Set<string>;
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
export type UserState = AccessUser;

/** An event of the log as the index applies it: the recorded time dates a TOS version. */
export type IndexedEvent = TesseraEvent & { position: number; recordedAt?: Date | string };

const serviceTableKey = (service: string, table: string): string => `${service}\u0000${table}`;

const newDataset = ({ datasetId, name, description }: DatasetCreated['data']): DatasetState => ({
  id: datasetId,
  name,
  description: description ?? null,
  admins: new Set(),
  grants: new Map(),
  currentTosId: undefined,
  tosVersions: [],
  serviceTables: new Set(),
});

/** The `GET /api/v1/me/permissions` body, without `revision`. */
export interface UserPermissions {
  permissions: Record<string, string[]>;
  permissionsIgnoringTos: Record<string, string[]>;
  missingTos: (TosRef & { datasetId: string; dataset: string })[];
  datasetsAdmin: string[];
  groupsAdmin: string[];
}

/** A user's answer, kept until an event touches the user, one of its groups or datasets, or a grant expires. */
interface CachedPermissions {
  variant: string;
  computedAt: number;
  validUntil: number;
  answer: UserPermissions;
  /** JSON bodies served from the answer (UTF-8, ready to send), by name, each with its own end of validity. */
  served?: Map<string, ServedBody>;
}

/** A JSON body made from a user's answer, and until when it holds (Infinity: until an event touches the user). */
export interface ServedJson {
  json: string;
  validUntil: number;
}

/** A served JSON body, encoded, and until when it holds (Infinity: until an event touches the user). */
export interface ServedBody {
  json: Buffer;
  validUntil: number;
}

/** Beyond this many users cached, the cache starts again (memory stays bounded). */
const MAX_CACHED_USERS = 100_000;

/**
 * The policy projection in memory: the rule book's state (users, groups, grants, TOS acceptances:
 * `@tessera/access-rules`) plus what the policy app shows (names, admins, TOS texts,
 * servicetables, affiliations). A check is a few map look-ups; everything here is rebuilt from the
 * log (snapshot + replay), so nothing lives only in this process.
 */
export class DecisionIndex {
  position = 0;
  /** The rules' state; the maps below that it keeps are the same objects, shared. */
  readonly access = new AccessState<DatasetState>(newDataset);
  readonly groups = this.access.groups;
  readonly groupsByName = new Map<string, string>();
  readonly userGroups = this.access.userGroups;
  readonly datasets = this.access.datasets;
  readonly datasetsByName = new Map<string, string>();
  readonly datasetsAdministered = new Map<string, Set<string>>();
  readonly permissions = this.access.permissions;
  readonly serviceTables = new Map<string, string>();
  readonly tos = new Map<string, TosVersion>();
  /** userId → accepted TOS version ids. */
  readonly tosAccepted = this.access.tosAccepted;
  /** user number → user id. */
  readonly userNumbers = this.access.userNumbers;
  /** table → its public roots (decimal strings), as middle_auth kept them. */
  readonly publicRoots = new Map<string, Set<string>>();
  readonly affiliations = new Map<string, AffiliationState>();
  readonly userAffiliations = new Map<string, Map<string, UserAffiliation>>();
  readonly users = this.access.users;
  /** userId → its last `userPermissions` answer (users who are not super admins). */
  private readonly permissionsCache = new Map<string, CachedPermissions>();

  constructor(readonly publicUrl = '') {}

  // ---- decisions -------------------------------------------------------------------------------

  /** The decision rule of CONTRACT section 5 for one dataset. */
  check(subject: Subject, permission: string, datasetId: string, now = Date.now()): Decision {
    const dataset = this.datasets.get(datasetId);
    const outcome = this.access.decide(subject, permission, dataset, now);
    switch (outcome) {
      case 'granted':
      case 'super_admin':
        return { allowed: true, reason: outcome };
      case 'missing_tos':
        return { allowed: false, reason: outcome, tos: this.tosRef(this.currentTos(dataset!)!) };
      default:
        return { allowed: false, reason: outcome };
    }
  }

  checkTable(subject: Subject, permission: string, service: string, table: string, now = Date.now()): Decision {
    const datasetId = this.serviceTables.get(serviceTableKey(service, table));
    if (!datasetId) return { allowed: false, reason: 'unknown_table' };
    return this.check(subject, permission, datasetId, now);
  }

  /**
   * Until when a granted `check` holds with no event (ms since epoch, Infinity: until an event): the
   * last expiry of the grants it rests on. A super admin's standing does not end by itself.
   */
  grantedUntil(subject: Subject, permission: string, datasetId: string, now = Date.now()): number {
    if (subject.superAdmin) return Infinity;
    const dataset = this.datasets.get(datasetId);
    return dataset ? this.access.heldUntil(subject, dataset, permission, now) : now;
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
    return this.access.permissionsIgnoringTos(subject, dataset, now);
  }

  /** Datasets on which the user holds a permission (TOS and scopes applied). */
  datasetsWith(subject: Subject, permission: string, now = Date.now()): DatasetState[] {
    const candidates = subject.superAdmin ? this.datasets.values() : this.access.datasetsOfUser(subject.userId);
    const found: DatasetState[] = [];
    for (const dataset of candidates) {
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

  /**
   * The `GET /api/v1/me/permissions` body, without `revision`. A user's answer is computed over
   * its own groups' datasets only, and kept until an event touches it or a grant in it expires.
   */
  userPermissions(subject: Subject, now = Date.now()): UserPermissions {
    if (subject.superAdmin || !subject.userId) return this.computePermissions(subject, now).answer;
    return this.cachedPermissions(subject, subject.userId, now).answer;
  }

  /**
   * A JSON body made by `make` from the user's answer (the me-permissions body, the middle_auth user
   * cache), kept encoded beside the answer: made again only once an event touches the user
   * (forgetTouched) or its own `validUntil` passes. A super admin's is made each time, as its answer
   * is. With the body, until when it holds without an event: the earlier of the answer's and its own.
   */
  servedJson(subject: Subject, name: string, make: (answer: UserPermissions) => ServedJson, now = Date.now()): ServedBody {
    if (subject.superAdmin || !subject.userId) {
      const computed = this.computePermissions(subject, now);
      const made = make(computed.answer);
      return { json: Buffer.from(made.json), validUntil: Math.min(computed.validUntil, made.validUntil) };
    }
    const cached = this.cachedPermissions(subject, subject.userId, now);
    cached.served ??= new Map();
    let served = cached.served.get(name);
    if (served === undefined || now >= served.validUntil) {
      const { json, validUntil } = make(cached.answer);
      cached.served.set(name, (served = { json: Buffer.from(json), validUntil }));
    }
    return { json: served.json, validUntil: Math.min(cached.validUntil, served.validUntil) };
  }

  private cachedPermissions(subject: Subject, userId: string, now: number): CachedPermissions {
    const variant = `${subject.readOnly ? 'r' : 'w'}${subject.scopes ? subject.scopes.join(' ') : '*all'}`;
    const cached = this.permissionsCache.get(userId);
    if (cached && cached.variant === variant && now >= cached.computedAt && now < cached.validUntil) return cached;
    const { answer, validUntil } = this.computePermissions(subject, now);
    if (this.permissionsCache.size >= MAX_CACHED_USERS) this.permissionsCache.clear();
    const made: CachedPermissions = { variant, computedAt: now, validUntil, answer };
    this.permissionsCache.set(userId, made);
    return made;
  }

  private computePermissions(subject: Subject, now: number): { answer: UserPermissions; validUntil: number } {
    const permissions: Record<string, string[]> = {};
    const permissionsIgnoringTos: Record<string, string[]> = {};
    const missingTos: UserPermissions['missingTos'] = [];
    let validUntil = Infinity;
    const groups = this.userGroups.get(subject.userId ?? '');
    const datasets = subject.superAdmin ? [...this.datasets.values()] : this.access.datasetsOfUser(subject.userId);
    for (const dataset of datasets.sort(byName)) {
      if (!subject.superAdmin && groups) {
        // The answer changes by itself when one of the user's grants expires.
        for (const holders of dataset.grants.values()) {
          for (const groupId of groups) {
            const expiresAt = holders.get(groupId);
            if (expiresAt !== undefined && expiresAt > now && expiresAt < validUntil) validUntil = expiresAt;
          }
        }
      }
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
    const answer = {
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
    return { answer, validUntil };
  }

  groupNamesOf(userId: string | undefined): string[] {
    return this.access.memberships.groupNamesOf(userId);
  }

  currentTos(dataset: DatasetState): TosVersion | undefined {
    return dataset.currentTosId === undefined ? undefined : this.tos.get(dataset.currentTosId);
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

  private missingTos(userId: string, dataset: DatasetState): TosVersion | undefined {
    const missing = this.access.missingTos(userId, dataset);
    return missing === undefined ? undefined : this.tos.get(missing);
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
    return this.access.subjectOfUser(userId);
  }

  /**
   * What the policy app shows beside the rules (names, admins, TOS texts, servicetables,
   * affiliations), read before the rules' state moves on; then the rule book's own `evolve`.
   */
  private applyOne(event: IndexedEvent): void {
    if (this.permissionsCache.size > 0) this.forgetTouched(event);
    switch (event.type) {
      case 'GroupCreated':
        this.groupsByName.set(event.data.name, event.data.groupId);
        break;
      case 'GroupDeleted': {
        const group = this.groups.get(event.data.groupId);
        if (group) this.groupsByName.delete(group.name);
        break;
      }
      case 'DatasetCreated':
        this.datasetsByName.set(event.data.name, event.data.datasetId);
        break;
      case 'DatasetUpdated': {
        const data = event.data;
        const dataset = this.datasets.get(data.datasetId);
        if (!dataset) break;
        if (typeof data.name === 'string') {
          this.datasetsByName.delete(dataset.name);
          this.datasetsByName.set(data.name, dataset.id);
        }
        if (data.description !== undefined) dataset.description = data.description;
        break;
      }
      case 'DatasetDeleted': {
        const dataset = this.datasets.get(event.data.datasetId);
        if (!dataset) break;
        for (const userId of dataset.admins) this.datasetsAdministered.get(userId)?.delete(dataset.id);
        for (const key of dataset.serviceTables) this.serviceTables.delete(key);
        this.datasetsByName.delete(dataset.name);
        break;
      }
      case 'DatasetAdminAdded': {
        const data = event.data;
        this.datasets.get(data.datasetId)?.admins.add(data.userId);
        setOf(this.datasetsAdministered, data.userId).add(data.datasetId);
        break;
      }
      case 'DatasetAdminRemoved': {
        const data = event.data;
        this.datasets.get(data.datasetId)?.admins.delete(data.userId);
        this.datasetsAdministered.get(data.userId)?.delete(data.datasetId);
        break;
      }
      case 'ServiceTableMapped': {
        const data = event.data;
        const key = serviceTableKey(data.service, data.table);
        const previous = this.serviceTables.get(key);
        if (previous) this.datasets.get(previous)?.serviceTables.delete(key);
        this.serviceTables.set(key, data.datasetId);
        this.datasets.get(data.datasetId)?.serviceTables.add(key);
        break;
      }
      case 'ServiceTableUnmapped': {
        const data = event.data;
        const key = serviceTableKey(data.service, data.table);
        const previous = this.serviceTables.get(key);
        if (previous) this.datasets.get(previous)?.serviceTables.delete(key);
        this.serviceTables.delete(key);
        break;
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
        break;
      }
      case 'AffiliationCreated': {
        const data = event.data;
        this.affiliations.set(data.affiliationId, {
          id: data.affiliationId,
          name: data.name,
          contactName: data.contactName ?? null,
          contactEmail: data.contactEmail ?? null,
        });
        break;
      }
      case 'UserAffiliated': {
        const data = event.data;
        let affiliations = this.userAffiliations.get(data.userId);
        if (!affiliations) this.userAffiliations.set(data.userId, (affiliations = new Map()));
        affiliations.set(data.affiliationId, { affiliationId: data.affiliationId, start: data.start, end: data.end ?? null });
        break;
      }
      case 'PublicRootsMarked': {
        const roots = setOf(this.publicRoots, event.data.table);
        for (const root of event.data.roots) roots.add(root);
        break;
      }
      default:
        break;
    }
    this.access.evolve(event);
  }

  /**
   * Drops the cached answers (and the JSON served from them) an event can change: its user, a group's
   * members, a dataset's holders and admins; every one for an event that could touch anyone.
   */
  private forgetTouched(event: IndexedEvent): void {
    const forget = (userId: string) => this.permissionsCache.delete(userId);
    const forgetMembers = (groupId: string) => {
      for (const userId of this.groups.get(groupId)?.members.keys() ?? []) forget(userId);
    };
    switch (event.type) {
      case 'UserRegistered':
      case 'ServiceAccountCreated':
      case 'UserUpdated':
      case 'UserDeactivated':
      case 'GroupMemberAdded':
      case 'GroupMemberRemoved':
      case 'DatasetAdminAdded':
      case 'DatasetAdminRemoved':
      case 'UserAffiliated':
        forget(event.data.userId);
        return;
      case 'AffiliationCreated':
        // Names the affiliations of users affiliated to it before it was created (an import's order).
        this.permissionsCache.clear();
        return;
      case 'TosAccepted':
        forget(event.data.userId);
        // Its service accounts rely on its acceptance.
        for (const user of this.users.values()) if (user.parentId === event.data.userId) forget(user.id);
        return;
      case 'GroupDeleted':
      case 'PermissionGranted':
      case 'PermissionRevoked':
        forgetMembers(event.data.groupId);
        return;
      case 'DatasetUpdated':
      case 'DatasetDeleted':
      case 'TosPublished':
        for (const userId of this.access.usersOnDataset(event.data.datasetId)) forget(userId);
        for (const userId of this.datasets.get(event.data.datasetId)?.admins ?? []) forget(userId);
        return;
      default:
        return;
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
        publicRoots: [...this.publicRoots].map(([table, roots]) => [table, [...roots]]),
      }),
    );
  }

  static fromSnapshot(data: Buffer, publicUrl = ''): DecisionIndex {
    const raw = JSON.parse(data.toString('utf8'));
    const index = new DecisionIndex(publicUrl);
    index.position = raw.position;
    for (const group of raw.groups) {
      index.access.memberships.restoreGroup(group.id, group.name, group.members);
      index.groupsByName.set(group.name, group.id);
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
      // The current terms are the last version published (as `evolve` keeps them).
      state.currentTosId = state.tosVersions[state.tosVersions.length - 1]?.id;
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
    for (const [table, roots] of raw.publicRoots ?? []) index.publicRoots.set(table, new Set(roots));
    for (const user of raw.users ?? []) {
      index.access.addUser({
        ...user,
        number: user.number ?? userNumberOfUuid(user.id),
        parentId: user.parentId ?? null,
        email: user.email ?? null,
      });
    }
    index.access.reindexGroupDatasets();
    return index;
  }
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}
