import type { TesseraEvent } from '@tessera/contracts';
import { AccessState, evolveHoldings, scopeAllows } from '.';

const T0 = Date.parse('2026-03-01T00:00:00Z');
const user = (userId: string, extra: { admin?: boolean; readOnly?: boolean } = {}): TesseraEvent => ({
  type: 'UserRegistered',
  data: {
    userId,
    name: userId,
    email: null,
    admin: extra.admin ?? false,
    readOnly: extra.readOnly ?? false,
    issuer: 'dev',
    subject: userId,
    number: userId.length,
  },
});
const grant = (groupId: string, permission: string, expiresAt: string | null = null): TesseraEvent => ({
  type: 'PermissionGranted',
  data: { datasetId: 'd1', groupId, permission, expiresAt },
});

/** Given: alice and bob in the lab, which holds view and edit on d1; carol in guests, which holds nothing. */
function given(...more: TesseraEvent[]): AccessState {
  const state = new AccessState();
  const events: TesseraEvent[] = [
    user('alice'),
    user('bob'),
    user('carol'),
    { type: 'GroupCreated', data: { groupId: 'lab', name: 'lab' } },
    { type: 'GroupCreated', data: { groupId: 'guests', name: 'guests' } },
    { type: 'GroupMemberAdded', data: { groupId: 'lab', userId: 'alice', admin: false } },
    { type: 'GroupMemberAdded', data: { groupId: 'lab', userId: 'bob', admin: false } },
    { type: 'GroupMemberAdded', data: { groupId: 'guests', userId: 'carol', admin: false } },
    { type: 'DatasetCreated', data: { datasetId: 'd1', name: 'minnie', description: null } },
    grant('lab', 'view'),
    grant('lab', 'edit'),
    ...more,
  ];
  for (const event of events) state.evolve(event);
  return state;
}

describe('AccessState', () => {
  it('gives the union of the groups’ grants, and nothing to a user outside them', () => {
    const state = given(grant('guests', 'admin_view'));
    expect(state.holdings('alice', 'd1', T0)).toEqual(['edit', 'view']);
    expect(state.holdings('carol', 'd1', T0)).toEqual(['admin_view']);
    expect(state.holdings('nobody', 'd1', T0)).toEqual([]);
    expect(state.holdings('alice', 'nope', T0)).toEqual([]);
  });

  it('ends a grant at its expiry, with no event', () => {
    const state = given(grant('guests', 'view', '2026-03-05T00:00:00Z'));
    const expiry = Date.parse('2026-03-05T00:00:00Z');
    expect(state.holdings('carol', 'd1', expiry - 1)).toEqual(['view']);
    expect(state.holdings('carol', 'd1', expiry)).toEqual([]);
  });

  it('says a held permission holds until the last expiry among the grants it rests on, and for ever without one', () => {
    const first = '2026-03-05T00:00:00Z';
    const last = '2026-03-09T00:00:00Z';
    const state = given(
      { type: 'GroupCreated', data: { groupId: 'night', name: 'night' } },
      { type: 'GroupMemberAdded', data: { groupId: 'night', userId: 'carol', admin: false } },
      grant('guests', 'annotate', last),
      grant('night', 'annotate', first),
    );
    const d1 = state.datasets.get('d1')!;
    const carol = state.subjectOfUser('carol');
    const until = state.heldUntil(carol, d1, 'annotate', T0);
    expect(until).toBe(Date.parse(last));
    expect(state.decide(carol, 'annotate', d1, Date.parse(first))).toBe('granted');
    expect(state.decide(carol, 'annotate', d1, until - 1)).toBe('granted');
    expect(state.decide(carol, 'annotate', d1, until)).toBe('no_permission');
    expect(state.heldUntil(state.subjectOfUser('alice'), d1, 'view', T0)).toBe(Infinity);
    expect(state.heldUntil(carol, d1, 'view', T0)).toBeLessThanOrEqual(T0);
  });

  it('counts grants only once the current TOS version is accepted, again after a new version', () => {
    const state = given({ type: 'TosPublished', data: { tosId: 't1', datasetId: 'd1', version: 1, title: 'Terms', text: 'x' } });
    expect(state.holdings('alice', 'd1', T0)).toEqual([]);
    expect(state.decide({ userId: 'alice', superAdmin: false, readOnly: false }, 'view', state.datasets.get('d1'), T0)).toBe('missing_tos');
    state.evolve({ type: 'TosAccepted', data: { tosId: 't1', datasetId: 'd1', userId: 'alice' } });
    expect(state.holdings('alice', 'd1', T0)).toEqual(['edit', 'view']);
    state.evolve({ type: 'TosPublished', data: { tosId: 't2', datasetId: 'd1', version: 2, title: 'Terms', text: 'y' } });
    expect(state.holdings('alice', 'd1', T0)).toEqual([]);
    expect(state.permissionsIgnoringTos(state.subjectOfUser('alice'), state.datasets.get('d1')!, T0)).toEqual(['edit', 'view']);
  });

  it('never gives edit to a read-only user', () => {
    const state = given({ type: 'UserUpdated', data: { userId: 'bob', readOnly: true } });
    expect(state.holdings('bob', 'd1', T0)).toEqual(['view']);
    expect(state.heldGrants('bob', state.datasets.get('d1')!).map((held) => held.permission)).toEqual(['view']);
  });

  it('gives a super admin every registered permission, until deactivated', () => {
    const state = given(user('root', { admin: true }), { type: 'PermissionRegistered', data: { name: 'annotate' } });
    expect(state.holdings('root', 'd1', T0)).toEqual(['admin_view', 'annotate', 'edit', 'view']);
    state.evolve({ type: 'UserDeactivated', data: { userId: 'root' } });
    expect(state.holdings('root', 'd1', T0)).toEqual([]);
  });

  it('ends memberships at deactivation: registering again brings nothing back', () => {
    const state = given({ type: 'UserDeactivated', data: { userId: 'alice' } });
    expect(state.holdings('alice', 'd1', T0)).toEqual([]);
    expect(state.groups.get('lab')?.members.has('alice')).toBe(false);
    state.evolve(user('alice'));
    expect(state.holdings('alice', 'd1', T0)).toEqual([]);
  });

  it('ends a deleted group’s memberships and grants, and its place in the reverse index', () => {
    const state = given({ type: 'GroupDeleted', data: { groupId: 'lab' } });
    expect(state.holdings('alice', 'd1', T0)).toEqual([]);
    expect(state.datasets.get('d1')?.grants.get('view')?.has('lab')).toBe(false);
    expect(state.datasetsOfUser('alice')).toEqual([]);
    expect(state.groupDatasets.has('lab')).toBe(false);
  });

  it('keeps the group → datasets reverse index through grants, revocations and dataset deletion', () => {
    const state = given({ type: 'DatasetCreated', data: { datasetId: 'd2', name: 'fly', description: null } });
    state.evolve({ type: 'PermissionGranted', data: { datasetId: 'd2', groupId: 'lab', permission: 'view', expiresAt: null } });
    expect(
      state
        .datasetsOfUser('alice')
        .map((dataset) => dataset.id)
        .sort(),
    ).toEqual(['d1', 'd2']);
    state.evolve({ type: 'PermissionRevoked', data: { datasetId: 'd1', groupId: 'lab', permission: 'view' } });
    expect(
      state
        .datasetsOfUser('alice')
        .map((dataset) => dataset.id)
        .sort(),
    ).toEqual(['d1', 'd2']);
    state.evolve({ type: 'PermissionRevoked', data: { datasetId: 'd1', groupId: 'lab', permission: 'edit' } });
    expect(state.datasetsOfUser('alice').map((dataset) => dataset.id)).toEqual(['d2']);
    state.evolve({ type: 'DatasetDeleted', data: { datasetId: 'd2' } });
    expect(state.datasetsOfUser('alice')).toEqual([]);
  });

  it('decides in the rule order and caps by the token scopes', () => {
    const state = given();
    const d1 = state.datasets.get('d1');
    const alice = { userId: 'alice', superAdmin: false, readOnly: false };
    expect(state.decide(alice, 'view', undefined, T0)).toBe('unknown_dataset');
    expect(state.decide({ superAdmin: true, readOnly: false }, 'edit', d1, T0)).toBe('super_admin');
    expect(state.decide(alice, 'admin_view', d1, T0)).toBe('no_permission');
    expect(state.decide({ ...alice, scopes: ['view'] }, 'edit', d1, T0)).toBe('insufficient_scope');
    expect(state.decide({ ...alice, scopes: ['*'] }, 'edit', d1, T0)).toBe('granted');
    expect(scopeAllows(['view'], 'view')).toBe(true);
    expect(scopeAllows(['tokens'], 'view')).toBe(false);
  });
});

