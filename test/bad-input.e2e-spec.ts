import fc from 'fast-check';
import { TOKEN_INTERNAL_SUBJECTS } from '@tessera/contracts';
import { requestJson } from '@tessera/messaging';
import { callApi, json, startTessera, type ApiCall, type Json, type TesseraUnderTest } from '@tessera/testing';

const ADMIN_KEY = 'bad-input-admin-key-0123456789';

/**
 * Bad input gets a 4xx in the contract's body, never a 5xx (CONTRACT section 2; DESIGN: "bad input
 * gets a clear 4xx with the field named; nothing is half-applied"). First the cases a fuzz run
 * found, one by one; then a property-based fuzz of every operation of the OpenAPI document.
 */
describe('bad input: a 4xx naming the field, never a server error', () => {
  let tessera: TesseraUnderTest;
  let admin: string;
  let user: { id: string; session: string };
  let datasetId: string;

  const call = (method: string, path: string, init: ApiCall = {}) => callApi(tessera.baseUrl, method, path, init);
  const expectError = async (response: Response, status: number, code: string, field?: string): Promise<Json> => {
    const body = await json(response);
    expect({ status: response.status, code: body.error }).toEqual({ status, code });
    expect(body).toMatchObject({ statusCode: status, error: code, message: expect.any(String), details: expect.any(Array) });
    if (field) expect(body.details.map((detail: Json) => detail.field)).toContain(field);
    return body;
  };
  const eventCount = async (type: string) =>
    (await tessera.db.pool.query('SELECT count(*)::int AS n FROM event_store.events WHERE type = $1', [type])).rows[0].n;

  beforeAll(async () => {
    tessera = await startTessera({ env: { TESSERA_ADMIN_KEY: ADMIN_KEY, TESSERA_ADMIN_TOKEN_TTL: '3600' } });
    admin = (await json(await call('POST', '/api/v1/admin/tokens', { body: { adminKey: ADMIN_KEY } }))).token;
    const created = await json(
      await call('POST', '/api/v1/users', { token: admin, body: { name: 'ursula', email: 'ursula@example.org' } }),
    );
    const { token } = await requestJson<{ token: string }>(tessera.nats, TOKEN_INTERNAL_SUBJECTS.mintSession, { userId: created.id });
    user = { id: created.id, session: token };
    datasetId = (await json(await call('POST', '/api/v1/datasets', { token: admin, body: { name: 'minnie' } }))).id;
    expect(datasetId).toEqual(expect.any(String));
  }, 120_000);
  afterAll(async () => {
    await tessera?.stop();
  });

  describe('JSON nested 3,000 levels (item 17)', () => {
    const deep = '{"a":'.repeat(3_000) + '1' + '}'.repeat(3_000);

    it.each([
      ['/api/v1/tokens/revoke', undefined],
      ['/auth/token', undefined],
      ['/api/v1/admin/tokens', undefined],
      ['/api/v1/tokens/exchange', undefined],
      ['/api/v1/users', 'admin'],
      ['/api/v1/groups', 'admin'],
      ['/api/v1/tokens', 'user'],
    ])('POST %s (%s) answers 400 bad_request', async (path, who) => {
      const token = who === 'admin' ? admin : who === 'user' ? user.session : undefined;
      const body = await expectError(await call('POST', path, { token, body: deep }), 400, 'bad_request');
      expect(body.message).toMatch(/nest deeper than 32 levels/);
    });
  });

  describe('NUL characters and lone surrogates (item 18)', () => {
    it.each([
      ['POST', '/api/v1/users', { name: 'nul\u0000name' }, 'name'],
      ['POST', '/api/v1/users', { name: 'ok', email: '\ud800@example.org' }, 'email'],
      ['POST', '/api/v1/datasets', { name: '\ud800' }, 'name'],
      ['POST', '/api/v1/datasets', { name: 'fine', description: 'a\u0000b' }, 'description'],
      ['POST', '/api/v1/groups', { name: 'g\u0000' }, 'name'],
      ['POST', '/api/v1/affiliations', { name: 'x', contactName: '\udfff' }, 'contactName'],
      ['POST', '/api/v1/affiliations', { name: 'x', contactEmail: 'a\u0000@example.org' }, 'contactEmail'],
      ['POST', '/api/v1/permissions', { name: 'p\u0000' }, 'name'],
      ['POST', '/api/v1/service-accounts', { name: 'svc', scopes: ['view\u0000'] }, 'scopes.0'],
    ])('%s %s %j answers 400 naming %s, and writes nothing', async (method, path, body, field) => {
      const before = (await tessera.db.pool.query('SELECT count(*)::int AS n FROM event_store.events')).rows[0].n;
      await expectError(await call(method, path, { token: admin, body }), 400, 'bad_request', field);
      expect((await tessera.db.pool.query('SELECT count(*)::int AS n FROM event_store.events')).rows[0].n).toBe(before);
    });

    it('refuses them in token names and in the names of objects a key carries', async () => {
      await expectError(
        await call('POST', '/api/v1/tokens', { token: user.session, body: { name: '\u0000', scopes: ['view'] } }),
        400,
        'bad_request',
        'name',
      );
      await expectError(await call('POST', '/api/v1/users', { token: admin, body: '{"name":"x","\\u0000":1}' }), 400, 'bad_request');
    });

    it('authenticates first: without a token the answer is 401, whatever the body holds', async () => {
      await expectError(await call('POST', '/api/v1/users', { body: { name: 'nul\u0000' } }), 401, 'no_token');
    });
  });

  describe('query and path parameters (item 19)', () => {
    it.each(['type', 'streamId', 'actor', 'user', 'dataset'])('GET /api/v1/audit/events?%s=%00 answers 400 naming it', async (name) => {
      await expectError(await call('GET', `/api/v1/audit/events?${name}=%00`, { token: admin }), 400, 'bad_request', name);
    });

    it('refuses a NUL in a path parameter that is not a UUID', async () => {
      await expectError(await call('GET', '/api/v1/servicetables/svc%00/table', { token: admin }), 400, 'bad_request', 'service');
    });
  });

  describe('null where a value is required (item 20)', () => {
    it('PATCH /api/v1/datasets/:id {"name":null} answers 400 naming name', async () => {
      await expectError(
        await call('PATCH', `/api/v1/datasets/${datasetId}`, { token: admin, body: { name: null } }),
        400,
        'bad_request',
        'name',
      );
    });

    it('PATCH /api/v1/users/:id {"name":null} answers 400, and no UserUpdated event is written', async () => {
      const before = await eventCount('UserUpdated');
      await expectError(
        await call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { name: null } }),
        400,
        'bad_request',
        'name',
      );
      await expectError(
        await call('PATCH', `/api/v1/users/${user.id}`, { token: admin, body: { admin: null } }),
        400,
        'bad_request',
        'admin',
      );
      expect(await eventCount('UserUpdated')).toBe(before);
      expect(await json(await call('GET', `/api/v1/users/${user.id}`, { token: admin }))).toMatchObject({ name: 'ursula' });
    });
  });

  describe('exchange with a token no provider could have issued (item 21)', () => {
    it.each([
      ['CR/LF', 'leak-me-part-one\r\nX-Injected: leak-me-part-two'],
      ['a control character', 'leak-me-before\u0007leak-me-after'],
      ['non-Latin-1', 'токен-κλειδί-leak-me'],
    ])('answers 401 invalid_token for %s, without Retry-After, and logs no part of it', async (_label, token) => {
      const response = await call('POST', '/api/v1/tokens/exchange', { body: { auth_token: token } });
      await expectError(response, 401, 'invalid_token');
      expect(response.headers.get('retry-after')).toBeNull();
      const logs = tessera.apps.map((app) => app.output()).join('\n');
      expect(logs).not.toContain('leak-me');
      expect(logs).not.toContain('токен');
    });
  });

  describe('a property-based fuzz of every operation of the OpenAPI document', () => {
    it('answers every malformed request with a 4xx in the contract body (or a success), never a 5xx', async () => {
      const document = await json(await call('GET', '/api/docs-json'));
      const operations = Object.entries<Json>(document.paths).flatMap(([path, methods]) =>
        Object.entries<Json>(methods)
          // /readyz answers 503 by design when an app lags; a replay job is real work, not input handling.
          .filter(([method]) => path !== '/readyz' && !(path === '/api/v1/audit/replay' && method === 'post'))
          .map(([method, operation]) => ({ path, method: method.toUpperCase(), operation })),
      );
      expect(operations.length).toBeGreaterThan(60);

      const text = fc.oneof(
        fc.string(),
        fc.string({ unit: 'grapheme', maxLength: 20 }),
        fc.constantFrom('', '\u0000', '\ud800', 'a'.repeat(300), '%zz', '../..', '9'.repeat(40), "' OR 1=1 --", '<script>'),
        fc.uuid(),
      );
      const deepJson = fc.integer({ min: 30, max: 4_000 }).map((depth) => '['.repeat(depth) + ']'.repeat(depth));
      const bodyFor = (operation: Json) => {
        const schemaRef: string | undefined = operation.requestBody?.content?.['application/json']?.schema?.$ref;
        const schema = schemaRef ? document.components.schemas[schemaRef.split('/').pop()!] : undefined;
        const fields = Object.keys(schema?.properties ?? {});
        const shaped = fields.length
          ? fc.dictionary(fc.constantFrom(...fields, 'unknown_field'), fc.oneof(text, fc.jsonValue({ maxDepth: 3 }), fc.constant(null)), {
              maxKeys: fields.length + 1,
            })
          : fc.jsonValue({ maxDepth: 3 });
        return fc.oneof(
          shaped.map((value) => JSON.stringify(value)),
          fc.jsonValue({ maxDepth: 4 }).map((value) => JSON.stringify(value)),
          deepJson,
          fc.constantFrom('', '{', 'null', '"\\u0000"', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"a":1}}}'),
        );
      };
      const token = fc.constantFrom<'admin' | 'user' | 'cookie' | 'none' | 'malformed' | 'garbage' | 'basic' | 'scheme'>(
        'admin',
        'user',
        'cookie',
        'none',
        'malformed',
        'garbage',
        'basic',
        'scheme',
      );
      // Header values fetch can send (visible ASCII and spaces), malformed for what Tessera reads from them.
      const headerText = fc.oneof(
        fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength: 40 }),
        fc.constantFrom('', '-1', '1e309', '99999999999999999999999', '0x10', 'null', ' ', 'https://evil.example', 'null; tessera_token=x'),
      );
      const headers = fc.record(
        {
          'x-tessera-min-revision': headerText,
          origin: headerText,
          referer: headerText,
          cookie: headerText.map((value) => `tessera_token=${value}`),
          'x-forwarded-for': headerText,
          accept: headerText,
        },
        { requiredKeys: [] },
      );
      const request = fc.constantFrom(...operations).chain(({ path, method, operation }) =>
        fc.record({
          path: fc.constant(path),
          method: fc.constant(method),
          params: fc.array(text, { minLength: 4, maxLength: 4 }),
          query: fc.dictionary(
            fc.constantFrom(
              ...(operation.parameters ?? [])
                .filter((parameter: Json) => parameter.in === 'query')
                .map((parameter: Json) => parameter.name),
              'limit',
              'cursor',
              'unknown',
            ),
            text,
            { maxKeys: 4 },
          ),
          body: method === 'GET' || method === 'DELETE' ? fc.constant(undefined) : fc.option(bodyFor(operation), { nil: undefined }),
          contentType: fc.constantFrom(
            'application/json',
            'application/json',
            'application/json',
            'text/plain',
            'application/x-www-form-urlencoded',
          ),
          token,
          headers,
        }),
      );

      const seen = new Map<number, number>();
      await fc.assert(
        fc.asyncProperty(request, async (input) => {
          let index = 0;
          const path = input.path.replace(/\{[^}]+\}/g, () => {
            const value = input.params[index++];
            return value === '%zz' ? value : /\p{Cs}/u.test(value) ? '%ED%A0%80' : encodeURIComponent(value);
          });
          const query = new URLSearchParams(input.query).toString();
          // Logging out with the fuzz's own tokens would leave the rest of the run unauthenticated.
          const logout = input.path.startsWith('/auth/logout');
          const tokens: Record<string, string> = { admin, user: user.session, malformed: 'tsrp_' + 'x'.repeat(38) };
          const bearer = logout ? undefined : tokens[input.token];
          const headers: Record<string, string> = { ...input.headers };
          if (bearer) headers.authorization = `Bearer ${bearer}`;
          if (input.token === 'garbage') headers.authorization = 'Bearer ' + 'ü'.repeat(5);
          if (input.token === 'basic') headers.authorization = 'Basic dXNlcjpwYXNz';
          if (input.token === 'scheme') headers.authorization = 'Bearer';
          // The session as the browser sends it, so unsafe methods meet the Origin check.
          if (input.token === 'cookie' && !logout) headers.cookie = `tessera_token=${user.session}`;
          if (input.body !== undefined) headers['content-type'] = input.contentType;
          const response = await fetch(`${tessera.baseUrl}${path}${query ? `?${query}` : ''}`, {
            method: input.method,
            headers,
            body: input.body,
            redirect: 'manual',
          }).catch((error: Error) => ({ status: 0, error }) as const);
          if ('error' in response) throw new Error(`${input.method} ${path}: no answer (${response.error.message})`);
          seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
          const body = await response.text();
          // A revision beyond the log's head is 503 stale by the contract (section 2), not a server error.
          const stale = response.status === 503 && 'x-tessera-min-revision' in input.headers && JSON.parse(body).error === 'stale';
          if (response.status >= 500 && !stale) throw new Error(`${input.method} ${path}?${query} → ${response.status} ${body}`);
          if (response.status >= 400) {
            const parsed = JSON.parse(body);
            if (
              typeof parsed.error !== 'string' ||
              !/^[a-z_]+$/.test(parsed.error) ||
              parsed.statusCode !== response.status ||
              typeof parsed.message !== 'string' ||
              !Array.isArray(parsed.details)
            )
              throw new Error(`${input.method} ${path} → ${response.status} not in the contract body: ${body}`);
            if (response.status === 401 && !response.headers.get('www-authenticate')?.startsWith('Bearer realm='))
              throw new Error(`${input.method} ${path} → 401 without WWW-Authenticate`);
          }
        }),
        { numRuns: 1500, interruptAfterTimeLimit: 55_000, markInterruptAsFailure: false },
      );
      // Enough requests within the time bound, and they reached handlers: some succeeded, some were refused.
      expect([...seen.values()].reduce((sum, count) => sum + count, 0)).toBeGreaterThanOrEqual(300);
      expect([...seen.keys()].some((status) => status < 300)).toBe(true);
      expect([...seen.keys()].some((status) => status >= 400)).toBe(true);
    }, 150_000);
  });
});
