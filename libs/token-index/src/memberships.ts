import type { TesseraEvent } from '@tessera/contracts';
import type { EventPayload } from '@tessera/event-store';

/** A user's affiliation as `GET /api/v1/me` shows it. */
export interface MyAffiliation {
  affiliationId: string;
  name: string;
  start: string;
  end: string | null;
  /** Whether `now` lies between start and end. */
  current: boolean;
}

export interface MembershipsSnapshot {
  groups: [id: string, name: string, members: string[]][];
  affiliations: [id: string, name: string][];
  userAffiliations: [userId: string, affiliations: [affiliationId: string, start: string, end: string | null][]][];
}

/**
 * Group memberships and affiliations by user, for `GET /api/v1/me` to answer from the gateway's
 * own token index, without asking the policy app. The decision rules stay in the policy app.
 */
export class Memberships {
  private readonly groups = new Map<string, { name: string; members: Set<string> }>();
  private readonly userGroups = new Map<string, Set<string>>();
  private readonly affiliations = new Map<string, string>();
  private readonly userAffiliations = new Map<string, Map<string, { start: string; end: string | null }>>();

  /** Applies one event if it is about groups or affiliations; answers whether it was. */
  apply(event: EventPayload<TesseraEvent>): boolean {
    switch (event.type) {
      case 'GroupCreated':
        this.groups.set(event.data.groupId, { name: event.data.name, members: new Set() });
        return true;
      case 'GroupDeleted': {
        const { groupId } = event.data;
        for (const userId of this.groups.get(groupId)?.members ?? []) this.userGroups.get(userId)?.delete(groupId);
        this.groups.delete(groupId);
        return true;
      }
      case 'GroupMemberAdded': {
        const { groupId, userId } = event.data;
        const group = this.groups.get(groupId);
        if (!group) return true;
        group.members.add(userId);
        setOf(this.userGroups, userId).add(groupId);
        return true;
      }
      case 'GroupMemberRemoved': {
        const { groupId, userId } = event.data;
        this.groups.get(groupId)?.members.delete(userId);
        this.userGroups.get(userId)?.delete(groupId);
        return true;
      }
      case 'UserDeactivated': {
        const { userId } = event.data;
        // As in the policy app: a deactivated user's memberships end.
        for (const groupId of this.userGroups.get(userId) ?? []) this.groups.get(groupId)?.members.delete(userId);
        this.userGroups.delete(userId);
        return false;
      }
      case 'AffiliationCreated':
        this.affiliations.set(event.data.affiliationId, event.data.name);
        return true;
      case 'UserAffiliated': {
        const affiliated = event.data;
        let mine = this.userAffiliations.get(affiliated.userId);
        if (!mine) this.userAffiliations.set(affiliated.userId, (mine = new Map()));
        mine.set(affiliated.affiliationId, { start: affiliated.start, end: affiliated.end ?? null });
        return true;
      }
      default:
        return false;
    }
  }

  /** The names of the user's groups, sorted. */
  groupsOf(userId: string): string[] {
    return [...(this.userGroups.get(userId) ?? [])]
      .map((groupId) => this.groups.get(groupId)?.name)
      .filter((name): name is string => name !== undefined)
      .sort();
  }

  /** The user's affiliations, by name, as `GET /api/v1/users/:id/affiliations` shows them. */
  affiliationsOf(userId: string, now = Date.now()): MyAffiliation[] {
    return [...(this.userAffiliations.get(userId) ?? [])]
      .map(([affiliationId, { start, end }]) => ({
        affiliationId,
        name: this.affiliations.get(affiliationId) ?? affiliationId,
        start,
        end,
        current: Date.parse(start) <= now && (end === null || now < Date.parse(end)),
      }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  toSnapshot(): MembershipsSnapshot {
    return {
      groups: [...this.groups].map(([id, group]) => [id, group.name, [...group.members]]),
      affiliations: [...this.affiliations],
      userAffiliations: [...this.userAffiliations].map(([userId, mine]) => [
        userId,
        [...mine].map(([affiliationId, { start, end }]) => [affiliationId, start, end]),
      ]),
    };
  }

  static fromSnapshot(snapshot: MembershipsSnapshot): Memberships {
    const memberships = new Memberships();
    for (const [id, name, members] of snapshot.groups) {
      memberships.groups.set(id, { name, members: new Set(members) });
      for (const userId of members) setOf(memberships.userGroups, userId).add(id);
    }
    for (const [id, name] of snapshot.affiliations) memberships.affiliations.set(id, name);
    for (const [userId, mine] of snapshot.userAffiliations) {
      memberships.userAffiliations.set(userId, new Map(mine.map(([affiliationId, start, end]) => [affiliationId, { start, end }])));
    }
    return memberships;
  }
}

function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}
