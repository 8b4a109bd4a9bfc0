import { deciderSpecification } from '@tessera/testing';
import { permissionDecider } from './permission.decider';

const given = deciderSpecification(permissionDecider);
const registered = { type: 'PermissionRegistered' as const, data: { name: 'annotate' } };

describe('permission decider', () => {
  it('registers a name of lowercase words joined by underscores', () => {
    given([])
      .when({ type: 'RegisterPermission', data: { name: 'annotate' } })
      .then([registered]);
    given([])
      .when({ type: 'RegisterPermission', data: { name: 'proofread_edit' } })
      .then([{ type: 'PermissionRegistered', data: { name: 'proofread_edit' } }]);
  });

  it('refuses a malformed name, naming the field', () => {
    for (const name of ['Annotate', 'an-notate', '_view', 'view_', '', 7]) {
      given([])
        .when({ type: 'RegisterPermission', data: { name } })
        .thenFails('bad_request', 'name: must be lowercase words joined by underscores');
    }
  });

  it('refuses a name registered already, or built in', () => {
    given([registered])
      .when({ type: 'RegisterPermission', data: { name: 'annotate' } })
      .thenFails('conflict', 'permission annotate exists');
    for (const name of ['view', 'edit', 'admin_view']) {
      given([]).when({ type: 'RegisterPermission', data: { name } }).thenFails('conflict', `permission ${name} exists`);
    }
  });
});
