import type { TesseraEvent } from '@tessera/contracts';
import { GroupMemberships } from './group-memberships';

const history: TesseraEvent[] = [
  { type: 'GroupCreated', data: { groupId: 'g1', name: 'lab' } },
  { type: 'GroupCreated', data: { groupId: 'g2', name: 'guests' } },
  { type: 'GroupCreated', data: { groupId: 'g3', name: 'gone' } },
  { type: 'GroupMemberAdded', data: { groupId: 'g1', userId: 'ada', admin: true } },
  { type: 'GroupMemberAdded', data: { groupId: 'g2', userId: 'ada', admin: false } },
  { type: 'GroupMemberAdded', data: { groupId: 'g3', userId: 'ada', admin: false } },
  { type: 'GroupMemberAdded', data: { groupId: 'g1', userId: 'bob', admin: false } },
  { type: 'GroupMemberAdded', data: { groupId: 'g2', userId: 'cat', admin: true } },
  { type: 'GroupMemberRemoved', data: { groupId: 'g2', userId: 'cat' } },
  { type: 'GroupDeleted', data: { groupId: 'g3' } },
  { type: 'UserDeactivated', data: { userId: 'bob' } },
];

describe('GroupMemberships', () => {
  it('ends memberships by removal, group deletion and deactivation, and keeps admin flags', () => {
    const memberships = new GroupMemberships();
    for (const event of history) memberships.evolve(event);
    expect(memberships.groupNamesOf('ada')).toEqual(['guests', 'lab']);
    expect(memberships.groupNamesOf('bob')).toEqual([]);
    expect(memberships.groupNamesOf('cat')).toEqual([]);
    expect(memberships.groupNamesOf(undefined)).toEqual([]);
    expect([...memberships.groups.keys()]).toEqual(['g1', 'g2']);
    expect([...memberships.groups.get('g1')!.members]).toEqual([['ada', true]]);
  });

  it('answers which events it reads', () => {
    const memberships = new GroupMemberships();
    expect(history.every((event) => memberships.evolve(event))).toBe(true);
    expect(memberships.evolve({ type: 'PermissionRegistered', data: { name: 'annotate' } })).toBe(false);
  });

  it('comes back the same from its records, and from records without admins', () => {
    const memberships = new GroupMemberships();
    for (const event of history) memberships.evolve(event);
    const copy = GroupMemberships.fromRecords(memberships.toRecords());
    expect(copy.groups).toEqual(memberships.groups);
    for (const userId of ['ada', 'bob', 'cat']) expect(copy.groupNamesOf(userId)).toEqual(memberships.groupNamesOf(userId));
    const older = GroupMemberships.fromRecords([['g1', 'lab', ['ada', 'bob']]]);
    expect([...older.groups.get('g1')!.members]).toEqual([
      ['ada', false],
      ['bob', false],
    ]);
    expect(older.groupNamesOf('bob')).toEqual(['lab']);
  });
});
