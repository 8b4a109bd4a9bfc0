import { TOKEN_INTERNAL_SUBJECTS, SUBJECTS } from '@tessera/contracts';
import { json, startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';

const ADMIN_KEY = 'test-admin-key-0123456789';
const ADMIN_TTL_SECONDS = 3;

describe('tokens (CONTRACT section 3)', () => {
  let tessera: TesseraUnderTest;
  let cachedAdmin: { token: string; expiresAt: number } | undefined;
  /** A super-admin user's session token: every scope, admin flag. */
  let adminSession: string;
  let alice: { id: string; session: string };
  const minted: string[] = [];

  const url = (path: string) => `${tessera.baseUrl}${path}`;
  const call = (method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(url(path), {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  const expectError = async (response: Response, status: number, code: string): Promise<Json> => {
    const body = await json(response);
    expect({ status: response.status, code: body.error }).toEqual({ status, code });
    if (status === 401) expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="${tessera.baseUrl}/auth/login"`);
    return body;
  };
  /**
   * An admin token, minted again only when the last one is about to expire: every call comes from
   * one client address (X-Forwarded-For from an untrusted peer counts for nothing), and that
   * address has 10 tries a minute.
   */
  const adminToken = async (): Promise<string> => {
    if (cachedAdmin && cachedAdmin.expiresAt - Date.now() > 1_000) return cachedAdmin.token;
    const response = await call('POST', '/api/v1/admin/tokens', undefined, { adminKey: ADMIN_KEY });
    expect(response.status).toBe(201);
    const { token, expiresAt } = await json(response);
    minted.push(token);
    cachedAdmin = { token, expiresAt: Date.parse(expiresAt) };
    return token;
  };
  const session = async (userId: string): Promise<string> => {
    const { token } = await tessera.client.request(TOKEN_INTERNAL_SUBJECTS.mintSession, { userId });
    minted.push(token);
    return token;
  };
  const createUser = async (name: string, admin = false): Promise<{ id: string; session: string }> => {
    const response = await call('POST', '/api/v1/users', await adminToken(), { name, email: `${name}@example.org`, admin });
    expect(response.status).toBe(201);
    const body = await json(response);
    return { id: body.id, session: await session(body.id) };
  };
  const mint = async (token: string, path: string, body: unknown): Promise<Json> => {
    const response = await call('POST', path, token, body);
    const answer = await json(response);
    expect({ status: response.status, answer }).toMatchObject({ status: 201, answer: { token: expect.any(String) } });
    minted.push(answer.token);
    return answer;
  };
  const status = async (token: string): Promise<number | string> => {
    const response = await call('GET', '/api/v1/me', token);
    return response.status === 200 ? 200 : (await json(response)).error;
  };

  beforeAll(async () => {
    tessera = await startTessera({
      env: {
        TESSERA_ADMIN_KEY: ADMIN_KEY,
        TESSERA_ADMIN_TOKEN_TTL: String(ADMIN_TTL_SECONDS),
        TESSERA_EXTRA_AUTH_HEADERS: 'UWS-Authorization',
        TESSERA_TOKEN_MAX_DAYS: '90',
        TESSERA_LAST_USED_FLUSH_MS: '200',
      },
    });
    const admin = await createUser('root', true);
    adminSession = admin.session;
    alice = await createUser('alice');
  });
  afterAll(async () => {
    await tessera?.stop();
  });

  describe('admin tokens', () => {
    it('mints a tsra_ super-admin token that dies after TESSERA_ADMIN_TOKEN_TTL', async () => {
      const response = await call('POST', '/api/v1/admin/tokens', undefined, { adminKey: ADMIN_KEY });
      expect(response.status).toBe(201);
      const body = await json(response);
      expect(body.token).toMatch(/^tsra_[0-9A-Za-z]{38}$/);
      minted.push(body.token);
      expect(Date.parse(body.expiresAt) - Date.now()).toBeLessThanOrEqual(ADMIN_TTL_SECONDS * 1000);
      expect(await json(await call('GET', '/api/v1/me', body.token))).toMatchObject({ id: null, admin: true });
      expect((await call('GET', '/api/v1/users', body.token)).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, ADMIN_TTL_SECONDS * 1000 + 200));
      await expectError(await call('GET', '/api/v1/users', body.token), 401, 'expired_token');
    });
  });

  describe('gateway authentication (CONTRACT section 2)', () => {
    it('answers 401 no_token, 400 bad_auth_header, and invalid_token for a checksum failure', async () => {
      await expectError(await call('GET', '/api/v1/me'), 401, 'no_token');
      await expectError(
        await call('GET', '/api/v1/me', undefined, undefined, { authorization: 'Basic YWxhZGRpbjpvcGVu' }),
        400,
        'bad_auth_header',
      );
      await expectError(await call('GET', '/api/v1/me', undefined, undefined, { authorization: 'Bearer' }), 400, 'bad_auth_header');
      const broken = alice.session.slice(0, -1) + (alice.session.endsWith('A') ? 'B' : 'A');
      await expectError(await call('GET', '/api/v1/me', broken), 401, 'invalid_token');
      await expectError(await call('GET', '/api/v1/me', 'tsrp_' + 'x'.repeat(38)), 401, 'invalid_token');
    });

    it('takes the token from every source of the contract', async () => {
      const sources: Record<string, string>[] = [
        { authorization: `Token ${alice.session}` },
        { 'uws-authorization': `Bearer ${alice.session}` },
        { cookie: `other=1; tessera_token=${alice.session}` },
        { cookie: `middle_auth_token=${alice.session}` },
      ];
      for (const headers of sources) {
        const response = await call('GET', '/api/v1/me', undefined, undefined, headers);
        expect({ headers, status: response.status }).toEqual({ headers, status: 200 });
      }
      const byQuery = await fetch(url(`/api/v1/me?middle_auth_token=${alice.session}`));
      expect(byQuery.status).toBe(200);
      // Authorization comes first: a bad bearer there is not rescued by a good cookie.
      await expectError(
        await call('GET', '/api/v1/me', 'tsrp_' + 'x'.repeat(38), undefined, { cookie: `tessera_token=${alice.session}` }),
        401,
        'invalid_token',
      );
    });
  });

  describe('users and me', () => {
    it('lets only a super admin register and list users; /me answers the caller', async () => {
      await expectError(await call('POST', '/api/v1/users', alice.session, { name: 'mallory' }), 403, 'not_admin');
      await expectError(await call('POST', '/api/v1/users', adminSession, { name: 'x', color: 'red' }), 400, 'bad_request');
      const created = await call('POST', '/api/v1/users', adminSession, { name: 'bob', email: 'bob@example.org', readOnly: true });
      expect(created.status).toBe(201);
      const bob = await json(created);
      expect(bob).toMatchObject({
        name: 'bob',
        email: 'bob@example.org',
        admin: false,
        readOnly: true,
        serviceAccount: false,
        revision: expect.stringMatching(/^\d+$/),
      });
      expect(created.headers.get('x-tessera-revision')).toBe(bob.revision);
      const list = await json(await call('GET', '/api/v1/users?limit=500', adminSession));
      expect(list.items.map((user: Json) => user.name)).toEqual(expect.arrayContaining(['root', 'alice', 'bob']));
      expect(await json(await call('GET', `/api/v1/users/${bob.id}`, adminSession))).toMatchObject({ id: bob.id, name: 'bob' });
      await expectError(await call('GET', `/api/v1/users/${bob.id}`, alice.session), 403, 'not_admin');
      expect(await json(await call('GET', '/api/v1/me', alice.session))).toEqual({
        id: alice.id,
        name: 'alice',
        email: 'alice@example.org',
        admin: false,
        serviceAccount: false,
        readOnly: false,
        groups: [],
        affiliations: [],
        revision: expect.any(String),
      });
    });
  });

  describe('personal tokens', () => {
    it('mints with the secret once, lists masked with hint and lastUsedAt, revokes with 204', async () => {
      const response = await call('POST', '/api/v1/tokens', alice.session, {
        name: 'laptop',
        scopes: ['view', 'tokens'],
        expiresInDays: 7,
      });
      expect(response.status).toBe(201);
      const token = await json(response);
      minted.push(token.token);
      expect(token).toEqual({
        id: expect.any(String),
        token: expect.stringMatching(/^tsrp_[0-9A-Za-z]{38}$/),
        name: 'laptop',
        scopes: ['view', 'tokens'],
        kind: 'personal',
        hint: `tsrp_…${token.token.slice(-4)}`,
        createdAt: expect.any(String),
        expiresAt: expect.any(String),
        revision: response.headers.get('x-tessera-revision'),
      });
      expect(Date.parse(token.expiresAt) - Date.parse(token.createdAt)).toBe(7 * 86_400_000);
      expect(await status(token.token)).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 600));
      const listed = await call('GET', '/api/v1/tokens', token.token);
      const text = await listed.text();
      expect(text).not.toContain(token.token);
      const item = JSON.parse(text).items.find((entry: Json) => entry.id === token.id);
      expect(item).toEqual({
        id: token.id,
        name: 'laptop',
        kind: 'personal',
        hint: token.hint,
        scopes: ['view', 'tokens'],
        createdAt: token.createdAt,
        expiresAt: token.expiresAt,
        lastUsedAt: expect.any(String),
      });

      const bob = await createUser('bob-the-other');
      await expectError(await call('DELETE', `/api/v1/tokens/${token.id}`, bob.session), 404, 'not_found');
      const deleted = await call('DELETE', `/api/v1/tokens/${token.id}`, alice.session);
      expect(deleted.status).toBe(204);
      expect(deleted.headers.get('x-tessera-revision')).toMatch(/^\d+$/);
      expect(await deleted.text()).toBe('');
      await expectError(await call('GET', '/api/v1/me', token.token), 401, 'revoked_token');
    });

    it('answers the scope and bad-input rules with the contract codes', async () => {
      const viewOnly = await mint(alice.session, '/api/v1/tokens', { name: 'ro', scopes: ['view'] });
      await expectError(await call('POST', '/api/v1/tokens', viewOnly.token, { name: 'x', scopes: ['view'] }), 403, 'insufficient_scope');
      await expectError(await call('GET', '/api/v1/tokens', viewOnly.token), 403, 'insufficient_scope');
      await expectError(await call('DELETE', `/api/v1/tokens/${viewOnly.id}`, viewOnly.token), 403, 'insufficient_scope');
      const manager = await mint(alice.session, '/api/v1/tokens', { name: 'mgr', scopes: ['tokens', 'view'] });
      await expectError(await call('POST', '/api/v1/tokens', manager.token, { name: 'x', scopes: ['admin'] }), 403, 'insufficient_scope');

      const bad = async (body: unknown, field: string) => {
        const answer = await expectError(await call('POST', '/api/v1/tokens', alice.session, body), 400, 'bad_request');
        expect(answer.details.map((detail: Json) => detail.field)).toContain(field);
      };
      await bad({ name: 'x', scopes: [] }, 'scopes');
      await bad({ name: 'x', scopes: ['no_such_permission'] }, 'scopes');
      await bad({ name: 'x', scopes: ['view'], expiresInDays: 91 }, 'expiresInDays');
      await bad({ name: 'x', scopes: ['view'], expiresAt: new Date(Date.now() - 60_000).toISOString() }, 'expiresAt');
      await bad({ name: 'x', scopes: ['view'], expiresAt: 'tomorrow' }, 'expiresAt');
      await bad({ name: 'x', scopes: ['view'], owner: 'someone' }, 'owner');
      await bad({ scopes: ['view'] }, 'name');
    });
  });

  describe('impersonation, service accounts, resource tokens', () => {
    it('lets a super admin impersonate, recording the admin as actor', async () => {
      await expectError(
        await call('POST', `/api/v1/users/${alice.id}/tokens`, alice.session, { name: 'x', scopes: ['view'] }),
        403,
        'not_admin',
      );
      const token = await mint(adminSession, `/api/v1/users/${alice.id}/tokens`, { name: 'support', scopes: ['view'] });
      expect(token).toMatchObject({ kind: 'impersonation', token: expect.stringMatching(/^tsri_/) });
      expect(await json(await call('GET', '/api/v1/me', token.token))).toMatchObject({ id: alice.id });
      const event = await tessera.db.pool.query(
        "SELECT metadata, data FROM event_store.events WHERE stream_id = $1 AND type = 'TokenMinted'",
        [`token-${token.id}`],
      );
      const root = await json(await call('GET', '/api/v1/me', adminSession));
      expect(event.rows[0].metadata.actor).toBe(root.id);
      expect(event.rows[0].data).toMatchObject({ ownerId: alice.id, impersonatedBy: root.id });
    });

    it('keeps impersonation tokens short and weak: at most 24 h and never past their maker, never admin or tokens, and they mint nothing', async () => {
      const path = `/api/v1/users/${alice.id}/tokens`;
      // At most a day, whatever is asked (400 naming the field), and never past the admin token that mints it.
      const tooLong = await expectError(
        await call('POST', path, adminSession, { name: 'x', scopes: ['view'], expiresInDays: 366 }),
        400,
        'bad_request',
      );
      expect(tooLong.details.map((detail: Json) => detail.field)).toContain('expiresInDays');
      const laterThanADay = new Date(Date.now() + 25 * 3_600_000).toISOString();
      await expectError(
        await call('POST', path, adminSession, { name: 'x', scopes: ['view'], expiresAt: laterThanADay }),
        400,
        'bad_request',
      );
      const admin = await adminToken();
      const adminExpiry = ((await tessera.client.request(SUBJECTS.tokenIntrospect, { token: admin })) as Json).exp * 1000;
      const short = await mint(admin, path, { name: 'support', scopes: ['view'] });
      // Introspection gives `exp` in whole seconds: the token ends within that second, not after it.
      expect(Date.parse(short.expiresAt)).toBeLessThan(adminExpiry + 1_000);
      const day = await mint(adminSession, path, { name: 'support', scopes: ['view'], expiresInDays: 1 });
      expect(Date.parse(day.expiresAt) - Date.parse(day.createdAt)).toBeLessThanOrEqual(86_400_000);
      // Never the admin or tokens scope, even for an admin user.
      const root = await json(await call('GET', '/api/v1/me', adminSession));
      for (const scopes of [['admin'], ['view', 'tokens'], ['*', 'admin']]) {
        const refused = await expectError(
          await call('POST', `/api/v1/users/${root.id}/tokens`, admin, { name: 'x', scopes }),
          400,
          'bad_request',
        );
        expect(refused.details.map((detail: Json) => detail.field)).toContain('scopes');
      }
      // It cannot mint: no personal token, no resource token.
      await expectError(await call('POST', '/api/v1/tokens', day.token, { name: 'escape', scopes: ['view'] }), 403, 'insufficient_scope');
      await expectError(
        await call('POST', '/api/v1/resource-tokens', day.token, { resource: 'dataset:1', actions: ['read'] }),
        403,
        'insufficient_scope',
      );
      expect(
        (
          await tessera.db.pool.query(
            "SELECT count(*)::int AS n FROM event_store.events WHERE type = 'TokenMinted' AND data->>'name' = 'escape'",
          )
        ).rows[0].n,
      ).toBe(0);
    });

    it('leaves the impersonating admin in every event written with an impersonation token, and in the audit log', async () => {
      const root = await json(await call('GET', '/api/v1/me', adminSession));
      const acting = await mint(adminSession, `/api/v1/users/${alice.id}/tokens`, { name: 'acting', scopes: ['view'] });
      // A policy write as alice: accepting a dataset's terms of service.
      const dataset = await json(await call('POST', '/api/v1/datasets', adminSession, { name: 'impersonated-terms' }));
      const tos = await json(await call('POST', `/api/v1/datasets/${dataset.id}/tos`, adminSession, { title: 'Terms', text: 'be nice' }));
      expect((await call('POST', `/api/v1/tos/${tos.id}/accept`, acting.token)).status).toBeLessThan(300);
      // A token write with it: logging the impersonation token out.
      expect((await call('POST', '/auth/logout', acting.token)).status).toBe(200);
      const written = await tessera.db.pool.query(
        `SELECT type, position, metadata FROM event_store.events
          WHERE (type = 'TosAccepted' AND data->>'tosId' = $1) OR (type = 'TokenRevoked' AND stream_id = $2) ORDER BY position`,
        [tos.id, `token-${acting.id}`],
      );
      expect(written.rows.map((row) => ({ type: row.type, metadata: row.metadata }))).toEqual([
        { type: 'TosAccepted', metadata: expect.objectContaining({ actor: alice.id, impersonatedBy: root.id }) },
        { type: 'TokenRevoked', metadata: expect.objectContaining({ actor: alice.id, impersonatedBy: root.id }) },
      ]);
      const first = Number(written.rows[0].position);
      const page = await json(await call('GET', `/api/v1/audit/events?after=${first - 1}&type=TosAccepted&limit=1`, await adminToken()));
      expect(page.items[0]).toMatchObject({ type: 'TosAccepted', actor: alice.id, impersonatedBy: root.id });
    });

    it('creates service accounts and their tsrv_ tokens; introspects (RFC 7662) only with scope introspect', async () => {
      const created = await call('POST', '/api/v1/service-accounts', adminSession, {
        name: 'pipeline',
        scopes: ['introspect', 'resource-tokens', 'view'],
      });
      expect(created.status).toBe(201);
      const account = await json(created);
      expect(account).toMatchObject({ id: expect.any(String), name: 'pipeline' });
      await expectError(
        await call('POST', '/api/v1/service-accounts', adminSession, { name: 'pipeline', scopes: ['view'] }),
        409,
        'conflict',
      );
      await expectError(await call('POST', '/api/v1/service-accounts', alice.session, { name: 'p2', scopes: ['view'] }), 403, 'not_admin');
      await expectError(
        await call('POST', `/api/v1/service-accounts/${account.id}/tokens`, adminSession, { name: 'x', scopes: ['decisions'] }),
        400,
        'bad_request',
      );
      const service = await mint(adminSession, `/api/v1/service-accounts/${account.id}/tokens`, {
        name: 'ci',
        scopes: ['introspect', 'resource-tokens'],
      });
      expect(service).toMatchObject({ kind: 'service', token: expect.stringMatching(/^tsrv_/) });
      expect(await json(await call('GET', '/api/v1/me', service.token))).toMatchObject({ id: account.id, serviceAccount: true });

      const introspected = await call('POST', '/api/v1/tokens/introspect', service.token, { token: alice.session });
      expect(introspected.status).toBe(200);
      expect(await json(introspected)).toMatchObject({
        active: true,
        sub: alice.id,
        kind: 'session',
        token_type: 'Bearer',
        exp: expect.any(Number),
        iat: expect.any(Number),
        scope: expect.stringContaining('tokens'),
      });
      expect(await json(await call('POST', '/api/v1/tokens/introspect', service.token, { token: 'tsrp_' + 'x'.repeat(38) }))).toMatchObject(
        { active: false },
      );
      await expectError(await call('POST', '/api/v1/tokens/introspect', alice.session, { token: alice.session }), 403, 'not_admin');
      const overNats = await tessera.client.request(SUBJECTS.tokenIntrospect, { token: service.token });
      expect(overNats).toMatchObject({ active: true, sub: account.id, kind: 'service', revision: expect.any(String) });

      // Resource tokens: the service account mints them; privileged actions stay with admin tokens.
      await expectError(
        await call('POST', '/api/v1/resource-tokens', alice.session, { resource: 'dataset:1', actions: ['read'] }),
        403,
        'not_admin',
      );
      await expectError(
        await call('POST', '/api/v1/resource-tokens', service.token, { resource: 'no-colon', actions: ['read'] }),
        400,
        'bad_request',
      );
      const resource = await mint(service.token, '/api/v1/resource-tokens', {
        resource: 'dataset:42',
        actions: ['read', 'reset'],
        expiresInDays: 1,
      });
      expect(resource).toMatchObject({ kind: 'resource', token: expect.stringMatching(/^tsrr_/) });
      const authorize = (token: string, body: unknown) => call('POST', '/api/v1/authorize', token, body);
      expect(await json(await authorize(resource.token, { resource: 'dataset:42', action: 'read' }))).toMatchObject({ allowed: true });
      await expectError(await authorize(resource.token, { resource: 'dataset:42', action: 'reset' }), 403, 'missing_permission');
      await expectError(await authorize(resource.token, { resource: 'dataset:43', action: 'read' }), 403, 'missing_permission');
      await expectError(await authorize(resource.token, { resource: 'dataset:42', action: 'write' }), 403, 'missing_permission');
      expect((await authorize(await adminToken(), { resource: 'dataset:42', action: 'purge' })).status).toBe(200);
      // Privileged actions need a token of kind admin: a super admin's session or personal token is refused them.
      const adminPersonal = await mint(adminSession, '/api/v1/tokens', { name: 'root-long', scopes: ['*', 'admin'], expiresInDays: 90 });
      for (const token of [adminSession, adminPersonal.token]) {
        const refused = await expectError(await authorize(token, { resource: 'dataset:42', action: 'purge' }), 403, 'insufficient_scope');
        expect(refused.reason).toBe('needs_admin_token');
        expect((await authorize(token, { resource: 'dataset:42', action: 'read' })).status).toBe(200);
      }
      expect(
        await tessera.client.request(SUBJECTS.tokenAuthorize, { token: adminSession, resource: 'dataset:42', action: 'purge' }),
      ).toMatchObject({ allowed: false, reason: 'needs_admin_token' });
      expect(
        await tessera.client.request(SUBJECTS.tokenAuthorize, { token: resource.token, resource: 'dataset:42', action: 'reset' }),
      ).toMatchObject({
        allowed: false,
        reason: 'privileged_action',
      });
      expect(
        await tessera.client.request(SUBJECTS.tokenAuthorize, { token: resource.token, resource: 'dataset:42', action: 'read' }),
      ).toMatchObject({
        allowed: true,
      });
    });

    it('revokes by value (RFC 7009) for whoever holds the token, answering 200 always', async () => {
      const token = await mint(alice.session, '/api/v1/tokens', { name: 'leaked', scopes: ['view'] });
      const revoked = await call('POST', '/api/v1/tokens/revoke', undefined, { token: token.token });
      expect(revoked.status).toBe(200);
      await expectError(await call('GET', '/api/v1/me', token.token), 401, 'revoked_token');
      expect((await call('POST', '/api/v1/tokens/revoke', undefined, { token: token.token })).status).toBe(200);
      expect((await call('POST', '/api/v1/tokens/revoke', undefined, { token: 'not-a-token' })).status).toBe(200);
    });
  });

  describe('a redeploy', () => {
    it('keeps every live token working, every revoked one revoked and every expired one expired; no secret is stored anywhere', async () => {
      const kinds: Record<string, string> = {
        session: await session(alice.id),
        personal: (await mint(alice.session, '/api/v1/tokens', { name: 'keep', scopes: ['view', 'tokens'] })).token,
        impersonation: (await mint(adminSession, `/api/v1/users/${alice.id}/tokens`, { name: 'keep', scopes: ['view'] })).token,
        admin: await adminToken(),
      };
      const account = await json(
        await call('POST', '/api/v1/service-accounts', adminSession, { name: 'keeper', scopes: ['*', 'resource-tokens'] }),
      );
      kinds.service = (
        await mint(adminSession, `/api/v1/service-accounts/${account.id}/tokens`, { name: 'keep', scopes: ['resource-tokens'] })
      ).token;
      kinds.resource = (await mint(kinds.service, '/api/v1/resource-tokens', { resource: 'table:t1', actions: ['read'] })).token;
      const revokedToken = await mint(alice.session, '/api/v1/tokens', { name: 'gone', scopes: ['view'] });
      expect((await call('DELETE', `/api/v1/tokens/${revokedToken.id}`, alice.session)).status).toBe(204);
      const expiring = await mint(alice.session, '/api/v1/tokens', {
        name: 'short',
        scopes: ['view'],
        expiresAt: new Date(Date.now() + 1500).toISOString(),
      });

      await tessera.stopApps();
      await new Promise((resolve) => setTimeout(resolve, 1600));
      await tessera.startApps();

      for (const [kind, token] of Object.entries(kinds)) {
        if (kind === 'admin') continue; // Its TTL is shorter than a redeploy here; checked below.
        const response =
          kind === 'resource'
            ? await call('POST', '/api/v1/authorize', token, { resource: 'table:t1', action: 'read' })
            : await call('GET', '/api/v1/me', token);
        expect({ kind, status: response.status }).toEqual({ kind, status: 200 });
      }
      expect(await status(kinds.admin)).toBe('expired_token');
      expect(await status(revokedToken.token)).toBe('revoked_token');
      expect(await status(expiring.token)).toBe('expired_token');

      // No table and no event holds any secret ever minted in this file.
      const tables = await tessera.db.pool.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
          WHERE table_schema NOT IN ('pg_catalog', 'information_schema') AND table_type = 'BASE TABLE'`,
      );
      expect(tables.rows.map((table) => `${table.schema}.${table.name}`)).toEqual(
        expect.arrayContaining(['event_store.events', 'token.token_last_used', 'identity.users']),
      );
      const secrets = [...new Set([...minted, ...Object.values(kinds)])].map((token) => token.slice(5, 37));
      expect(secrets.length).toBeGreaterThan(15);
      for (const table of tables.rows) {
        const rows = await tessera.db.pool.query(`SELECT t::text AS text FROM "${table.schema}"."${table.name}" t`);
        for (const row of rows.rows)
          for (const secret of secrets) expect(row.text.includes(secret) ? `${table.schema}.${table.name}` : 'clean').toBe('clean');
      }
    });
  });

  // Last: it spends this client address's admin-key tries for the minute.
  describe('the admin-key try limit', () => {
    it('refuses a wrong key with 401 invalid_admin_key; once the minute’s 10 tries are spent, even the right key gets 429 + Retry-After', async () => {
      await expectError(
        await call('POST', '/api/v1/admin/tokens', undefined, { adminKey: 'wrong-key-wrong-key' }),
        401,
        'invalid_admin_key',
      );
      const statuses: number[] = [];
      for (let attempt = 0; attempt < 11 && statuses.at(-1) !== 429; attempt += 1)
        statuses.push((await call('POST', '/api/v1/admin/tokens', undefined, { adminKey: 'guess' })).status);
      expect(statuses.at(-1)).toBe(429);
      expect(statuses.slice(0, -1).every((status) => status === 401)).toBe(true);
      const limited = await call('POST', '/api/v1/admin/tokens', undefined, { adminKey: ADMIN_KEY });
      await expectError(limited, 429, 'rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
      // Every try of the minute was counted, however the client named itself.
      const tries = await tessera.db.pool.query(
        "SELECT hits FROM gateway.rate_limit_hits WHERE key LIKE 'admin-key:%' AND key <> 'admin-key:*'",
      );
      expect(tries.rows.map((row) => row.hits)).toEqual([expect.any(Number)]);
      expect(tries.rows[0].hits).toBeGreaterThan(10);
    });
  });
});
