import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { json, startTessera, type TesseraUnderTest } from '@tessera/testing';
import { startApp } from '../libs/testing/src/app-process';

const CLIENT_ID = 'tessera-client';
const CLIENT_SECRET = 'tessera-client-secret';
const GOOD_TOKEN = 'provider-token-of-zoe';
/** Active at the provider, but issued to another client: a third-party site's token for the same user. */
const FOREIGN_TOKEN = 'provider-token-of-zoe-for-another-site';

/** A generic upstream provider with RFC 7662 introspection, served by the test itself. */
function fakeProvider(): { server: Server; introspections: string[]; failWith: { status?: number } } {
  const introspections: string[] = [];
  const failWith: { status?: number } = {};
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url !== '/introspect' || req.method !== 'POST') {
        res.writeHead(404).end();
        return;
      }
      if (failWith.status) {
        res.writeHead(failWith.status).end();
        return;
      }
      const basic = Buffer.from(`${CLIENT_ID}:${CLIENT_SECRET}`).toString('base64');
      if (req.headers.authorization !== `Basic ${basic}`) {
        res.writeHead(401).end();
        return;
      }
      const token = new URLSearchParams(body).get('token') ?? '';
      introspections.push(token);
      const zoe = { active: true, sub: 'u-42', username: 'zoe', email: 'zoe@example.org', exp: Math.floor(Date.now() / 1000) + 600 };
      const answer =
        token === GOOD_TOKEN
          ? { ...zoe, client_id: CLIENT_ID }
          : token === FOREIGN_TOKEN
            ? { ...zoe, client_id: 'another-site', aud: ['another-site'] }
            : { active: false };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
    });
  });
  return { server, introspections, failWith };
}

describe('a configured (generic) identity provider with RFC 7662 introspection', () => {
  let tessera: TesseraUnderTest;
  let provider: ReturnType<typeof fakeProvider>;
  let providerUrl: string;

  const exchange = (authToken: unknown) =>
    fetch(`${tessera.baseUrl}/api/v1/tokens/exchange`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ auth_token: authToken }),
    });

  beforeAll(async () => {
    provider = fakeProvider();
    await new Promise<void>((resolve) => provider.server.listen(0, '127.0.0.1', resolve));
    providerUrl = `http://127.0.0.1:${(provider.server.address() as AddressInfo).port}`;
    tessera = await startTessera({
      env: {
        OAUTH2_PROVIDER: 'generic',
        OAUTH2_AUTHORIZATION_URL: `${providerUrl}/authorize`,
        OAUTH2_TOKEN_URL: `${providerUrl}/token`,
        OAUTH2_INTROSPECTION_URL: `${providerUrl}/introspect`,
        OAUTH2_CLIENT_ID: CLIENT_ID,
        OAUTH2_CLIENT_SECRET: CLIENT_SECRET,
        OAUTH2_ISSUER: 'https://idp.example.org',
        OAUTH2_SCOPE: 'openid email',
      },
    });
  }, 120_000);

  afterAll(async () => {
    await tessera?.stop();
    provider?.server.close();
  });

  it('exchanges a token the provider says is active for a Tessera token; the same subject twice is one user', async () => {
    const first = await exchange(GOOD_TOKEN);
    expect(first.status).toBe(201);
    const body = await json(first);
    expect(body).toMatchObject({
      token: expect.stringMatching(/^tsrs_/),
      expiresAt: expect.any(String),
      user: { name: 'zoe', email: 'zoe@example.org' },
    });
    expect(provider.introspections).toContain(GOOD_TOKEN);
    const me = await json(await fetch(`${tessera.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${body.token}` } }));
    expect(me).toMatchObject({ id: body.user.id, name: 'zoe' });
    expect((await json(await exchange(GOOD_TOKEN))).user.id).toBe(body.user.id);
  });

  it('refuses a token the provider says is inactive (401), and asks the provider only once within a minute', async () => {
    const response = await exchange('revoked-at-the-provider');
    expect(response.status).toBe(401);
    expect((await json(response)).error).toBe('invalid_token');
    const again = await exchange('revoked-at-the-provider');
    expect(again.status).toBe(401);
    expect(provider.introspections.filter((token) => token === 'revoked-at-the-provider')).toHaveLength(1);
  });

  it('refuses an active token the provider issued to another client (401), and creates no user', async () => {
    const users = async () =>
      (await tessera.db.pool.query("SELECT count(*)::int AS n FROM event_store.events WHERE type = 'UserRegistered'")).rows[0].n;
    const before = await users();
    const response = await exchange(FOREIGN_TOKEN);
    expect(response.status).toBe(401);
    expect((await json(response)).error).toBe('invalid_token');
    expect(await users()).toBe(before);
  });

  it('answers 503 when the provider fails or cannot be reached', async () => {
    provider.failWith.status = 502;
    const failing = await exchange(GOOD_TOKEN);
    expect(failing.status).toBe(503);
    expect((await json(failing)).error).toBe('unavailable');
    provider.failWith.status = undefined;
    await new Promise((resolve) => provider.server.close(resolve));
    const unreachable = await exchange(GOOD_TOKEN);
    expect(unreachable.status).toBe(503);
    expect((await json(unreachable)).error).toBe('unavailable');
    expect(unreachable.headers.get('retry-after')).toMatch(/^\d+$/);
  });

  it('sends the browser to the configured provider with PKCE S256 and state', async () => {
    const response = await fetch(`${tessera.baseUrl}/auth/login`, { redirect: 'manual' });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(`${location.origin}${location.pathname}`).toBe(`${providerUrl}/authorize`);
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: CLIENT_ID,
      response_type: 'code',
      scope: 'openid email',
      code_challenge_method: 'S256',
      redirect_uri: `${tessera.baseUrl}/auth/callback`,
    });
    expect(location.searchParams.get('state')).toBeTruthy();
    expect(location.searchParams.has('client_secret')).toBe(false);
  });

  it('the dev provider is refused under NODE_ENV=production', async () => {
    const env = {
      ...tessera.env,
      NODE_ENV: 'production',
      TESSERA_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
      OAUTH2_PROVIDER: 'dev',
    };
    await expect(startApp('identity', env, 20_000)).rejects.toThrow(/development identity provider is refused under NODE_ENV=production/);
  });
});
