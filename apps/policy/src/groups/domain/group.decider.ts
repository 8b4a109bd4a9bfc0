import { TesseraError, type GroupEvent } from '@tessera/contracts';
import type { Command, Decider } from '@tessera/event-store';
import { adminRefusal, notFound, type Actor } from '../../callers/policy-access';

/** A group as its stream (`group-<id>`) leaves it: members by user id, each with an admin flag. */
export type GroupState =
  { status: 'unknown' } | { status: 'active' | 'deleted'; groupId: string; name: string; members: ReadonlyMap<string, boolean> };

export type CreateGroup = Command<'CreateGroup', { groupId: string; name: string }>;
/** The group's grants on every dataset end with it. */
export type DeleteGroup = Command<'DeleteGroup', { groupId: string }>;
/**
 * Adds a member or sets a member's admin flag. `userActive`: the identity app registered the user
 * and did not deactivate it (read from the decision index; a deactivated user's memberships ended).
 */
export type PutGroupMember = Command<
  'PutGroupMember',
  { groupId: string; userId: string; admin: boolean; actor: Actor; userActive: boolean }
>;
export type RemoveGroupMember = Command<'RemoveGroupMember', { groupId: string; userId: string; actor: Actor; userActive: boolean }>;

export type GroupCommand = CreateGroup | DeleteGroup | PutGroupMember | RemoveGroupMember;

const onlySuperAdmin = () => new TesseraError('not_admin', 'only a super admin may do this');

export function decide(command: GroupCommand, state: GroupState): GroupEvent[] | TesseraError {
  if (command.type === 'CreateGroup') {
    if (state.status !== 'unknown') return new TesseraError('conflict', `group ${command.data.groupId} exists`);
    return [{ type: 'GroupCreated', data: command.data }];
  }
  if (state.status !== 'active') return notFound('group');
  const { groupId } = state;
  switch (command.type) {
    case 'DeleteGroup':
      return [{ type: 'GroupDeleted', data: { groupId } }];
    case 'PutGroupMember': {
      const { userId, admin, actor } = command.data;
      const refused = adminRefusal(actor, (id) => state.members.get(id) === true, 'group');
      if (refused) return refused;
      if (!command.data.userActive) return notFound('user');
      // Only a super admin takes a group admin's admin flag away.
      if (state.members.get(userId) === true && !admin && !actor.superAdmin) return onlySuperAdmin();
      return [{ type: 'GroupMemberAdded', data: { groupId, userId, admin } }];
    }
    case 'RemoveGroupMember': {
      const { userId, actor } = command.data;
      const refused = adminRefusal(actor, (id) => state.members.get(id) === true, 'group');
      if (refused) return refused;
      if (!state.members.has(userId) || !command.data.userActive) return notFound('member');
      // Only a super admin removes a group admin.
      if (state.members.get(userId) === true && !actor.superAdmin) return onlySuperAdmin();
      return [{ type: 'GroupMemberRemoved', data: { groupId, userId } }];
    }
  }
}

export function evolve(state: GroupState, event: GroupEvent): GroupState {
  switch (event.type) {
    case 'GroupCreated':
      return { status: 'active', groupId: event.data.groupId, name: event.data.name, members: new Map() };
    case 'GroupDeleted':
      return state.status === 'unknown' ? state : { ...state, status: 'deleted' };
    case 'GroupMemberAdded': {
      if (state.status === 'unknown') return state;
      return { ...state, members: new Map(state.members).set(event.data.userId, event.data.admin === true) };
    }
    case 'GroupMemberRemoved': {
      if (state.status === 'unknown') return state;
      const members = new Map(state.members);
      members.delete(event.data.userId);
      return { ...state, members };
    }
  }
}

export const initialState = (): GroupState => ({ status: 'unknown' });

export const groupDecider: Decider<GroupState, GroupCommand, GroupEvent> = { decide, evolve, initialState };
