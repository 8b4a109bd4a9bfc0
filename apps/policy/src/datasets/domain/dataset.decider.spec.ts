import type { DatasetEvent } from '@tessera/contracts';
import { deciderSpecification } from '@tessera/testing';
import type { Actor } from '../../callers/policy-access';
import { datasetDecider, type GrantPermission, type RevokePermission } from './dataset.decider';

const given = deciderSpecification(datasetDecider);
const datasetId = '9a4e7c1d-2b3f-4a5e-8c6d-7e8f9a0b1c2d';
const groupId = '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f';
const created: DatasetEvent = { type: 'DatasetCreated', data: { datasetId, name: 'minnie', description: 'mouse cortex' } };
const deleted: DatasetEvent = { type: 'DatasetDeleted', data: { datasetId } };
const adminAdded = (userId: string): DatasetEvent => ({ type: 'DatasetAdminAdded', data: { datasetId, userId } });
const granted = (permission: string, expiresAt: string | null = null): DatasetEvent => ({
  type: 'PermissionGranted',
  data: { datasetId, groupId, permission, expiresAt },
});
const revoked = (permission: string): DatasetEvent => ({ type: 'PermissionRevoked', data: { datasetId, groupId, permission } });
const published = (version: number, tosId = `tos-${version}`): DatasetEvent => ({
  type: 'TosPublished',
  data: { tosId, datasetId, version, title: 'Terms', text: 'be nice' },
});

const superAdmin: Actor = { superAdmin: true, scopes: ['*'] };
const user = (userId: string, scopes = ['*', 'admin']): Actor => ({ userId, superAdmin: false, scopes });
const now = Date.parse('2026-01-01T00:00:00Z');
const grant = (data: Partial<GrantPermission['data']> = {}): GrantPermission => ({
  type: 'GrantPermission',
  data: { datasetId, groupId, permission: 'view', actor: superAdmin, groupKnown: true, permissionKnown: true, now, ...data },
});
const revoke = (data: Partial<RevokePermission['data']> = {}): RevokePermission => ({
  type: 'RevokePermission',
  data: { datasetId, groupId, permission: 'view', actor: superAdmin, groupKnown: true, permissionKnown: true, ...data },
});

