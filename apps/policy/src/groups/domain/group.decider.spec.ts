import type { GroupEvent } from '@tessera/contracts';
import { deciderSpecification } from '@tessera/testing';
import type { Actor } from '../../callers/policy-access';
import { groupDecider } from './group.decider';

const given = deciderSpecification(groupDecider);
const groupId = '3f0d2a9c-6b1e-4c7a-8d2f-5e9a1b0c4d21';
const created: GroupEvent = { type: 'GroupCreated', data: { groupId, name: 'tracers' } };
const deleted: GroupEvent = { type: 'GroupDeleted', data: { groupId } };
const member = (userId: string, admin = false): GroupEvent => ({ type: 'GroupMemberAdded', data: { groupId, userId, admin } });

const superAdmin: Actor = { superAdmin: true, scopes: ['*'] };
const adminOf = (userId: string, scopes = ['*', 'admin']): Actor => ({ userId, superAdmin: false, scopes });
const put = (userId: string, admin: boolean, actor: Actor, userActive = true) =>
  ({ type: 'PutGroupMember', data: { groupId, userId, admin, actor, userActive } }) as const;
const remove = (userId: string, actor: Actor, userActive = true) =>
  ({ type: 'RemoveGroupMember', data: { groupId, userId, actor, userActive } }) as const;

describe('group decider', () => {
  describe('creating and deleting', () => {
    it('creates a group once', () => {
      given([]).when({ type: 'CreateGroup', data: created.data }).then([created]);
      given([created]).when({ type: 'CreateGroup', data: created.data }).thenFails('conflict');
    });

    it('deletes an existing group', () => {
      given([created, member('ann')])
        .when({ type: 'DeleteGroup', data: { groupId } })
        .then([deleted]);
    });

    it('answers not_found for a group never created, or deleted, whatever the command', () => {
      given([]).when({ type: 'DeleteGroup', data: { groupId } }).thenFails('not_found', 'group not found');
      given([created, deleted]).when({ type: 'DeleteGroup', data: { groupId } }).thenFails('not_found', 'group not found');
      given([created, deleted])
        .when(put('ann', false, superAdmin))
        .thenFails('not_found', 'group not found');
      given([created, deleted]).when(remove('ann', superAdmin)).thenFails('not_found', 'group not found');
    });
  });

  describe('adding members', () => {
    it('adds a member, or sets the admin flag of one, each time it is asked', () => {
      given([created])
        .when(put('ann', false, superAdmin))
        .then([member('ann')]);
      given([created, member('ann')])
        .when(put('ann', true, superAdmin))
        .then([member('ann', true)]);
      given([created, member('ann')])
        .when(put('ann', false, superAdmin))
        .then([member('ann')]);
    });

    it('lets an admin of this group add members, through a token with the admin scope', () => {
      given([created, member('bob', true)])
        .when(put('ann', false, adminOf('bob')))
        .then([member('ann')]);
      given([created, member('bob', true)])
        .when(put('ann', false, adminOf('bob', ['view'])))
        .thenFails('insufficient_scope', 'this token lacks the admin scope');
    });

    it('refuses a plain member, a former admin and a stranger', () => {
      given([created, member('bob')])
        .when(put('ann', false, adminOf('bob')))
        .thenFails('not_admin', 'only an admin of this group may do this');
      given([created, member('bob', true), member('bob')])
        .when(put('ann', false, adminOf('bob')))
        .thenFails('not_admin');
      given([created, member('bob', true), { type: 'GroupMemberRemoved', data: { groupId, userId: 'bob' } }])
        .when(put('ann', false, adminOf('bob')))
        .thenFails('not_admin');
      given([created])
        .when(put('ann', false, adminOf('eve')))
        .thenFails('not_admin');
    });

    it('answers not_found for a user that is unknown or deactivated', () => {
      given([created])
        .when(put('ann', false, superAdmin, false))
        .thenFails('not_found', 'user not found');
    });

    it('lets only a super admin take an admin flag away', () => {
      given([created, member('bob', true), member('cat', true)])
        .when(put('cat', false, adminOf('bob')))
        .thenFails('not_admin', 'only a super admin may do this');
      given([created, member('cat', true)])
        .when(put('cat', false, superAdmin))
        .then([member('cat')]);
      given([created, member('bob', true)])
        .when(put('cat', true, adminOf('bob')))
        .then([member('cat', true)]);
    });
  });

  describe('removing members', () => {
    const removed = (userId: string): GroupEvent => ({ type: 'GroupMemberRemoved', data: { groupId, userId } });

    it('removes a member, asked by a super admin or an admin of the group', () => {
      given([created, member('ann')])
        .when(remove('ann', superAdmin))
        .then([removed('ann')]);
      given([created, member('bob', true), member('ann')])
        .when(remove('ann', adminOf('bob')))
        .then([removed('ann')]);
      given([created, member('bob'), member('ann')])
        .when(remove('ann', adminOf('bob')))
        .thenFails('not_admin');
    });

    it('answers not_found for a user who is not a member, or whose membership ended with a deactivation', () => {
      given([created]).when(remove('ann', superAdmin)).thenFails('not_found', 'member not found');
      given([created, member('ann'), removed('ann')])
        .when(remove('ann', superAdmin))
        .thenFails('not_found', 'member not found');
      given([created, member('ann')])
        .when(remove('ann', superAdmin, false))
        .thenFails('not_found', 'member not found');
    });

    it('lets only a super admin remove a group admin', () => {
      given([created, member('bob', true), member('cat', true)])
        .when(remove('cat', adminOf('bob')))
        .thenFails('not_admin', 'only a super admin may do this');
      given([created, member('cat', true)])
        .when(remove('cat', superAdmin))
        .then([removed('cat')]);
    });
  });
});
