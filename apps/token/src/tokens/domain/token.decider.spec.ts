import type { MintFields, Principal, TokenMinted } from '@tessera/contracts';
import { deciderSpecification } from '@tessera/testing';
import { SESSION_SCOPES, tokenDecider, type MintToken, type TokenOwner } from './token.decider';

const given = deciderSpecification(tokenDecider);
const now = Date.parse('2026-03-03T12:00:00.000Z');
const DAY = 86_400_000;
const at = (ms: number) => new Date(ms).toISOString();
const secret = { tokenId: 'a7c9e2f0-7b1d-4e44-8a5e-0d9b6f1c2e3a', tokenHash: 'ab'.repeat(32), hint: 'tsrp_…9f3a' };
const limits = { maxDays: 366, sessionSeconds: 604_800, adminSeconds: 900 };
const permissions = new Set(['view', 'edit', 'annotate']);

const ada: Principal = {
  tokenId: 't-ada',
  kind: 'session',
  userId: 'ada',
  scopes: SESSION_SCOPES,
  superAdmin: false,
  readOnly: false,
  serviceAccount: false,
};
const admin: Principal = { tokenId: 't-admin', kind: 'admin', scopes: ['*'], superAdmin: true, readOnly: false, serviceAccount: false };
const pipeline: Principal = { ...ada, tokenId: 't-sa', kind: 'service', userId: 'sa', scopes: ['resource-tokens'], serviceAccount: true };
const user = (id: string, active = true): TokenOwner => ({ id, active, serviceAccount: false, scopes: null });
const account: TokenOwner = { id: 'sa', active: true, serviceAccount: true, scopes: ['view', 'decisions'] };

function mint(asked: MintToken['data']['asked'], owner?: TokenOwner): MintToken {
  return { type: 'MintToken', data: { asked, secret, owner, isPermission: (name) => permissions.has(name), limits, now } };
}
function minted(
  data: Partial<TokenMinted['data']> & Pick<TokenMinted['data'], 'kind' | 'ownerId' | 'name' | 'scopes' | 'expiresAt'>,
): TokenMinted {
  return { type: 'TokenMinted', data: { ...secret, createdAt: at(now), ...data } };
}
const personal = (request: Partial<MintFields> = {}, principal = ada) =>
  mint(
    { kind: 'personal', principal, request: { name: 'laptop', scopes: ['view'], ...request, kind: 'personal' } },
    user(principal.userId ?? ''),
  );

