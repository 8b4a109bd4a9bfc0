import { POLICY_EVENTS, type TesseraEvent } from '@tessera/contracts';
import { DecisionIndex, type IndexedEvent } from './decision-index';

const user = (userId: string, extra: { readOnly?: boolean; scopes?: string[] } = {}) => ({
  userId,
  superAdmin: false,
  readOnly: extra.readOnly ?? false,
  scopes: extra.scopes,
});

function seeded(): DecisionIndex {
  const index = new DecisionIndex('http://tessera.test');
  let position = 0;
  const events: TesseraEvent[] = [
    { type: 'GroupCreated', data: { groupId: 'g1', name: 'lab' } },
    { type: 'GroupCreated', data: { groupId: 'g2', name: 'guests' } },
    { type: 'GroupMemberAdded', data: { groupId: 'g1', userId: 'alice', admin: false } },
    { type: 'GroupMemberAdded', data: { groupId: 'g2', userId: 'bob', admin: true } },
    { type: 'DatasetCreated', data: { datasetId: 'd1', name: 'minnie', description: null } },
    { type: 'DatasetCreated', data: { datasetId: 'd2', name: 'fly', description: null } },
    { type: 'PermissionGranted', data: { datasetId: 'd1', groupId: 'g1', permission: 'view', expiresAt: null } },
    { type: 'PermissionGranted', data: { datasetId: 'd1', groupId: 'g1', permission: 'edit', expiresAt: null } },
    { type: 'ServiceTableMapped', data: { service: 'pcg', table: 'minnie65', datasetId: 'd1' } },
  ];
  index.apply(events.map((event): IndexedEvent => ({ ...event, position: ++position })));
  return index;
}

describe('DecisionIndex', () => {
  it('grants what a group of the user holds, and nothing else', () => {
    const index = seeded();
    expect(index.check(user('alice'), 'view', 'd1')).toEqual({ allowed: true, reason: 'granted' });
    expect(index.check(user('alice'), 'admin_view', 'd1')).toEqual({ allowed: false, reason: 'no_permission' });
    expect(index.check(user('alice'), 'view', 'd2')).toEqual({ allowed: false, reason: 'no_permission' });
    expect(index.check(user('bob'), 'view', 'd1')).toEqual({ allowed: false, reason: 'no_permission' });
    expect(index.check(user('alice'), 'view', 'nope')).toEqual({ allowed: false, reason: 'unknown_dataset' });
    expect(index.check({ superAdmin: true, readOnly: false }, 'edit', 'd2')).toEqual({ allowed: true, reason: 'super_admin' });
  });

  it('resolves servicetables to datasets', () => {
    const index = seeded();
    expect(index.checkTable(user('alice'), 'view', 'pcg', 'minnie65').allowed).toBe(true);
    expect(index.checkTable(user('alice'), 'view', 'pcg', 'other').reason).toBe('unknown_table');
  });

  it('ends a grant at its expiry without any event', () => {
    const index = seeded();
    const expiresAt = Date.parse('2030-01-01T00:00:00Z');
    index.apply([
      {
        position: 100,
        type: POLICY_EVENTS.permissionGranted,
        data: { datasetId: 'd2', groupId: 'g2', permission: 'view', expiresAt: '2030-01-01T00:00:00Z' },
      },
    ]);
    expect(index.check(user('bob'), 'view', 'd2', expiresAt - 1).allowed).toBe(true);
    expect(index.check(user('bob'), 'view', 'd2', expiresAt).reason).toBe('no_permission');
  });

  it('gates permissions on the current TOS version, again after a new version', () => {
    const index = seeded();
    index.apply([
      {
        position: 10,
        type: POLICY_EVENTS.tosPublished,
        data: { tosId: 't1', datasetId: 'd1', version: 1, title: 'Terms', text: '<b>x</b>' },
      },
    ]);
    expect(index.check(user('alice'), 'view', 'd1')).toEqual({
      allowed: false,
      reason: 'missing_tos',
      tos: { id: 't1', title: 'Terms', acceptUrl: 'http://tessera.test/api/v1/tos/t1/accept' },
    });
    index.apply([{ position: 11, type: POLICY_EVENTS.tosAccepted, data: { tosId: 't1', datasetId: 'd1', userId: 'alice' } }]);
    expect(index.check(user('alice'), 'view', 'd1').allowed).toBe(true);
    index.apply([
      { position: 12, type: POLICY_EVENTS.tosPublished, data: { tosId: 't2', datasetId: 'd1', version: 2, title: 'Terms v2', text: 'y' } },
    ]);
    expect(index.check(user('alice'), 'view', 'd1').reason).toBe('missing_tos');
    const mine = index.userPermissions(user('alice'));
    expect(mine.permissions).toEqual({});
    expect(mine.permissionsIgnoringTos).toEqual({ minnie: ['edit', 'view'] });
    expect(mine.missingTos).toEqual([expect.objectContaining({ id: 't2', title: 'Terms v2', datasetId: 'd1', dataset: 'minnie' })]);
  });

  it('never gives edit to a read-only user, and caps by token scopes', () => {
    const index = seeded();
    expect(index.check(user('alice', { readOnly: true }), 'edit', 'd1').reason).toBe('no_permission');
    expect(index.check(user('alice', { readOnly: true }), 'view', 'd1').allowed).toBe(true);
    expect(index.check(user('alice', { scopes: ['view'] }), 'edit', 'd1').reason).toBe('insufficient_scope');
    expect(index.check(user('alice', { scopes: ['view'] }), 'view', 'd1').allowed).toBe(true);
    expect(index.check(user('alice', { scopes: ['*'] }), 'edit', 'd1').allowed).toBe(true);
    expect(index.userPermissions(user('alice', { scopes: ['view'] })).permissions).toEqual({ minnie: ['view'] });
  });

  it('answers reverse look-ups and drops grants of a deleted group', () => {
    const index = seeded();
    expect(index.usersWith('d1', 'view')).toEqual(['alice']);
    expect(index.datasetsWith(user('alice'), 'view').map((dataset) => dataset.name)).toEqual(['minnie']);
    index.apply([{ position: 20, type: POLICY_EVENTS.groupDeleted, data: { groupId: 'g1' } }]);
    expect(index.usersWith('d1', 'view')).toEqual([]);
    expect(index.check(user('alice'), 'view', 'd1').reason).toBe('no_permission');
  });

  it('survives a snapshot round trip', () => {
    const index = seeded();
    index.apply([{ position: 30, type: POLICY_EVENTS.groupMemberAdded, data: { groupId: 'g2', userId: 'alice', admin: true } }]);
    const copy = DecisionIndex.fromSnapshot(index.toSnapshot(), 'http://tessera.test');
    expect(copy.position).toBe(30);
    expect(copy.check(user('alice'), 'edit', 'd1').allowed).toBe(true);
    expect(copy.checkTable(user('alice'), 'view', 'pcg', 'minnie65').allowed).toBe(true);
    expect(copy.userPermissions(user('alice'))).toEqual(index.userPermissions(user('alice')));
  });
});

