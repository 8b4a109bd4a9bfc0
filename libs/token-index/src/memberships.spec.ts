import { eventSequence } from '@tessera/testing';
import { TokenIndex } from './token-index';

const recorded = eventSequence();

describe('Memberships in the token index', () => {
  const history = [
    recorded({ type: 'GroupCreated', data: { groupId: 'g1', name: 'lab' } }),
    recorded({ type: 'GroupCreated', data: { groupId: 'g2', name: 'guests' } }),
    recorded({ type: 'GroupCreated', data: { groupId: 'g3', name: 'gone' } }),
    recorded({ type: 'GroupMemberAdded', data: { groupId: 'g1', userId: 'ada', admin: true } }),
    recorded({ type: 'GroupMemberAdded', data: { groupId: 'g2', userId: 'ada', admin: false } }),
    recorded({ type: 'GroupMemberAdded', data: { groupId: 'g3', userId: 'ada', admin: false } }),
    recorded({ type: 'GroupMemberAdded', data: { groupId: 'g1', userId: 'bob', admin: false } }),
    recorded({ type: 'GroupDeleted', data: { groupId: 'g3' } }),
    recorded({ type: 'AffiliationCreated', data: { affiliationId: 'a1', name: 'Allen Institute', contactName: null, contactEmail: null } }),
    recorded({
      type: 'UserAffiliated',
      data: { affiliationId: 'a1', userId: 'ada', start: '2020-01-01T00:00:00.000Z', end: '2021-01-01T00:00:00.000Z' },
    }),
    recorded({ type: 'UserDeactivated', data: { userId: 'bob' } }),
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
