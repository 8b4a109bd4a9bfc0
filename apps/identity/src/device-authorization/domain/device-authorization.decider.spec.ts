import { deciderSpecification } from '@tessera/testing';
import { deviceAuthorizationDecider } from './device-authorization.decider';

const given = deciderSpecification(deviceAuthorizationDecider);
const requestId = '0b7d9f1e-2c3a-4d5e-8f90-a1b2c3d4e5f6';
const userId = '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d';
const tokenId = '9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a';
const expiresAt = '2026-11-30T05:15:00.000Z';
const requested = {
  type: 'DeviceAuthorizationRequested' as const,
  data: { requestId, clientId: 'tessera-cli', scopes: ['*', 'tokens'], expiresAt },
};
const before = Date.parse(expiresAt) - 1_000;
const after = Date.parse(expiresAt) + 1;

describe('device authorization decider', () => {
  it('records a request with its client, scopes and expiry', () => {
    given([]).when({ type: 'RequestDeviceAuthorization', data: requested.data }).then([requested]);
  });

  it('approves a pending request once, naming the user and the token minted', () => {
    given([requested])
      .when({ type: 'ApproveDeviceAuthorization', data: { requestId, userId, tokenId, now: before } })
      .then([{ type: 'DeviceAuthorizationApproved', data: { requestId, userId, tokenId } }]);
    given([requested, { type: 'DeviceAuthorizationApproved', data: { requestId, userId, tokenId } }])
      .when({ type: 'ApproveDeviceAuthorization', data: { requestId, userId, tokenId, now: before } })
      .thenFails('conflict', 'this device login was approved already');
  });

  it('denies a pending request, and nothing is decided after a denial', () => {
    given([requested])
      .when({ type: 'DenyDeviceAuthorization', data: { requestId, userId, now: before } })
      .then([{ type: 'DeviceAuthorizationDenied', data: { requestId, userId } }]);
    given([requested, { type: 'DeviceAuthorizationDenied', data: { requestId, userId } }])
      .when({ type: 'ApproveDeviceAuthorization', data: { requestId, userId, tokenId, now: before } })
      .thenFails('conflict', 'this device login was denied already');
  });

  it('refuses to decide an expired or unknown request', () => {
    given([requested])
      .when({ type: 'ApproveDeviceAuthorization', data: { requestId, userId, tokenId, now: after } })
      .thenFails('not_found', /expired/);
    given([])
      .when({ type: 'DenyDeviceAuthorization', data: { requestId, userId, now: before } })
      .thenFails('not_found');
  });
});
