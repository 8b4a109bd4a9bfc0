import { SUBJECTS, TOKEN_INTERNAL_SUBJECTS } from '@tessera/contracts';
import { eventually, json, startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';

const ADMIN_KEY = 'replica-admin-key-0123456789';

describe('revocation across replicas (two gateways, two token apps)', () => {
  let tessera: TesseraUnderTest;
  let gatewayA: string;
  let gatewayB: string;
  let session: string;
  let adminToken: string;

  const call = (base: string, method: string, path: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  const outcome = async (response: Response): Promise<number | string> => (response.status === 200 ? 200 : (await json(response)).error);
  const mintOn = async (base: string): Promise<Json> => {
    const response = await call(base, 'POST', '/api/v1/tokens', session, { name: 'r', scopes: ['view', 'tokens'] });
    expect(response.status).toBe(201);
    return json(response);
  };
  /** Milliseconds until `base` refuses the token, polling every 2 ms for at most `limitMs`. */
  const refusedWithin = async (base: string, token: string, limitMs: number): Promise<number> => {
    const began = performance.now();
    while (performance.now() - began < limitMs) {
      if ((await outcome(await call(base, 'GET', '/api/v1/me', token))) === 'revoked_token') return performance.now() - began;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    return Infinity;
  };

  beforeAll(async () => {
    tessera = await startTessera({ env: { TESSERA_ADMIN_KEY: ADMIN_KEY } });
    gatewayA = tessera.baseUrl;
    const replica = await tessera.startReplica('gateway');
    gatewayB = replica.baseUrl!;
    await tessera.startReplica('token');
    await tessera.waitUntilReady(gatewayB);
    const admin = await json(
      await fetch(`${gatewayA}/api/v1/admin/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ adminKey: ADMIN_KEY }),
      }),
    );
    adminToken = admin.token;
    const user = await json(await call(gatewayA, 'POST', '/api/v1/users', admin.token, { name: 'carol' }));
    ({ token: session } = await tessera.client.request(TOKEN_INTERNAL_SUBJECTS.mintSession, { userId: user.id }));
  }, 180_000);
  afterAll(async () => {
    await tessera?.stop();
  });

  it('a token minted through one gateway works at once through the other', async () => {
    for (let n = 0; n < 10; n += 1) {
      const token = await mintOn(n % 2 === 0 ? gatewayA : gatewayB);
      expect(await outcome(await call(n % 2 === 0 ? gatewayB : gatewayA, 'GET', '/api/v1/me', token.token))).toBe(200);
    }
  });

  it('a revocation through one gateway is refused by the other: at once with the revision, within milliseconds without', async () => {
    const latencies: number[] = [];
    for (let n = 0; n < 20; n += 1) {
      const [here, there] = n % 2 === 0 ? [gatewayA, gatewayB] : [gatewayB, gatewayA];
      const token = await mintOn(here);
      expect(await outcome(await call(there, 'GET', '/api/v1/me', token.token))).toBe(200);
      const revoked = await call(here, 'DELETE', `/api/v1/tokens/${token.id}`, session);
      expect(revoked.status).toBe(204);
      const revision = revoked.headers.get('x-tessera-revision')!;
      if (n % 4 === 0) {
        expect(await outcome(await call(there, 'GET', '/api/v1/me', token.token, undefined, { 'x-tessera-min-revision': revision }))).toBe(
          'revoked_token',
        );
      } else {
        latencies.push(await refusedWithin(there, token.token, 1_000));
      }
      // The gateway that took the revocation refuses at once.
      expect(await outcome(await call(here, 'GET', '/api/v1/me', token.token))).toBe('revoked_token');
    }
    expect(Math.max(...latencies)).toBeLessThan(250);
  });

  it('both token replicas answer introspection of a revoked token with active:false', async () => {
    const token = await mintOn(gatewayA);
    expect((await tessera.client.request(SUBJECTS.tokenIntrospect, { token: token.token })).active).toBe(true);
    expect((await call(gatewayB, 'DELETE', `/api/v1/tokens/${token.id}`, session)).status).toBe(204);
    // Twenty requests spread over both replicas by the queue group, asked again until the one that did
    // not take the revocation has read it from the log.
    const answers = await eventually(
      () => Promise.all(Array.from({ length: 20 }, () => tessera.client.request(SUBJECTS.tokenIntrospect, { token: token.token }))),
      (all) => all.every((answer) => !answer.active),
    );
    expect(answers.map((answer) => answer.active)).toEqual(Array(20).fill(false));
  });

  it('answers 503 stale when asked for a revision no replica has reached', async () => {
    const response = await call(gatewayB, 'GET', '/api/v1/me', session, undefined, { 'x-tessera-min-revision': '999999999' });
    expect(response.status).toBe(503);
    expect((await json(response)).error).toBe('stale');
  });

  it('holds a user to 100 live personal tokens across both token replicas, and pages their list', async () => {
    const user = await json(await call(gatewayA, 'POST', '/api/v1/users', adminToken, { name: 'quota' }));
    const { token: own } = await tessera.client.request(TOKEN_INTERNAL_SUBJECTS.mintSession, { userId: user.id });
    const mint = (n: number, headers: Record<string, string> = {}) =>
      call(n % 2 === 0 ? gatewayA : gatewayB, 'POST', '/api/v1/tokens', own, { name: `q${n}`, scopes: ['view'] }, headers);
    for (let batch = 0; batch < 95; batch += 19) {
      const answers = await Promise.all(Array.from({ length: 19 }, (_, n) => mint(batch + n)));
      expect(answers.map((answer) => answer.status)).toEqual(Array(19).fill(201));
    }
    // Twenty at once through both gateways, so both token replicas decide: exactly five fit.
    const racing = await Promise.all(Array.from({ length: 20 }, (_, n) => mint(100 + n)));
    const outcomes = await Promise.all(racing.map(async (answer) => (answer.status === 201 ? 201 : (await json(answer)).error)));
    expect(outcomes.filter((outcome) => outcome === 201)).toHaveLength(5);
    expect(outcomes.filter((outcome) => outcome === 'too_many_tokens')).toHaveLength(15);
    const refused = await mint(200);
    expect(refused.status).toBe(409);
    expect(await json(refused)).toMatchObject({ statusCode: 409, error: 'too_many_tokens', message: expect.stringMatching(/at most 100/) });
    const minted = await tessera.db.pool.query(
      `SELECT count(*)::int AS n FROM event_store.events WHERE type = 'TokenMinted' AND data->>'ownerId' = $1 AND data->>'kind' = 'personal'`,
      [user.id],
    );
    expect(minted.rows[0].n).toBe(100);

    // The list pages: 101 live tokens (the session too) in pages of 40, each once, newest first.
    const seen: Json[] = [];
    let cursor: string | null = '';
    for (let page = 0; cursor !== null; page += 1) {
      const query: string = `?limit=40${cursor ? `&cursor=${cursor}` : ''}`;
      const listed: Json = await json(await call(page % 2 === 0 ? gatewayA : gatewayB, 'GET', `/api/v1/tokens${query}`, own));
      expect(listed.items.length).toBe(page < 2 ? 40 : 21);
      seen.push(...listed.items);
      cursor = listed.nextCursor;
    }
    expect(new Set(seen.map((item) => item.id)).size).toBe(101);
    const created = seen.map((item) => Date.parse(item.createdAt));
    expect(created).toEqual([...created].sort((a, b) => b - a));
    const bad = await call(gatewayA, 'GET', '/api/v1/tokens?cursor=bm90LWEtY3Vyc29y', own);
    expect(bad.status).toBe(400);
    expect((await json(bad)).details).toEqual([expect.objectContaining({ field: 'cursor' })]);

    // Revoking one frees its place.
    const first = seen.find((item) => item.kind === 'personal');
    const revoked = await call(gatewayB, 'DELETE', `/api/v1/tokens/${first.id}`, own);
    expect(revoked.status).toBe(204);
    expect((await mint(201, { 'x-tessera-min-revision': revoked.headers.get('x-tessera-revision')! })).status).toBe(201);
  });
});
