import { IDENTITY_EVENTS, POLICY_EVENTS, type AffiliationCreated, type GroupCreated, type UserAffiliated } from '@tessera/contracts';
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
  apply(event: EventPayload): boolean {
    const data = event.data as Record<string, never>;
    switch (event.type) {
      case POLICY_EVENTS.groupCreated:
        this.groups.set(data.groupId, { name: (data as unknown as GroupCreated).name, members: new Set() });
        return true;
      case POLICY_EVENTS.groupDeleted: {
        for (const userId of this.groups.get(data.groupId)?.members ?? []) this.userGroups.get(userId)?.delete(data.groupId);
        this.groups.delete(data.groupId);
        return true;
      }
      case POLICY_EVENTS.groupMemberAdded: {
        const group = this.groups.get(data.groupId);
        if (!group) return true;
        group.members.add(data.userId);
        setOf(this.userGroups, data.userId).add(data.groupId);
        return true;
      }
      case POLICY_EVENTS.groupMemberRemoved:
        this.groups.get(data.groupId)?.members.delete(data.userId);
        this.userGroups.get(data.userId)?.delete(data.groupId);
        return true;
      case IDENTITY_EVENTS.userDeactivated: {
        // As in the policy app: a deactivated user's memberships end.
        for (const groupId of this.userGroups.get(data.userId) ?? []) this.groups.get(groupId)?.members.delete(data.userId);
        this.userGroups.delete(data.userId);
        return false;
      }
      case POLICY_EVENTS.affiliationCreated:
        this.affiliations.set(data.affiliationId, (data as unknown as AffiliationCreated).name);
        return true;
      case POLICY_EVENTS.userAffiliated: {
        const affiliated = data as unknown as UserAffiliated;
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
