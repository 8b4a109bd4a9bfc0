import { POLICY_EVENTS, TesseraError, type Principal } from '@tessera/contracts';
import { DecisionIndex } from '../decisions/decision-index';
import { paginate, requireDatasetAdmin } from './policy-access';

const principal = (userId: string, scopes = ['*', 'admin']): Principal => ({
  tokenId: 't',
  kind: 'session',
  userId,
  scopes,
  superAdmin: false,
  readOnly: false,
  serviceAccount: false,
});

function codeOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as TesseraError).code;
  }
}

describe('policy access', () => {
  const index = new DecisionIndex();
  index.apply([
    { position: 1, type: POLICY_EVENTS.groupCreated, data: { groupId: 'g1', name: 'one' } },
    { position: 2, type: POLICY_EVENTS.groupCreated, data: { groupId: 'g2', name: 'two' } },
    { position: 3, type: POLICY_EVENTS.groupMemberAdded, data: { groupId: 'g1', userId: 'bob', admin: true } },
    { position: 4, type: POLICY_EVENTS.datasetCreated, data: { datasetId: 'd1', name: 'd', description: null } },
    { position: 5, type: POLICY_EVENTS.datasetAdminAdded, data: { datasetId: 'd1', userId: 'erin' } },
  ]);

  it("checks admin rights against the specific dataset (a group's are in its decider)", () => {
    expect(codeOf(() => requireDatasetAdmin(index, principal('erin', ['view']), 'd1'))).toBe('insufficient_scope');
    expect(codeOf(() => requireDatasetAdmin(index, principal('erin'), 'd1'))).toBeUndefined();
    expect(codeOf(() => requireDatasetAdmin(index, principal('bob'), 'd1'))).toBe('not_admin');
    expect(codeOf(() => requireDatasetAdmin(index, { ...principal('x'), superAdmin: true }, 'd1'))).toBeUndefined();
  });

  it('pages with limit (default 50, max 500) and an opaque cursor', () => {
    const items = Array.from({ length: 120 }, (_, n) => n);
    const first = paginate(items, undefined, undefined);
    expect(first.items).toHaveLength(50);
    const second = paginate(items, '50', first.nextCursor);
    expect(second.items[0]).toBe(50);
    const last = paginate(items, '50', second.nextCursor);
    expect(last.items).toHaveLength(20);
    expect(last.nextCursor).toBeNull();
    expect(codeOf(() => paginate(items, '501', undefined))).toBe('bad_request');
    expect(codeOf(() => paginate(items, '10', '!!'))).toBe('bad_request');
  });

  it('ends the memberships of a deactivated user', () => {
    const copy = DecisionIndex.fromSnapshot(index.toSnapshot());
    copy.apply([
      { position: 6, type: POLICY_EVENTS.permissionGranted, data: { datasetId: 'd1', groupId: 'g1', permission: 'view', expiresAt: null } },
      { position: 7, type: 'UserDeactivated', data: { userId: 'bob' } },
    ]);
    expect(copy.check({ userId: 'bob', superAdmin: false, readOnly: false }, 'view', 'd1').reason).toBe('no_permission');
    expect(copy.groups.get('g1')?.members.has('bob')).toBe(false);
  });
});