describe('DecisionIndex me-permissions answers', () => {
  const at = Date.parse('2026-03-01T00:00:00Z');
  let position = 100;
  const apply = (index: DecisionIndex, ...events: TesseraEvent[]) =>
    index.apply(events.map((event): IndexedEvent => ({ ...event, position: ++position })));

  it('follows every event that touches the user, its groups or their datasets', () => {
    const index = seeded();
    expect(index.userPermissions(user('alice'), at).permissions).toEqual({ minnie: ['edit', 'view'] });
    apply(index, { type: 'PermissionGranted', data: { datasetId: 'd2', groupId: 'g1', permission: 'view', expiresAt: null } });
    expect(index.userPermissions(user('alice'), at).permissions).toEqual({ fly: ['view'], minnie: ['edit', 'view'] });
    apply(index, { type: 'DatasetUpdated', data: { datasetId: 'd2', name: 'fly2' } });
    expect(index.userPermissions(user('alice'), at).permissions).toEqual({ fly2: ['view'], minnie: ['edit', 'view'] });
    apply(index, { type: 'TosPublished', data: { tosId: 't9', datasetId: 'd2', version: 1, title: 'T', text: 'x' } });
    expect(index.userPermissions(user('alice'), at).missingTos.map((tos) => tos.dataset)).toEqual(['fly2']);
    apply(index, { type: 'TosAccepted', data: { tosId: 't9', datasetId: 'd2', userId: 'alice' } });
    expect(index.userPermissions(user('alice'), at).missingTos).toEqual([]);
    apply(index, { type: 'GroupMemberAdded', data: { groupId: 'g1', userId: 'alice', admin: true } });
    expect(index.userPermissions(user('alice'), at).groupsAdmin).toEqual(['lab']);
    apply(index, { type: 'DatasetAdminAdded', data: { datasetId: 'd1', userId: 'alice' } });
    expect(index.userPermissions(user('alice'), at).datasetsAdmin).toEqual(['minnie']);
    apply(index, { type: 'PermissionRevoked', data: { datasetId: 'd1', groupId: 'g1', permission: 'edit' } });
    expect(index.userPermissions(user('alice'), at).permissions).toEqual({ fly2: ['view'], minnie: ['view'] });
    apply(index, { type: 'GroupDeleted', data: { groupId: 'g1' } });
    expect(index.userPermissions(user('alice'), at).permissions).toEqual({});
  });

  it('answers again by itself once a grant in the answer expires, and per token scopes', () => {
    const index = seeded();
    apply(index, {
      type: 'PermissionGranted',
      data: { datasetId: 'd2', groupId: 'g1', permission: 'view', expiresAt: '2026-03-02T00:00:00Z' },
    });
    expect(index.userPermissions(user('alice'), at).permissions).toEqual({ fly: ['view'], minnie: ['edit', 'view'] });
    expect(index.userPermissions(user('alice', { scopes: ['view'] }), at).permissions).toEqual({ fly: ['view'], minnie: ['view'] });
    expect(index.userPermissions(user('alice'), Date.parse('2026-03-02T00:00:00Z')).permissions).toEqual({ minnie: ['edit', 'view'] });
  });

  it('lists only the datasets of the user’s own groups', () => {
    const index = seeded();
    expect(index.access.datasetsOfUser('alice').map((dataset) => dataset.name)).toEqual(['minnie']);
    expect(index.access.datasetsOfUser('bob')).toEqual([]);
    expect(index.datasetsWith(user('bob'), 'view')).toEqual([]);
  });
});
