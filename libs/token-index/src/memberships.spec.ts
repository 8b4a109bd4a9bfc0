import { TokenIndex } from './token-index';

let position = 0;
const event = (type: string, data: Record<string, unknown>) => ({ position: ++position, type, schemaVersion: 1, data });

describe('Memberships in the token index', () => {
  const history = [
    event('GroupCreated', { groupId: 'g1', name: 'lab' }),
    event('GroupCreated', { groupId: 'g2', name: 'guests' }),
    event('GroupCreated', { groupId: 'g3', name: 'gone' }),
    event('GroupMemberAdded', { groupId: 'g1', userId: 'ada', admin: true }),
    event('GroupMemberAdded', { groupId: 'g2', userId: 'ada', admin: false }),
    event('GroupMemberAdded', { groupId: 'g3', userId: 'ada', admin: false }),
    event('GroupMemberAdded', { groupId: 'g1', userId: 'bob', admin: false }),
    event('GroupDeleted', { groupId: 'g3' }),
    event('AffiliationCreated', { affiliationId: 'a1', name: 'Allen Institute', contactName: null, contactEmail: null }),
    event('UserAffiliated', { affiliationId: 'a1', userId: 'ada', start: '2020-01-01T00:00:00.000Z', end: '2021-01-01T00:00:00.000Z' }),
    event('UserDeactivated', { userId: 'bob' }),
  ];

  it('follows groups, deletions, affiliations and deactivations, and survives a snapshot', () => {
    const index = new TokenIndex();
    index.apply(history);
    const copy = TokenIndex.deserialize(index.serialize());
    expect(copy.hasMemberships).toBe(true);
    for (const memberships of [index.memberships, copy.memberships]) {
      expect(memberships.groupsOf('ada')).toEqual(['guests', 'lab']);
      expect(memberships.groupsOf('bob')).toEqual([]);
      expect(memberships.affiliationsOf('ada', Date.parse('2020-06-01'))).toEqual([
        { affiliationId: 'a1', name: 'Allen Institute', start: '2020-01-01T00:00:00.000Z', end: '2021-01-01T00:00:00.000Z', current: true },
      ]);
      expect(memberships.affiliationsOf('ada', Date.parse('2022-01-01'))[0].current).toBe(false);
    }
    expect(copy.serialize().equals(index.serialize())).toBe(true);
  });
});
