import type { UserRegistered } from '@tessera/contracts';
import { deciderSpecification } from '@tessera/testing';
import { userDecider } from './user.decider';

const given = deciderSpecification(userDecider);
const userId = '0b6c1f3e-5d0a-4c39-9a57-1f0b7d8e2c11';
const registered: UserRegistered = {
  type: 'UserRegistered',
  data: { userId, name: 'Ada', email: 'ada@example.org', admin: false, readOnly: false, issuer: null, subject: null, number: 7 },
};
const serviceAccount = { type: 'ServiceAccountCreated' as const, data: { userId, name: 'pipeline', scopes: ['view'], number: 8 } };
const deactivated = { type: 'UserDeactivated' as const, data: { userId } };

describe('user decider', () => {
  describe('registering', () => {
    it('registers a user that does not exist yet', () => {
      given([]).when({ type: 'RegisterUser', data: registered.data }).then([registered]);
    });

    it('creates a service account in the same id space', () => {
      given([]).when({ type: 'CreateServiceAccount', data: serviceAccount.data }).then([serviceAccount]);
    });

    it('refuses an id that is taken, by a user or a service account', () => {
      given([registered]).when({ type: 'RegisterUser', data: registered.data }).thenFails('conflict');
      given([serviceAccount]).when({ type: 'RegisterUser', data: registered.data }).thenFails('conflict');
      given([registered]).when({ type: 'CreateServiceAccount', data: serviceAccount.data }).thenFails('conflict');
    });
  });

  describe('updating', () => {
    it('records only the fields that change', () => {
      given([registered])
        .when({ type: 'UpdateUser', data: { userId, name: 'Ada', admin: true, readOnly: false, pi: true } })
        .then([{ type: 'UserUpdated', data: { userId, admin: true, pi: true } }]);
    });

    it('records nothing when nothing changes, also after earlier changes', () => {
      given([registered])
        .when({ type: 'UpdateUser', data: { userId, name: 'Ada' } })
        .thenNothing();
      given([registered, { type: 'UserUpdated', data: { userId, name: 'Ada L.', readOnly: true } }])
        .when({ type: 'UpdateUser', data: { userId, name: 'Ada L.', readOnly: true } })
        .thenNothing();
    });

    it('renames a service account', () => {
      given([serviceAccount])
        .when({ type: 'UpdateUser', data: { userId, name: 'etl' } })
        .then([{ type: 'UserUpdated', data: { userId, name: 'etl' } }]);
    });

    it('answers not_found for a user that does not exist', () => {
      given([])
        .when({ type: 'UpdateUser', data: { userId, name: 'Bob' } })
        .thenFails('not_found', 'no such user');
    });
  });

  describe('deactivating', () => {
    it('deactivates an active user', () => {
      given([registered]).when({ type: 'DeactivateUser', data: { userId } }).then([deactivated]);
    });

    it('deactivates a user once: a second deactivation records nothing', () => {
      given([registered, deactivated]).when({ type: 'DeactivateUser', data: { userId } }).thenNothing();
    });

    it('answers not_found for a user that does not exist', () => {
      given([]).when({ type: 'DeactivateUser', data: { userId } }).thenFails('not_found');
    });
  });

  describe('linking an external identity at a first login', () => {
    const identity = { userId, issuer: 'https://idp.example.org', subject: 'ada-1', email: 'ada@example.org' };
    const link = { type: 'LinkExternalIdentity' as const, data: identity };
    const linked = { type: 'ExternalIdentityLinked' as const, data: identity };

    it('links a registered user that has none', () => {
      given([registered]).when(link).then([linked]);
    });

    it('links once: a user found at a login, or linked before, is refused', () => {
      const fromLogin = { ...registered, data: { ...registered.data, issuer: 'https://idp.example.org', subject: 'ada-0' } };
      given([fromLogin])
        .when(link)
        .thenFails('conflict', /external identity already/);
      given([registered, linked])
        .when(link)
        .thenFails('conflict', /external identity already/);
    });

    it('refuses a deactivated user, a service account, and a user that does not exist', () => {
      given([registered, deactivated])
        .when(link)
        .thenFails('conflict', /deactivated/);
      given([serviceAccount])
        .when(link)
        .thenFails('conflict', /service account/);
      given([]).when(link).thenFails('not_found');
    });
  });
});
