import { connect } from 'node:net';
import { callApi, eventually, json, startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';

const ADMIN_KEY = 'gateway-security-admin-key-0123';
const APP = 'http://viewer.test/app';

/**
 * CONTRACT v1.1 section 2 at the gateway: who the client is (trusted proxies only), rate limits that
 * hold across replicas, JSON bodies only, the Origin check of cookie-authenticated writes,
 * authentication before X-Tessera-Min-Revision, and every framework error in the contract's body.
 */
describe('gateway security (CONTRACT section 2)', () => {
  let tessera: TesseraUnderTest;
  let admin: string;
  /** Two gateways that believe X-Forwarded-For from loopback, as behind one load balancer. */
  let proxiedA: string;
  let proxiedB: string;

  const call = callApi;
  const expectError = async (response: Response, status: number, code: string): Promise<Json> => {
    const text = await response.text();
    const body = JSON.parse(text);
    expect({ status: response.status, code: body.error }).toEqual({ status, code });
    expect(body).toEqual({
      statusCode: status,
      error: code,
      message: expect.any(String),
      details: expect.any(Array),
      ...pick(body, EXTRA),
    });
    return body;
  };
  const EXTRA = ['tos', 'revision'];
  const pick = (body: Json, keys: string[]) => Object.fromEntries(keys.filter((key) => key in body).map((key) => [key, body[key]]));
  const tryKey = (base: string, adminKey: string, forwardedFor?: string) =>
    call(base, 'POST', '/api/v1/admin/tokens', { body: { adminKey }, headers: forwardedFor ? { 'x-forwarded-for': forwardedFor } : {} });
  const forgetRateLimits = () => tessera.db.pool.query('DELETE FROM gateway.rate_limit_hits');
  const appEvents = async () =>
    (await tessera.db.pool.query("SELECT count(*)::int AS n FROM event_store.events WHERE type = 'TrustedAppRegistered'")).rows[0].n;

  beforeAll(async () => {
    tessera = await startTessera({ env: { TESSERA_ADMIN_KEY: ADMIN_KEY } });
    admin = (await json(await tryKey(tessera.baseUrl, ADMIN_KEY))).token;
    expect(admin).toMatch(/^tsra_/);
    expect((await call(tessera.baseUrl, 'POST', '/api/v1/apps', { token: admin, body: { url: APP } })).status).toBe(201);
    const [a, b] = await Promise.all([
      tessera.startReplica('gateway', { TESSERA_TRUSTED_PROXIES: '127.0.0.0/8' }),
      tessera.startReplica('gateway', { TESSERA_TRUSTED_PROXIES: '127.0.0.1' }),
    ]);
    proxiedA = a.baseUrl!;
    proxiedB = b.baseUrl!;
    await tessera.waitUntilReady(proxiedA);
    await tessera.waitUntilReady(proxiedB);
  }, 120_000);
  afterAll(async () => {
    await tessera?.stop();
  });

  // Every test starts with a clean minute of rate limits (they are shared by the replicas here).
  beforeEach(() => forgetRateLimits());

  describe('rate limits keyed on the client address (item 2)', () => {
    it('ignores X-Forwarded-For from a peer that is not a trusted proxy: 12 addresses buy no 12 tries', async () => {
      const statuses: number[] = [];
      for (let n = 1; n <= 12; n += 1) statuses.push((await tryKey(tessera.baseUrl, 'wrong-key-wrong-key', `203.0.113.${n}`)).status);
      expect(statuses).toEqual([...Array(10).fill(401), 429, 429]);
      const limited = await tryKey(tessera.baseUrl, ADMIN_KEY, '203.0.113.99');
      await expectError(limited, 429, 'rate_limited');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(60);
    });

    it('believes X-Forwarded-For from a trusted proxy, and one client’s limit holds across two gateway replicas', async () => {
      const client = '198.51.100.7';
      const statuses: number[] = [];
      for (let n = 0; n < 10; n += 1)
        statuses.push((await tryKey(n % 2 === 0 ? proxiedA : proxiedB, 'wrong-key-wrong-key', client)).status);
      expect(statuses).toEqual(Array(10).fill(401));
      await expectError(await tryKey(proxiedB, ADMIN_KEY, client), 429, 'rate_limited');
      await expectError(await tryKey(proxiedA, ADMIN_KEY, client), 429, 'rate_limited');
      // Another client behind the same proxy has tries of its own.
      expect((await tryKey(proxiedA, ADMIN_KEY, '198.51.100.8')).status).toBe(201);
    });

    it('holds a global bucket per route: rotating real client addresses runs out too', async () => {
      const statuses: number[] = [];
      for (let n = 1; n <= 31; n += 1)
        statuses.push((await tryKey(n % 2 ? proxiedA : proxiedB, 'wrong-key-wrong-key', `192.0.2.${n}`)).status);
      expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
      const body = await expectError(await tryKey(proxiedA, ADMIN_KEY, '192.0.2.200'), 429, 'rate_limited');
      expect(body.message).toMatch(/every client/);
    });

    it('limits token exchanges per client (each reaches the identity provider)', async () => {
      const statuses: number[] = [];
      for (let n = 0; n < 31; n += 1)
        statuses.push(
          (await call(tessera.baseUrl, 'POST', '/api/v1/tokens/exchange', { body: { auth_token: `not-a-provider-token-${n}` } })).status,
        );
      expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
      await expectError(
        await call(tessera.baseUrl, 'POST', '/api/v1/tokens/exchange', { body: { auth_token: 'not-a-provider-token' } }),
        429,
        'rate_limited',
      );
    });

    it('limits /auth/login per client: the 61st in a minute is 429 and leaves no pending login behind', async () => {
      const states = async () => (await tessera.db.pool.query('SELECT count(*)::int AS n FROM identity.login_states')).rows[0].n;
      const before = await states();
      const statuses: number[] = [];
      for (let n = 0; n < 61; n += 1) statuses.push((await call(tessera.baseUrl, 'GET', '/auth/login')).status);
      expect(statuses.slice(0, 60)).toEqual(Array(60).fill(302));
      expect(statuses[60]).toBe(429);
      expect(await states()).toBe(before + 60);
    });

    it('purges expired pending logins and codes in the background, by an index on their expiry', async () => {
      await tessera.db.pool.query(
        "INSERT INTO identity.login_states (state_hash, browser_hash, verifier_sealed, redirect, expires_at) VALUES ('stale-state', 'b', 'v', 'r', now() - interval '1 hour')",
      );
      await tessera.db.pool.query(
        "INSERT INTO identity.login_codes (code_hash, user_id, redirect, expires_at) VALUES ('stale-code', gen_random_uuid(), 'r', now() - interval '1 hour')",
      );
      const indexes = await tessera.db.pool.query(
        "SELECT indexdef FROM pg_indexes WHERE schemaname = 'identity' AND tablename IN ('login_states', 'login_codes')",
      );
      expect(indexes.rows.filter((row) => /\(expires_at\)/.test(row.indexdef))).toHaveLength(2);
      // No request: a replica purges on its own (here, one that just started).
      const replica = await tessera.startReplica('identity');
      try {
        const stale = async () =>
          (
            await tessera.db.pool.query(
              "SELECT (SELECT count(*) FROM identity.login_states WHERE state_hash = 'stale-state') + (SELECT count(*) FROM identity.login_codes WHERE code_hash = 'stale-code') AS n",
            )
          ).rows[0].n;
        expect(Number(await eventually(stale, (n) => Number(n) === 0))).toBe(0);
      } finally {
        await replica.stop();
      }
    }, 60_000);

    it('purges old attempts in the background', async () => {
      await tessera.db.pool.query(
        "INSERT INTO gateway.rate_limit_hits (key, window_start, expires_at, hits) VALUES ('admin-key:192.0.2.250', now() - interval '2 hours', now() - interval '119 minutes', 9)",
      );
      const replica = await tessera.startReplica('gateway');
      try {
        const left = await eventually(
          async () =>
            (await tessera.db.pool.query("SELECT count(*)::int AS n FROM gateway.rate_limit_hits WHERE key = 'admin-key:192.0.2.250'"))
              .rows[0].n as number,
          (n) => n === 0,
          10_000,
        );
        expect(left).toBe(0);
      } finally {
        await replica.stop();
      }
    });

    it('the token app keeps no admin-key attempts of its own', async () => {
      const table = await tessera.db.pool.query("SELECT to_regclass('token.admin_key_attempts') AS name");
      expect(table.rows[0].name).toBeNull();
    });
  });

  describe('request bodies and cookie-authenticated writes (items 3 and 22)', () => {
    const cookie = () => ({ cookie: `tessera_token=${admin}` });

    it('refuses a form post riding on an admin cookie with 415, and registers nothing', async () => {
      const before = await appEvents();
      const response = await call(tessera.baseUrl, 'POST', '/api/v1/apps', {
        headers: { ...cookie(), 'content-type': 'application/x-www-form-urlencoded', origin: tessera.baseUrl },
        body: 'url=http%3A%2F%2Fevil.test%2F',
      });
      await expectError(response, 415, 'unsupported_media_type');
      expect(await appEvents()).toBe(before);
    });

    it.each([
      ['text/plain', '{"url":"http://a.test/"}'],
      ['application/xml', '<url>http://a.test/</url>'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttp://a.test/\r\n--x--\r\n'],
      ['', '{"url":"http://a.test/"}'],
    ])('answers 415 for a %s body', async (contentType, body) => {
      const before = await appEvents();
      const response = await fetch(`${tessera.baseUrl}/api/v1/apps`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, ...(contentType ? { 'content-type': contentType } : {}) },
        body: contentType ? body : new Blob([body]),
      });
      await expectError(response, 415, 'unsupported_media_type');
      expect(await appEvents()).toBe(before);
    });

    it('refuses a cookie-authenticated write without a good Origin or Referer (403 bad_origin); a header-authenticated one needs none', async () => {
      const before = await appEvents();
      const post = (headers: Record<string, string>, url: string) =>
        call(tessera.baseUrl, 'POST', '/api/v1/apps', { headers: { ...cookie(), ...headers }, body: { url } });
      await expectError(await post({}, 'http://x1.test/'), 403, 'bad_origin');
      await expectError(await post({ origin: 'http://evil.test' }, 'http://x2.test/'), 403, 'bad_origin');
      await expectError(await post({ origin: 'null' }, 'http://x3.test/'), 403, 'bad_origin');
      await expectError(await post({ referer: 'http://evil.test/page' }, 'http://x4.test/'), 403, 'bad_origin');
      // A registered app's origin is not a prefix match: viewer.test.evil.test is another site.
      await expectError(await post({ origin: 'http://viewer.test.evil.test' }, 'http://x5.test/'), 403, 'bad_origin');
      expect(await appEvents()).toBe(before);
      expect((await post({ origin: tessera.baseUrl }, 'http://ok1.test/')).status).toBe(201);
      expect((await post({ referer: `${tessera.baseUrl}/console/apps` }, 'http://ok2.test/')).status).toBe(201);
      expect((await post({ origin: 'http://viewer.test' }, 'http://ok3.test/')).status).toBe(201);
      const byHeader = await call(tessera.baseUrl, 'POST', '/api/v1/apps', { token: admin, body: { url: 'http://ok4.test/' } });
      expect(byHeader.status).toBe(201);
      expect(await appEvents()).toBe(before + 4);
      // Reads need no Origin, whatever authenticates them.
      expect((await call(tessera.baseUrl, 'GET', '/api/v1/me', { headers: cookie() })).status).toBe(200);
    });
  });

  describe('X-Tessera-Min-Revision (item 4)', () => {
    it('answers an unauthenticated request 401 at once, however far ahead the revision it names', async () => {
      const started = Date.now();
      const response = await call(tessera.baseUrl, 'GET', '/api/v1/me', { headers: { 'x-tessera-min-revision': '999999999999' } });
      await expectError(response, 401, 'no_token');
      expect(Date.now() - started).toBeLessThan(1_000);
      const badToken = await call(tessera.baseUrl, 'GET', '/api/v1/groups?minRevision=999999999999', { token: 'tsrp_' + 'x'.repeat(38) });
      await expectError(badToken, 401, 'invalid_token');
    });

    it('still waits, then answers 503 stale, for an authenticated caller', async () => {
      const response = await call(tessera.baseUrl, 'GET', '/api/v1/me', {
        token: admin,
        headers: { 'x-tessera-min-revision': '999999999999' },
      });
      await expectError(response, 503, 'stale');
    });
  });

  describe('framework errors in the contract body (item 23)', () => {
    it('answers a malformed percent-encoding in the path with 400 bad_request', async () => {
      await expectError(await call(tessera.baseUrl, 'GET', '/api/v1/users/%zz', { token: admin }), 400, 'bad_request');
    });

    it('answers an over-long path parameter with 414 uri_too_long', async () => {
      // DELETE: no catch-all route of that method (the console's GET /* would answer 404) takes it instead.
      await expectError(await call(tessera.baseUrl, 'DELETE', `/api/v1/users/${'a'.repeat(200)}`, { token: admin }), 414, 'uri_too_long');
    });

    it('answers headers too large with 431 and a NUL in a header with 400, both in the contract body', async () => {
      const raw = (head: string) =>
        new Promise<{ status: number; body: string }>((resolve, reject) => {
          const socket = connect(tessera.port, '127.0.0.1');
          let data = '';
          socket.on('data', (chunk: Buffer) => (data += chunk.toString('latin1')));
          socket.on('end', () => {
            const [status] = data.split('\r\n', 1);
            resolve({ status: Number(status.split(' ')[1]), body: data.slice(data.indexOf('\r\n\r\n') + 4) });
          });
          socket.on('error', reject);
          socket.write(head);
        });
      const big = await raw(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nx-big: ${'a'.repeat(40_000)}\r\nConnection: close\r\n\r\n`);
      expect(big.status).toBe(431);
      expect(JSON.parse(big.body)).toMatchObject({ statusCode: 431, error: 'headers_too_large', details: [] });
      const nul = await raw(`GET /api/v1/me HTTP/1.1\r\nHost: x\r\nx-bad: a\u0000b\r\nConnection: close\r\n\r\n`);
      expect(nul.status).toBe(400);
      expect(JSON.parse(nul.body)).toMatchObject({ statusCode: 400, error: 'bad_request', details: [] });
    });
  });

  describe('security headers (item 16)', () => {
    it('sends CSP, nosniff and frame-ancestors on the API, errors and HTML pages; no HSTS over http', async () => {
      for (const path of ['/api/v1/me', '/healthz', '/api/v1/no-such-thing', '/api/docs']) {
        const response = await fetch(`${tessera.baseUrl}${path}`);
        const csp = response.headers.get('content-security-policy') ?? '';
        expect({ path, nosniff: response.headers.get('x-content-type-options') }).toEqual({ path, nosniff: 'nosniff' });
        expect({ path, csp }).toEqual({ path, csp: expect.stringMatching(/frame-ancestors 'none'/) });
        expect({ path, frame: response.headers.get('x-frame-options') }).toEqual({ path, frame: 'DENY' });
        expect({ path, corp: response.headers.get('cross-origin-resource-policy') }).toEqual({ path, corp: 'same-origin' });
        expect(response.headers.get('strict-transport-security')).toBeNull();
      }
    });

    it('lets a JSON answer run and load nothing and be stored by no cache; an HTML page loads only its own scripts', async () => {
      for (const path of ['/api/v1/me', '/healthz', '/api/v1/no-such-thing']) {
        const response = await fetch(`${tessera.baseUrl}${path}`);
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect({ path, csp: response.headers.get('content-security-policy') }).toEqual({
          path,
          csp: "default-src 'none'; frame-ancestors 'none'",
        });
        expect({ path, cache: response.headers.get('cache-control') }).toEqual({ path, cache: 'no-store' });
      }
      const page = await fetch(`${tessera.baseUrl}/api/docs`);
      expect(page.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/script-src 'self'(;|$)/);
    });

    it("keeps Cross-Origin-Opener-Policy off the login's pages only, so a popup still reaches its opener", async () => {
      const coop = async (path: string) =>
        (await fetch(`${tessera.baseUrl}${path}`, { redirect: 'manual' })).headers.get('cross-origin-opener-policy');
      expect(await coop('/api/docs')).toBe('same-origin');
      expect(await coop('/')).toBe('same-origin');
      expect(await coop('/auth/login')).toBeNull();
      expect(await coop('/auth/callback')).toBeNull();
      expect(await coop('/auth/api/v1/authorize')).toBeNull();
    });
  });

  describe('served over https (items 14 and 16)', () => {
    let https: string;
    let admin2: string;

    beforeAll(async () => {
      const replica = await tessera.startReplica('gateway', { TESSERA_PUBLIC_URL: 'https://tessera.test', TESSERA_MIDDLE_AUTH: 'off' });
      https = replica.baseUrl!;
      await tessera.waitUntilReady(https);
      admin2 = admin;
    }, 60_000);

    it('sends HSTS on pages and JSON answers, and the login nonce cookie takes the __Host- prefix (Secure, Path=/)', async () => {
      const response = await call(https, 'GET', '/auth/login');
      expect(response.status).toBe(302);
      expect(response.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      const json = await call(https, 'GET', '/healthz');
      expect(json.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      const cookies = response.headers.getSetCookie();
      const nonce = cookies.find((cookie) => cookie.startsWith('__Host-tessera_login='));
      expect({ cookies, nonce }).toEqual({ cookies, nonce: expect.stringMatching(/; Path=\/;.*; Secure/) });
      expect(nonce).not.toMatch(/Domain=/i);
      expect(cookies.some((cookie) => cookie.startsWith('tessera_login='))).toBe(false);
    });

    it('with TESSERA_MIDDLE_AUTH=off, takes no token from the middle_auth_token cookie or query parameter', async () => {
      await expectError(await call(https, 'GET', '/api/v1/me', { headers: { cookie: `middle_auth_token=${admin2}` } }), 401, 'no_token');
      await expectError(await call(https, 'GET', `/api/v1/me?middle_auth_token=${admin2}`), 401, 'no_token');
      expect((await call(https, 'GET', '/api/v1/me', { headers: { cookie: `tessera_token=${admin2}` } })).status).toBe(200);
      // The default gateway still takes them (TESSERA_MIDDLE_AUTH=on).
      expect((await call(tessera.baseUrl, 'GET', `/api/v1/me?middle_auth_token=${admin2}`)).status).toBe(200);
    });

    it('with TESSERA_MIDDLE_AUTH=off, answers 404 on the middle_auth routes, user/cache included, before looking at the token', async () => {
      for (const path of ['/auth/api/v1/user/cache', '/auth/api/v1/username?id=1']) {
        const bearer = { headers: { authorization: `Bearer ${admin2}` } };
        const off = await expectError(await call(https, 'GET', path, bearer), 404, 'not_found');
        expect(off.message).toBe('the middle_auth routes are turned off (TESSERA_MIDDLE_AUTH)');
        await expectError(await call(https, 'GET', path), 404, 'not_found');
        // The default gateway answers them.
        expect((await call(tessera.baseUrl, 'GET', path, bearer)).status).toBe(200);
      }
    });
  });

  describe('OpenAPI document (item 24)', () => {
    it('marks optional query parameters optional and calls the bearer format what it is', async () => {
      const document = await json(await fetch(`${tessera.baseUrl}/api/docs-json`));
      // Paging and read-your-writes parameters are optional on every list; check's own are asserted below.
      const optional = ['limit', 'cursor', 'minRevision'];
      const wrong: string[] = [];
      for (const [path, operations] of Object.entries<Json>(document.paths))
        for (const [method, operation] of Object.entries<Json>(operations))
          for (const parameter of operation.parameters ?? [])
            if (parameter.in === 'query' && optional.includes(parameter.name) && parameter.required)
              wrong.push(`${method} ${path} ${parameter.name}`);
      expect(wrong).toEqual([]);
      const required = (path: string) =>
        Object.fromEntries(document.paths[path].get.parameters.map((parameter: Json) => [parameter.name, parameter.required ?? false]));
      expect(required('/api/v1/check')).toEqual({ permission: true, dataset: false, service: false, table: false });
      expect(required('/api/v1/me/datasets')).toMatchObject({ permission: false, limit: false, cursor: false });
      expect(Object.values<Json>(document.components.securitySchemes).map((scheme) => scheme.bearerFormat)).not.toContain('JWT');
    });
  });
});