describe('evolveHoldings', () => {
  it('answers the holdings a grant began and a revocation ended, per member', () => {
    const state = given();
    const granted = evolveHoldings(state, grant('lab', 'admin_view', '2026-04-01T00:00:00Z'));
    expect(granted.ended).toEqual([]);
    expect(granted.began.map((held) => `${held.userId}:${held.permission}:${held.expiresAt}`).sort()).toEqual([
      `alice:admin_view:${Date.parse('2026-04-01T00:00:00Z')}`,
      `bob:admin_view:${Date.parse('2026-04-01T00:00:00Z')}`,
    ]);
    const revoked = evolveHoldings(state, {
      type: 'PermissionRevoked',
      data: { datasetId: 'd1', groupId: 'lab', permission: 'admin_view' },
    });
    expect(revoked.began).toEqual([]);
    expect(revoked.ended.map((held) => held.userId).sort()).toEqual(['alice', 'bob']);
  });

  it('ends and begins a holding whose expiry changed, and ends everything of a deleted dataset', () => {
    const state = given();
    const changed = evolveHoldings(state, grant('lab', 'view', '2026-04-01T00:00:00Z'));
    expect(changed.ended.map((held) => [held.userId, held.expiresAt])).toEqual(
      expect.arrayContaining([
        ['alice', Infinity],
        ['bob', Infinity],
      ]),
    );
    expect(changed.began).toHaveLength(2);
    const deleted = evolveHoldings(state, { type: 'DatasetDeleted', data: { datasetId: 'd1' } });
    expect(deleted.began).toEqual([]);
    expect(deleted.ended).toHaveLength(4);
  });

  it('ends what a user held when it turns read-only (edit) and when it is deactivated (everything)', () => {
    const state = given();
    const readOnly = evolveHoldings(state, { type: 'UserUpdated', data: { userId: 'alice', readOnly: true } });
    expect(readOnly.ended.map((held) => held.permission)).toEqual(['edit']);
    const gone = evolveHoldings(state, { type: 'UserDeactivated', data: { userId: 'alice' } });
    expect(gone.ended.map((held) => held.permission)).toEqual(['view']);
  });

  it('changes nothing for events the rules do not read', () => {
    const state = given();
    expect(
      evolveHoldings(state, { type: 'AffiliationCreated', data: { affiliationId: 'a', name: 'x', contactName: null, contactEmail: null } }),
    ).toEqual({
      ended: [],
      began: [],
    });
  });
});
