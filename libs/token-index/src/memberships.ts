import { GroupMemberships, type GroupRecord } from '@tessera/access-rules';
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
  /** Written before group admins were kept: without the admins. */
  groups: (GroupRecord | [id: string, name: string, members: string[]])[];
  affiliations: [id: string, name: string][];
  userAffiliations: [userId: string, affiliations: [affiliationId: string, start: string, end: string | null][]][];
}

/**
 * Group memberships and affiliations by user, for `GET /api/v1/me` to answer from the gateway's
 * own token index, without asking the policy app. Groups are folded by the rule book's own
 * GroupMemberships; the decisions stay in the policy app.
 */
export class Memberships {
  private groups = new GroupMemberships();
  private readonly affiliations = new Map<string, string>();
  private readonly userAffiliations = new Map<string, Map<string, { start: string; end: string | null }>>();

  /** Applies one event if it is about groups, affiliations or a deactivation; answers whether it was. */
  apply(event: EventPayload<TesseraEvent>): boolean {
    switch (event.type) {
      case 'GroupCreated':
      case 'GroupDeleted':
      case 'GroupMemberAdded':
      case 'GroupMemberRemoved':
      case 'UserDeactivated':
        return this.groups.evolve(event);
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
    return this.groups.groupNamesOf(userId);
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
      groups: this.groups.toRecords(),
      affiliations: [...this.affiliations],
      userAffiliations: [...this.userAffiliations].map(([userId, mine]) => [
        userId,
        [...mine].map(([affiliationId, { start, end }]) => [affiliationId, start, end]),
      ]),
    };
  }

  static fromSnapshot(snapshot: MembershipsSnapshot): Memberships {
    const memberships = new Memberships();
    memberships.groups = GroupMemberships.fromRecords(snapshot.groups);
    for (const [id, name] of snapshot.affiliations) memberships.affiliations.set(id, name);
    for (const [userId, mine] of snapshot.userAffiliations) {
      memberships.userAffiliations.set(userId, new Map(mine.map(([affiliationId, start, end]) => [affiliationId, { start, end }])));
    }
    return memberships;
  }
}