describe('token decider', () => {
  describe('personal tokens', () => {
    it('mints one that carries the scopes asked, 30 days by default', () => {
      given([])
        .when(personal())
        .then([minted({ kind: 'personal', ownerId: 'ada', name: 'laptop', scopes: ['view'], expiresAt: at(now + 30 * DAY) })]);
    });

    it('counts the lifetime from the moment of minting, up to TESSERA_TOKEN_MAX_DAYS', () => {
      given([])
        .when(personal({ expiresInDays: 366 }))
        .then([minted({ kind: 'personal', ownerId: 'ada', name: 'laptop', scopes: ['view'], expiresAt: at(now + 366 * DAY) })]);
      given([])
        .when(personal({ expiresInDays: 367 }))
        .thenFails('bad_request', /^expiresInDays: must be at most 366/);
      given([])
        .when(personal({ expiresAt: at(now - 1) }))
        .thenFails('bad_request', 'expiresAt: must be in the future');
      given([])
        .when(personal({ expiresInDays: 1, expiresAt: at(now + DAY) }))
        .thenFails('bad_request', /not both/);
    });

    it('refuses unknown scopes (400) and scopes the caller does not hold (403)', () => {
      given([])
        .when(personal({ scopes: ['fly'] }))
        .thenFails('bad_request', 'scopes: unknown scope fly');
      given([])
        .when(personal({ scopes: [] }))
        .thenFails('bad_request', 'scopes: must not be empty');
      given([])
        .when(personal({ scopes: ['admin'] }, { ...ada, scopes: ['tokens', 'view'] }))
        .thenFails('insufficient_scope');
      given([])
        .when(personal({}, { ...ada, scopes: ['view'] }))
        .thenFails('insufficient_scope', 'this token lacks the tokens scope');
    });

    it('makes a service token for a service account, within the account scopes', () => {
      const asked = {
        kind: 'personal' as const,
        principal: { ...pipeline, scopes: ['*', 'tokens'] },
        request: { kind: 'personal' as const, name: 'n', scopes: ['view'] },
      };
      given([])
        .when(mint(asked, account))
        .then([minted({ kind: 'service', ownerId: 'sa', name: 'n', scopes: ['view'], expiresAt: at(now + 30 * DAY) })]);
      given([])
        .when(mint({ ...asked, request: { ...asked.request, scopes: ['edit'] } }, account))
        .thenFails('bad_request', 'scopes: the service account does not hold edit');
    });

    it('has no owner to mint for with an admin token', () => {
      given([])
        .when(personal({}, { ...admin, scopes: ['*', 'tokens'] }))
        .thenFails('bad_request', /admin token has no owner/);
    });
  });

  describe('impersonation, service-account, resource, session and admin tokens', () => {
    const request = { kind: 'impersonation' as const, name: 'look', scopes: ['view'] };

    it('lets a super admin impersonate an active user, recording the admin', () => {
      given([])
        .when(mint({ kind: 'impersonation', principal: admin, request }, user('bob')))
        .then([
          minted({
            kind: 'impersonation',
            ownerId: 'bob',
            name: 'look',
            scopes: ['view'],
            expiresAt: at(now + DAY),
            impersonatedBy: 'admin-token:t-admin',
          }),
        ]);
      given([])
        .when(mint({ kind: 'impersonation', principal: ada, request }, user('bob')))
        .thenFails('not_admin');
      given([])
        .when(mint({ kind: 'impersonation', principal: admin, request }, user('bob', false)))
        .thenFails('conflict', 'the user is deactivated');
      given([])
        .when(mint({ kind: 'impersonation', principal: admin, request }, account))
        .thenFails('not_found', 'no such user');
    });

    it('keeps an impersonation token within a day and within its maker, never admin or tokens', () => {
      const shortAdmin: Principal = { ...admin, expiresAt: at(now + 15 * 60_000) };
      given([])
        .when(mint({ kind: 'impersonation', principal: shortAdmin, request: { ...request, expiresInDays: 1 } }, user('bob')))
        .then([
          minted({
            kind: 'impersonation',
            ownerId: 'bob',
            name: 'look',
            scopes: ['view'],
            expiresAt: at(now + 15 * 60_000),
            impersonatedBy: 'admin-token:t-admin',
          }),
        ]);
      given([])
        .when(mint({ kind: 'impersonation', principal: admin, request: { ...request, expiresInDays: 366 } }, user('bob')))
        .thenFails('bad_request', /^expiresInDays: an impersonation token lives at most 1 day/);
      given([])
        .when(mint({ kind: 'impersonation', principal: admin, request: { ...request, expiresAt: at(now + DAY + 1) } }, user('bob')))
        .thenFails('bad_request', /^expiresAt: an impersonation token lives at most 24 hours/);
      for (const scopes of [['admin'], ['view', 'tokens']])
        given([])
          .when(mint({ kind: 'impersonation', principal: admin, request: { ...request, scopes } }, user('bob')))
          .thenFails('bad_request', /^scopes: an impersonation token never carries/);
    });

    it('lets an impersonation token mint nothing', () => {
      const acting: Principal = { ...ada, tokenId: 't-acting', kind: 'impersonation', scopes: ['view', 'tokens'], impersonatedBy: 'root' };
      given([]).when(personal({}, acting)).thenFails('insufficient_scope', 'an impersonation token cannot mint tokens');
      given([])
        .when(mint({ kind: 'resource', principal: acting, request: { kind: 'resource', resource: 'dataset:1', actions: ['read'] } }))
        .thenFails('insufficient_scope', 'an impersonation token cannot mint tokens');
    });

    it('mints an exchanged session with permission scopes only, ending with the provider token', () => {
      given([])
        .when(mint({ kind: 'session', exchanged: { notAfter: now + 3_600_000 } }, user('ada')))
        .then([minted({ kind: 'session', ownerId: 'ada', name: 'exchanged', scopes: ['*'], expiresAt: at(now + 3_600_000) })]);
      given([])
        .when(mint({ kind: 'session', exchanged: { notAfter: now - 1 } }, user('ada')))
        .thenFails('invalid_token', 'the provider token has expired');
    });

    it('mints a service account token for a super admin only, for a service account only', () => {
      const service = {
        kind: 'service' as const,
        principal: admin,
        request: { kind: 'service' as const, name: 'etl', scopes: ['decisions'] },
      };
      given([])
        .when(mint(service, account))
        .then([minted({ kind: 'service', ownerId: 'sa', name: 'etl', scopes: ['decisions'], expiresAt: at(now + 30 * DAY) })]);
      given([])
        .when(mint(service, user('bob')))
        .thenFails('not_found', 'no such service account');
      given([])
        .when(mint({ ...service, principal: ada }, account))
        .thenFails('not_admin');
    });

    it('mints a resource token for a service account with scope resource-tokens, never for a plain user', () => {
      const resource = {
        kind: 'resource' as const,
        request: { kind: 'resource' as const, resource: 'dataset:42', actions: ['read'], expiresInDays: 1 },
      };
      given([])
        .when(mint({ ...resource, principal: pipeline }))
        .then([
          minted({
            kind: 'resource',
            ownerId: 'sa',
            name: 'dataset:42',
            scopes: [],
            expiresAt: at(now + DAY),
            resource: 'dataset:42',
            actions: ['read'],
          }),
        ]);
      given([])
        .when(mint({ ...resource, principal: ada }))
        .thenFails('not_admin');
      given([])
        .when(mint({ ...resource, principal: { ...pipeline, scopes: ['view'] } }))
        .thenFails('insufficient_scope');
      given([])
        .when(mint({ ...resource, principal: admin, request: { ...resource.request, actions: [] } }))
        .thenFails('bad_request', 'resource and actions are required');
    });

    it('mints a session with every scope for an active user only, and an admin token for the admin key', () => {
      given([])
        .when(mint({ kind: 'session' }, user('ada')))
        .then([minted({ kind: 'session', ownerId: 'ada', name: 'session', scopes: SESSION_SCOPES, expiresAt: at(now + 604_800_000) })]);
      given([])
        .when(mint({ kind: 'session' }, user('ada', false)))
        .thenFails('conflict');
      given([])
        .when(mint({ kind: 'session' }, undefined))
        .thenFails('not_found');
      given([])
        .when(mint({ kind: 'admin' }))
        .then([minted({ kind: 'admin', ownerId: null, name: 'admin', scopes: ['*'], expiresAt: at(now + 900_000) })]);
    });

    it('never mints over an existing token', () => {
      given([minted({ kind: 'admin', ownerId: null, name: 'admin', scopes: ['*'], expiresAt: null })])
        .when(mint({ kind: 'admin' }))
        .thenFails('conflict');
    });
  });

  describe('revoking', () => {
    const live = minted({ kind: 'personal', ownerId: 'ada', name: 'laptop', scopes: ['view'], expiresAt: null });
    const revokedBy = (reason: string) => ({ type: 'TokenRevoked' as const, data: { tokenId: secret.tokenId, reason } });

    it('lets the owner revoke with scope tokens, and a super admin revoke anyone’s', () => {
      given([live])
        .when({ type: 'RevokeTokenById', data: { tokenId: secret.tokenId, caller: ada } })
        .then([revokedBy('owner')]);
      given([live])
        .when({ type: 'RevokeTokenById', data: { tokenId: secret.tokenId, caller: admin } })
        .then([revokedBy('admin')]);
      given([live])
        .when({ type: 'RevokeTokenById', data: { tokenId: secret.tokenId, caller: { ...ada, scopes: ['view'] } } })
        .thenFails('insufficient_scope');
    });

    it('hides another user’s token and an unknown one behind not_found', () => {
      given([live])
        .when({ type: 'RevokeTokenById', data: { tokenId: secret.tokenId, caller: { ...ada, userId: 'bob' } } })
        .thenFails('not_found');
      given([])
        .when({ type: 'RevokeTokenById', data: { tokenId: secret.tokenId, caller: admin } })
        .thenFails('not_found', 'no such token');
    });

    it('revokes with the reason given, once: a revoked token stays revoked without another event', () => {
      given([live])
        .when({ type: 'RevokeToken', data: { tokenId: secret.tokenId, reason: 'deactivated' } })
        .then([revokedBy('deactivated')]);
      given([live, revokedBy('owner')])
        .when({ type: 'RevokeToken', data: { tokenId: secret.tokenId, reason: 'rfc7009' } })
        .thenNothing();
      given([live, revokedBy('owner')])
        .when({ type: 'RevokeTokenById', data: { tokenId: secret.tokenId, caller: ada } })
        .thenNothing();
    });
  });
});
