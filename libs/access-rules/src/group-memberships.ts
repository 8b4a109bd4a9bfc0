import type { TesseraEvent } from '@tessera/contracts';

export interface AccessGroup {
  id: string;
  name: string;
  /** userId → group admin flag. */
  members: Map<string, boolean>;
}

/** A group as a snapshot keeps it: id, name, members, and the members who are its admins. */
export type GroupRecord = [id: string, name: string, members: string[], admins: string[]];

/**
 * Who is in which group, folded from the log once for every reader: the rule book (a user holds
 * its groups' grants), the policy app's admin checks, and the token index's `GET /api/v1/me`.
 * Deactivating a user and deleting a group end their memberships.
 */
export class GroupMemberships {
  readonly groups = new Map<string, AccessGroup>();
  /** userId → groupIds. */
  readonly userGroups = new Map<string, Set<string>>();

  /** Applies one event if it changes a membership; answers whether it was about groups or a deactivation. */
  evolve(event: TesseraEvent): boolean {
    switch (event.type) {
      case 'GroupCreated': {
        const { groupId, name } = event.data;
        this.groups.set(groupId, { id: groupId, name, members: new Map() });
        return true;
      }
      case 'GroupDeleted': {
        const { groupId } = event.data;
        for (const userId of this.groups.get(groupId)?.members.keys() ?? []) this.userGroups.get(userId)?.delete(groupId);
        this.groups.delete(groupId);
        return true;
      }
      case 'GroupMemberAdded': {
        const { groupId, userId, admin } = event.data;
        const group = this.groups.get(groupId);
        if (!group) return true;
        group.members.set(userId, admin === true);
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
        for (const groupId of this.userGroups.get(userId) ?? []) this.groups.get(groupId)?.members.delete(userId);
        this.userGroups.delete(userId);
        return true;
      }
      default:
        return false;
    }
  }

  /** The names of the user's groups, sorted. */
  groupNamesOf(userId: string | undefined): string[] {
    return [...(this.userGroups.get(userId ?? '') ?? [])]
      .map((groupId) => this.groups.get(groupId)?.name)
      .filter((name): name is string => name !== undefined)
      .sort();
  }

  /** A group as a snapshot holds it, members in the order they joined. */
  restoreGroup(id: string, name: string, members: Iterable<[userId: string, admin: boolean]>): void {
    const group: AccessGroup = { id, name, members: new Map(members) };
    this.groups.set(id, group);
    for (const userId of group.members.keys()) setOf(this.userGroups, userId).add(id);
  }

  toRecords(): GroupRecord[] {
    return [...this.groups.values()].map(({ id, name, members }) => [
      id,
      name,
      [...members.keys()],
      [...members].filter(([, admin]) => admin).map(([userId]) => userId),
    ]);
  }

  /** From `toRecords()`; records written before admins were kept have none. */
  static fromRecords(records: Iterable<[id: string, name: string, members: string[], admins?: string[]]>): GroupMemberships {
    const memberships = new GroupMemberships();
    for (const [id, name, members, admins = []] of records) {
      const isAdmin = new Set(admins);
      memberships.restoreGroup(
        id,
        name,
        members.map((userId) => [userId, isAdmin.has(userId)]),
      );
    }
    return memberships;
  }
}

export function setOf<K, V>(map: Map<K, Set<V>>, key: K): Set<V> {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  return set;
}