describe('dataset decider', () => {
  describe('the dataset', () => {
    it('creates a dataset once', () => {
      given([]).when({ type: 'CreateDataset', data: created.data }).then([created]);
      given([created]).when({ type: 'CreateDataset', data: created.data }).thenFails('conflict');
    });

    it('records a new name, and a description whenever one is given', () => {
      given([created])
        .when({ type: 'UpdateDataset', data: { datasetId, name: 'minnie65', description: null } })
        .then([{ type: 'DatasetUpdated', data: { datasetId, name: 'minnie65', description: null } }]);
      given([created, { type: 'DatasetUpdated', data: { datasetId, name: 'minnie65' } }])
        .when({ type: 'UpdateDataset', data: { datasetId, name: 'minnie65' } })
        .then([{ type: 'DatasetUpdated', data: { datasetId } }]);
    });

    it('deletes a dataset; a deleted or unknown dataset is not_found for every command', () => {
      given([created]).when({ type: 'DeleteDataset', data: { datasetId } }).then([deleted]);
      for (const history of [[], [created, deleted]]) {
        given(history).when({ type: 'DeleteDataset', data: { datasetId } }).thenFails('not_found', 'dataset not found');
        given(history)
          .when({ type: 'UpdateDataset', data: { datasetId, name: 'x' } })
          .thenFails('not_found', 'dataset not found');
        given(history)
          .when({ type: 'AddDatasetAdmin', data: { datasetId, userId: 'ann', userActive: true } })
          .thenFails('not_found');
        given(history).when(grant()).thenFails('not_found', 'dataset not found');
        given(history).when(revoke()).thenFails('not_found', 'dataset not found');
        given(history)
          .when({ type: 'PublishTos', data: { datasetId, tosId: 't', title: 'T', text: 'x', actor: superAdmin } })
          .thenFails('not_found', 'dataset not found');
      }
    });
  });

  describe('admins', () => {
    it('adds an active user as admin, and removes an admin', () => {
      given([created])
        .when({ type: 'AddDatasetAdmin', data: { datasetId, userId: 'ann', userActive: true } })
        .then([adminAdded('ann')]);
      given([created, adminAdded('ann')])
        .when({ type: 'RemoveDatasetAdmin', data: { datasetId, userId: 'ann' } })
        .then([{ type: 'DatasetAdminRemoved', data: { datasetId, userId: 'ann' } }]);
    });

    it('answers not_found for an unknown or deactivated user, and for removing someone not admin', () => {
      given([created])
        .when({ type: 'AddDatasetAdmin', data: { datasetId, userId: 'ann', userActive: false } })
        .thenFails('not_found', 'user not found');
      given([created])
        .when({ type: 'RemoveDatasetAdmin', data: { datasetId, userId: 'ann' } })
        .thenFails('not_found', 'dataset admin not found');
    });
  });

  describe('grants', () => {
    it('grants a permission to a group, with or without an expiry in the future (as ISO time)', () => {
      given([created])
        .when(grant())
        .then([granted('view')]);
      given([created])
        .when(grant({ expiresAt: '2026-06-01T12:00:00+02:00' }))
        .then([granted('view', '2026-06-01T10:00:00.000Z')]);
    });

    it('refuses an expiry that is not a time in the future, naming expiresAt', () => {
      for (const expiresAt of ['yesterday', '2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z']) {
        given([created]).when(grant({ expiresAt })).thenFails('bad_request', 'expiresAt: must be a time in the future');
      }
    });

    it('refuses a malformed permission name before anything else, naming permission', () => {
      given([])
        .when(grant({ permission: 'View!' }))
        .thenFails('bad_request', 'permission: must be lowercase words joined by underscores');
      given([])
        .when(revoke({ permission: 42 }))
        .thenFails('bad_request');
    });

    it('lets a dataset admin grant through a token with the admin scope, and nobody else', () => {
      given([created, adminAdded('ann')])
        .when(grant({ actor: user('ann') }))
        .then([granted('view')]);
      given([created, adminAdded('ann')])
        .when(grant({ actor: user('ann', ['view']) }))
        .thenFails('insufficient_scope');
      given([created, adminAdded('ann')])
        .when(grant({ actor: user('bob') }))
        .thenFails('not_admin', 'only an admin of this dataset may do this');
      given([created, adminAdded('ann'), { type: 'DatasetAdminRemoved', data: { datasetId, userId: 'ann' } }])
        .when(revoke({ actor: user('ann') }))
        .thenFails('not_admin');
    });

    it('answers not_found for a group or a permission the index does not know, in that order', () => {
      given([created])
        .when(grant({ groupKnown: false, permissionKnown: false }))
        .thenFails('not_found', 'group not found');
      given([created])
        .when(grant({ permissionKnown: false, permission: 'annotate' }))
        .thenFails('not_found', 'permission annotate not found');
      given([created, granted('view')])
        .when(revoke({ groupKnown: false }))
        .thenFails('not_found', 'group not found');
    });

    it('revokes a grant the group holds, expired or not, and only that', () => {
      given([created, granted('view', '2025-01-01T00:00:00.000Z')])
        .when(revoke())
        .then([revoked('view')]);
      given([created, granted('edit')])
        .when(revoke())
        .thenFails('not_found', 'grant not found');
      given([created, granted('view'), revoked('view')])
        .when(revoke())
        .thenFails('not_found', 'grant not found');
    });
  });

  describe('terms of service', () => {
    const publish = (actor: Actor) =>
      ({ type: 'PublishTos', data: { datasetId, tosId: 'tos-new', title: 'Terms', text: 'be nice', actor } }) as const;

    it('numbers versions from 1, each one after the current', () => {
      given([created])
        .when(publish(superAdmin))
        .then([published(1, 'tos-new')]);
      given([created, published(1), published(2)])
        .when(publish(superAdmin))
        .then([published(3, 'tos-new')]);
    });

    it('lets a dataset admin publish, and nobody else', () => {
      given([created, adminAdded('ann')])
        .when(publish(user('ann')))
        .then([published(1, 'tos-new')]);
      given([created])
        .when(publish(user('bob')))
        .thenFails('not_admin');
    });
  });
});
