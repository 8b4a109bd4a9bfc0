import { SUBJECTS, type ReplyOf } from '@tessera/contracts';
import { requestJson } from '@tessera/messaging';
import { eventually, json, ROOT, startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';
import { keyIdOf } from '../apps/identity/src/credentials/credential-cipher';

const ADMIN_KEY = 'test-admin-key-login-0123456789';
const APP = 'http://viewer.test/app';
const KEY_A = Buffer.alloc(32, 1).toString('base64');
const KEY_B = Buffer.alloc(32, 2).toString('base64');
/** The dev provider's access tokens live 30 s here: always inside the 60 s refresh window. */
const PROVIDER_TOKEN_TTL = 30;

/** A browser: a cookie jar per host name (cookies ignore the port), redirects followed by hand so each hop can be checked. */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async get(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url);
    const jar = this.jars.get(target.hostname) ?? new Map<string, string>();
    this.jars.set(target.hostname, jar);
    const cookie = [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
    const response = await fetch(url, { ...init, redirect: 'manual', headers: { ...(init.headers ?? {}), ...(cookie ? { cookie } : {}) } });
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      if (value === '' || attributes.some((attribute) => attribute.trim().toLowerCase() === 'max-age=0')) jar.delete(name);
      else jar.set(name, value);
    }
    return response;
  }

  cookie(host: string, name: string): string | undefined {
    return this.jars.get(host)?.get(name);
  }

  setCookie(host: string, name: string, value: string): void {
    const jar = this.jars.get(host) ?? new Map<string, string>();
    jar.set(name, value);
    this.jars.set(host, jar);
  }

  /** Follows 302s from `url` until one leaves for `stopAt`; returns that location and every hop. */
  async follow(url: string, stopAt: string): Promise<{ location: string; hops: Response[] }> {
    const hops: Response[] = [];
    let next = url;
    for (let hop = 0; hop < 10; hop++) {
      const response = await this.get(next);
      hops.push(response);
      const location = response.headers.get('location');
      if (response.status !== 302 || !location) return { location: '', hops };
      next = new URL(location, next).href;
      if (next.startsWith(stopAt)) return { location: next, hops };
    }
    throw new Error('too many redirects');
  }
}

describe('login with the dev identity provider (CONTRACT section 4)', () => {
  let tessera: TesseraUnderTest;
  let admin: string;
  let appId: string;

  const url = (path: string) => `${tessera.baseUrl}${path}`;
  const host = () => new URL(tessera.baseUrl).hostname;
  const call = (method: string, path: string, token?: string, body?: unknown) =>
    fetch(url(path), {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  const expectError = async (response: Response, status: number, code: string): Promise<Json> => {
    const body = await json(response);
    expect({ status: response.status, code: body.error }).toEqual({ status, code });
    return body;
  };

  /** The whole redirect flow: /auth/login → provider → /auth/callback → the app with ?code=. */
  const logIn = async (browser: Browser, login: string, redirect = `${APP}/after-login`) => {
    const start = url(`/auth/login?redirect=${encodeURIComponent(redirect)}&login_hint=${login}`);
    const { location, hops } = await browser.follow(start, redirect);
    expect(location).not.toBe('');
    const code = new URL(location).searchParams.get('code')!;
    return { code, hops, location };
  };

  beforeAll(async () => {
    tessera = await startTessera({
      env: {
        TESSERA_ADMIN_KEY: ADMIN_KEY,
        OAUTH2_DEV_TOKEN_TTL: String(PROVIDER_TOKEN_TTL),
        OAUTH2_EXCHANGE_AUDIENCES: 'partner-app',
        // The apps seal under KEY_A and can open what KEY_B sealed: the state halfway through a rotation.
        TESSERA_ENCRYPTION_KEY: KEY_A,
        TESSERA_PREVIOUS_ENCRYPTION_KEYS: KEY_B,
      },
    });
    const response = await call('POST', '/api/v1/admin/tokens', undefined, { adminKey: ADMIN_KEY });
    admin = (await json(response)).token;
    const app = await call('POST', '/api/v1/apps', admin, { url: APP });
    expect(app.status).toBe(201);
    appId = (await json(app)).id;
  }, 120_000);

  afterAll(async () => {
    await tessera?.stop();
  });

  it('trusted apps: anyone lists, only a super admin adds or removes, duplicates conflict, bad URLs are 400', async () => {
    const list = await json(await call('GET', '/api/v1/apps'));
    expect(list.items).toEqual([expect.objectContaining({ id: appId, url: APP })]);
    await expectError(await call('POST', '/api/v1/apps', admin, { url: APP }), 409, 'conflict');
    await expectError(await call('POST', '/api/v1/apps', admin, { url: 'javascript:alert(1)' }), 400, 'bad_request');
    await expectError(await call('POST', '/api/v1/apps', admin, { url: 'http://x.test', extra: 1 }), 400, 'bad_request');
    await expectError(await call('POST', '/api/v1/apps', undefined, { url: 'http://other.test' }), 401, 'no_token');
    const other = await json(await call('POST', '/api/v1/apps', admin, { url: 'http://other.test/' }));
    const removed = await call('DELETE', `/api/v1/apps/${other.id}`, admin);
    expect(removed.status).toBe(204);
    expect((await json(await call('GET', '/api/v1/apps'))).items.map((item: Json) => item.url)).toEqual([APP]);
    await expectError(await call('DELETE', `/api/v1/apps/${other.id}`, admin), 404, 'not_found');
  });

  it('logs a person in through the provider: state + PKCE S256, HttpOnly cookie, one-time code for the app', async () => {
    const browser = new Browser();
    const { code, hops } = await logIn(browser, 'alice');
    const toProvider = new URL(hops[0].headers.get('location')!);
    expect(toProvider.searchParams.get('code_challenge_method')).toBe('S256');
    expect(toProvider.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(toProvider.searchParams.get('state')).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(toProvider.searchParams.get('redirect_uri')).toBe(url('/auth/callback'));
    const callback = hops[hops.length - 1];
    const sessionCookie = callback.headers.getSetCookie().find((line) => line.startsWith('tessera_token='))!;
    expect(sessionCookie).toMatch(/HttpOnly/);
    expect(sessionCookie).toMatch(/SameSite=Lax/);
    expect(sessionCookie).not.toMatch(/Secure/);

    // The cookie alone is a session: /api/v1/me through it.
    const cookieToken = browser.cookie(host(), 'tessera_token')!;
    expect(cookieToken).toMatch(/^tsrs_/);
    const me = await json(await browser.get(url('/api/v1/me')));
    expect(me).toMatchObject({ name: 'alice', email: 'alice@dev.tessera.invalid', admin: false });

    // The app trades the code, once, for its own session token.
    const traded = await call('POST', '/auth/token', undefined, { code, redirect: `${APP}/after-login` });
    expect(traded.status).toBe(200);
    const { token, expiresAt } = await json(traded);
    expect(token).toMatch(/^tsrs_/);
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    expect(await json(await call('GET', '/api/v1/me', token))).toMatchObject({ id: me.id });
    await expectError(await call('POST', '/auth/token', undefined, { code, redirect: `${APP}/after-login` }), 400, 'bad_request');
  });

  it('a code is bound to its redirect; a made-up code is refused', async () => {
    const { code } = await logIn(new Browser(), 'bob');
    await expectError(await call('POST', '/auth/token', undefined, { code, redirect: `${APP}/elsewhere` }), 400, 'bad_request');
    // The mismatch burnt it: the right redirect no longer helps.
    await expectError(await call('POST', '/auth/token', undefined, { code, redirect: `${APP}/after-login` }), 400, 'bad_request');
    await expectError(
      await call('POST', '/auth/token', undefined, { code: 'made-up', redirect: `${APP}/after-login` }),
      400,
      'bad_request',
    );
  });

  it('the same person logging in twice is one user; another person is another', async () => {
    const first = new Browser();
    await logIn(first, 'carol');
    const second = new Browser();
    await logIn(second, 'carol');
    const dave = new Browser();
    await logIn(dave, 'dave');
    const one = await json(await first.get(url('/api/v1/me')));
    const two = await json(await second.get(url('/api/v1/me')));
    const three = await json(await dave.get(url('/api/v1/me')));
    expect(two.id).toBe(one.id);
    expect(three.id).not.toBe(one.id);
    const users = await json(await call('GET', '/api/v1/users?limit=500', admin));
    expect(users.items.filter((user: Json) => user.name === 'carol')).toHaveLength(1);
  });

  it('a user registered without an identity (as an import leaves one) is found at its first login by the verified e-mail, linked once, in the log', async () => {
    const registered = await call('POST', '/api/v1/users', admin, { name: 'Erin (imported)', email: 'Erin@dev.tessera.invalid' });
    expect(registered.status).toBe(201);
    const erin = await json(registered);
    const first = new Browser();
    await logIn(first, 'erin');
    const me = await json(await first.get(url('/api/v1/me')));
    expect(me).toMatchObject({ id: erin.id, name: 'Erin (imported)' });
    const second = new Browser();
    await logIn(second, 'erin');
    expect((await json(await second.get(url('/api/v1/me')))).id).toBe(erin.id);
    const users = await json(await call('GET', '/api/v1/users?limit=500', admin));
    expect(users.items.filter((user: Json) => user.email?.toLowerCase() === 'erin@dev.tessera.invalid')).toHaveLength(1);
    const { rows } = await tessera.db.pool.query(
      `SELECT type, data->>'subject' AS subject, metadata->>'actor' AS actor FROM event_store.events WHERE stream_id = $1 ORDER BY position`,
      [`user-${erin.id}`],
    );
    expect(rows).toEqual([
      { type: 'UserRegistered', subject: null, actor: expect.stringMatching(/^admin-token:/) },
      { type: 'ExternalIdentityLinked', subject: 'erin', actor: expect.stringMatching(/^login:/) },
    ]);
  });

  it('a deactivated user without an identity is not claimed by its e-mail: the login is refused, no account is made', async () => {
    const registered = await json(await call('POST', '/api/v1/users', admin, { name: 'Fay', email: 'fay@dev.tessera.invalid' }));
    expect((await call('DELETE', `/api/v1/users/${registered.id}`, admin)).status).toBe(204);
    const browser = new Browser();
    const start = url(`/auth/login?redirect=${encodeURIComponent(`${APP}/x`)}&login_hint=fay`);
    const { hops } = await browser.follow(start, `${APP}/x`);
    expect(hops[hops.length - 1].status).toBe(401);
    expect(browser.cookie(host(), 'tessera_token')).toBeUndefined();
    const users = await json(await call('GET', '/api/v1/users?limit=500', admin));
    expect(users.items.filter((user: Json) => user.email === 'fay@dev.tessera.invalid').map((user: Json) => user.id)).toEqual([
      registered.id,
    ]);
  });

  it('refuses an untrusted redirect before going anywhere', async () => {
    for (const redirect of [
      'http://evil.test/app',
      'http://viewer.test/application',
      'http://viewer.test.evil.test/app',
      '//evil.test/app',
    ]) {
      const response = await fetch(url(`/auth/login?redirect=${encodeURIComponent(redirect)}`), { redirect: 'manual' });
      const body = await expectError(response, 400, 'untrusted_redirect');
      expect(body.details[0].field).toBe('redirect');
    }
  });

  it('without a redirect, a login ends on the console at / with the cookie that /api/v1/me takes (the newcomer path)', async () => {
    const browser = new Browser();
    const { location } = await browser.follow(url('/auth/login?login_hint=newcomer'), url('/?code='));
    expect(location).toMatch(new RegExp(`^${url('/')}\\?code=`));
    expect(await json(await browser.get(url('/api/v1/me')))).toMatchObject({ name: 'newcomer' });
  });

  it("takes the console's own pages as redirects without registering them: a path, or TESSERA_PUBLIC_URL itself", async () => {
    const browser = new Browser();
    const fromPath = await browser.follow(
      url(`/auth/login?redirect=${encodeURIComponent('/tokens?tab=1')}&login_hint=consolee`),
      url('/tokens'),
    );
    expect(fromPath.location).toMatch(new RegExp(`^${url('/tokens')}\\?tab=1&code=`));
    const bare = await browser.get(url(`/auth/login?redirect=${encodeURIComponent(tessera.baseUrl)}`));
    expect(bare.status).toBe(302);
    // Scheme-relative and backslash paths name other hosts: still refused.
    for (const redirect of ['//evil.test/x', '/\\evil.test/x', `${tessera.baseUrl}.evil.test/`]) {
      await expectError(await browser.get(url(`/auth/login?redirect=${encodeURIComponent(redirect)}`)), 400, 'untrusted_redirect');
    }
  });

  it('refuses a forged, missing, replayed or foreign state', async () => {
    const browser = new Browser();
    const begin = await browser.get(url(`/auth/login?redirect=${encodeURIComponent(`${APP}/x`)}&login_hint=erin`));
    const toProvider = await browser.get(begin.headers.get('location')!);
    const callbackUrl = toProvider.headers.get('location')!;
    const callback = new URL(callbackUrl);

    // Forged state.
    const forged = new URL(callbackUrl);
    forged.searchParams.set('state', 'forged-state-forged-state-forged-state-forged');
    await expectError(await browser.get(forged.href), 400, 'bad_request');
    // Missing state.
    const missing = new URL(callbackUrl);
    missing.searchParams.delete('state');
    await expectError(await browser.get(missing.href), 400, 'bad_request');
    // Another browser (no tessera_login cookie, or its own) presenting this browser's state and code.
    const attacker = new Browser();
    await attacker.get(url(`/auth/login?redirect=${encodeURIComponent(`${APP}/x`)}`));
    await expectError(await attacker.get(callback.href), 400, 'bad_request');
    // The rightful browser still completes, once; a replay is refused.
    const done = await browser.get(callback.href);
    expect(done.status).toBe(302);
    expect(done.headers.get('location')).toMatch(new RegExp(`^${APP}/x\\?code=`));
    await expectError(await browser.get(callback.href), 400, 'bad_request');
  });

  it('a login begun on one gateway replica finishes on another, and its code is redeemed on the first', async () => {
    const other = await tessera.startReplica('gateway');
    try {
      await tessera.waitUntilReady(other.baseUrl);
      const browser = new Browser();
      const begin = await browser.get(url(`/auth/login?redirect=${encodeURIComponent(`${APP}/x`)}&login_hint=kim`));
      const fromProvider = await browser.get(begin.headers.get('location')!);
      const callbackOnOther = new URL(fromProvider.headers.get('location')!);
      callbackOnOther.host = new URL(other.baseUrl!).host;
      const done = await browser.get(callbackOnOther.href);
      expect(done.status).toBe(302);
      const code = new URL(done.headers.get('location')!).searchParams.get('code');
      const traded = await call('POST', '/auth/token', undefined, { code, redirect: `${APP}/x` });
      expect(traded.status).toBe(200);
      expect(await json(await call('GET', '/api/v1/me', (await json(traded)).token))).toMatchObject({ name: 'kim' });
    } finally {
      await other.stop();
    }
  });

  it('popup: posts the token to exactly the registered origin, never *', async () => {
    const browser = new Browser();
    await logIn(browser, 'frank');
    const page = await browser.get(url(`/auth/popup?origin=${encodeURIComponent('http://viewer.test')}`));
    expect(page.status).toBe(200);
    const html = await page.text();
    const data = JSON.parse(/<script type="application\/json" id="tessera-popup">(.*?)<\/script>/.exec(html)![1]);
    expect(data).toEqual({ token: browser.cookie(host(), 'tessera_token'), origin: 'http://viewer.test' });
    // The page runs no inline script: its one script comes from Tessera's own origin, and sends to exactly data.origin.
    expect(html.match(/<script(?![^>]*application\/json)[^>]*>/g)).toEqual(['<script src="/auth/popup.js">']);
    const script = await (await fetch(url('/auth/popup.js'))).text();
    expect(script).toContain('window.opener.postMessage({ token: data.token }, data.origin)');
    expect(script).not.toContain("'*'");
    await expectError(await browser.get(url(`/auth/popup?origin=${encodeURIComponent('http://evil.test')}`)), 400, 'untrusted_redirect');
    await expectError(
      await browser.get(url(`/auth/popup?origin=${encodeURIComponent('http://viewer.test/app')}`)),
      400,
      'untrusted_redirect',
    );

    // Without a session, the popup goes through the login and comes back to itself.
    const fresh = new Browser();
    const { location } = await fresh.follow(url(`/auth/popup?origin=${encodeURIComponent('http://viewer.test')}`), url('/auth/popup'));
    const back = await fresh.get(location);
    expect(back.status).toBe(200);
    expect(await back.text()).toContain(JSON.stringify(fresh.cookie(host(), 'tessera_token')));
  });

  it('logout revokes this session; logout-all revokes every session of the user', async () => {
    const laptop = new Browser();
    await logIn(laptop, 'grace');
    const phone = new Browser();
    await logIn(phone, 'grace');
    const tablet = new Browser();
    await logIn(tablet, 'grace');
    const laptopToken = laptop.cookie(host(), 'tessera_token')!;
    const phoneToken = phone.cookie(host(), 'tessera_token')!;
    const tabletToken = tablet.cookie(host(), 'tessera_token')!;

    const out = await call('POST', '/auth/logout', laptopToken);
    expect(out.status).toBe(200);
    expect(out.headers.getSetCookie().some((line) => /^tessera_token=;.*Max-Age=0/.test(line))).toBe(true);
    await expectError(await call('GET', '/api/v1/me', laptopToken), 401, 'revoked_token');
    expect((await call('GET', '/api/v1/me', phoneToken)).status).toBe(200);

    const all = await call('POST', '/auth/logout-all', phoneToken);
    expect(all.status).toBe(200);
    expect(await json(all)).toMatchObject({ revoked: 2 });
    await expectError(await call('GET', '/api/v1/me', phoneToken), 401, 'revoked_token');
    await expectError(await call('GET', '/api/v1/me', tabletToken), 401, 'revoked_token');
  });

  describe('PATCH and DELETE /api/v1/users/:id', () => {
    it('a super admin changes name, admin, readOnly and pi; others may not; unknown fields are 400', async () => {
      const browser = new Browser();
      await logIn(browser, 'judy');
      const judy = await json(await browser.get(url('/api/v1/me')));
      const patched = await call('PATCH', `/api/v1/users/${judy.id}`, admin, { name: 'Judy Hopps', readOnly: true, pi: true });
      expect(patched.status).toBe(200);
      expect(patched.headers.get('x-tessera-revision')).toMatch(/^\d+$/);
      expect(await json(patched)).toMatchObject({ id: judy.id, name: 'Judy Hopps', readOnly: true, pi: true, admin: false });
      expect(await json(await call('GET', `/api/v1/users/${judy.id}`, admin))).toMatchObject({ name: 'Judy Hopps', readOnly: true });
      expect(await json(await browser.get(url('/api/v1/me')))).toMatchObject({ name: 'Judy Hopps', readOnly: true });
      const session = browser.cookie(host(), 'tessera_token')!;
      await expectError(await call('PATCH', `/api/v1/users/${judy.id}`, session, { admin: true }), 403, 'not_admin');
      await expectError(await call('PATCH', `/api/v1/users/${judy.id}`, admin, { email: 'x@y.z' }), 400, 'bad_request');
      await expectError(await call('PATCH', `/api/v1/users/${judy.id}`, admin, { admin: 'yes' }), 400, 'bad_request');
      await expectError(await call('PATCH', '/api/v1/users/00000000-0000-4000-8000-000000000000', admin, { pi: true }), 404, 'not_found');
    });

    it('deactivation revokes every token of the user (in the log), ends memberships, and blocks a new login', async () => {
      const browser = new Browser();
      await logIn(browser, 'ivan');
      const session = browser.cookie(host(), 'tessera_token')!;
      const ivan = await json(await call('GET', '/api/v1/me', session));
      const personal = await json(await call('POST', '/api/v1/tokens', session, { name: 'laptop', scopes: ['view'] }));
      expect(personal.token).toMatch(/^tsrp_/);
      const group = await json(await call('POST', '/api/v1/groups', admin, { name: 'ivan-lab' }));
      const joined = await call('PUT', `/api/v1/groups/${group.id}/members/${ivan.id}`, admin, {});
      expect(joined.status).toBe(200);
      const before = await fetch(url(`/api/v1/groups/${group.id}`), {
        headers: { authorization: `Bearer ${admin}`, 'x-tessera-min-revision': joined.headers.get('x-tessera-revision')! },
      });
      expect((await json(before)).members.map((member: Json) => member.userId)).toContain(ivan.id);

      await expectError(await call('DELETE', `/api/v1/users/${ivan.id}`, session), 403, 'not_admin');
      const deleted = await call('DELETE', `/api/v1/users/${ivan.id}`, admin);
      expect(deleted.status).toBe(204);
      const revision = deleted.headers.get('x-tessera-revision')!;
      expect(revision).toMatch(/^\d+$/);

      for (const token of [session, personal.token]) await expectError(await call('GET', '/api/v1/me', token), 401, 'revoked_token');
      // The token app revokes each token in the log when it reads the deactivation, the admin as actor.
      const revocations = async () =>
        (
          await tessera.db.pool.query(
            `SELECT data->>'reason' AS reason, metadata->>'actor' AS actor FROM event_store.events
              WHERE type = 'TokenRevoked' AND data->>'tokenId' = ANY($1)`,
            [[personal.id]],
          )
        ).rows;
      expect(await eventually(revocations, (rows) => rows.length > 0)).toEqual([
        { reason: 'deactivated', actor: expect.stringMatching(/^admin-token:/) },
      ]);
      const members = await json(
        await fetch(url(`/api/v1/groups/${group.id}`), {
          headers: { authorization: `Bearer ${admin}`, 'x-tessera-min-revision': revision },
        }),
      );
      expect(members.members.map((member: Json) => member.userId)).not.toContain(ivan.id);
      expect(await json(await call('GET', `/api/v1/users/${ivan.id}`, admin))).toMatchObject({ active: false });

      // The same person coming back through the provider is refused, not given a fresh account.
      const again = new Browser();
      const start = url(`/auth/login?redirect=${encodeURIComponent(`${APP}/x`)}&login_hint=ivan`);
      const { hops } = await again.follow(start, `${APP}/x`);
      expect(hops[hops.length - 1].status).toBe(401);
      expect(again.cookie(host(), 'tessera_token')).toBeUndefined();
    });
  });

  describe('upstream credentials and token exchange', () => {
    let henry: { id: string; session: string };
    let credentialsCaller: string;
    let decisionsCaller: string;

    const serviceToken = async (name: string, scopes: string[]) => {
      const account = await json(await call('POST', '/api/v1/service-accounts', admin, { name, scopes }));
      const minted = await json(await call('POST', `/api/v1/service-accounts/${account.id}/tokens`, admin, { name, scopes }));
      return minted.token as string;
    };
    // Untyped on purpose: some of these requests are malformed.
    const fresh = (authorization: string | undefined, body: unknown) =>
      requestJson<ReplyOf<typeof SUBJECTS.identityCredentials>>(tessera.nats, SUBJECTS.identityCredentials, body, { authorization });

    beforeAll(async () => {
      const browser = new Browser();
      await logIn(browser, 'henry');
      const session = browser.cookie(host(), 'tessera_token')!;
      henry = { id: (await json(await call('GET', '/api/v1/me', session))).id, session };
      credentialsCaller = await serviceToken('pipeline', ['credentials']);
      decisionsCaller = await serviceToken('checker', ['decisions']);
    });

    it('GET /api/v1/me/credentials names the provider and expiry, never a secret', async () => {
      const body = await json(await call('GET', '/api/v1/me/credentials', henry.session));
      expect(body.items).toEqual([
        { provider: 'dev', issuer: 'tessera-dev', expiresAt: expect.any(String), refreshable: true, updatedAt: expect.any(String) },
      ]);
      expect(JSON.stringify(body)).not.toMatch(/eyJ/);
    });

    it('hands a fresh provider token to a service account with scope credentials, refreshing it near expiry', async () => {
      const first = await fresh(`Bearer ${credentialsCaller}`, { userId: henry.id, provider: 'dev' });
      const second = await fresh(`Bearer ${credentialsCaller}`, { userId: henry.id, provider: 'dev' });
      // 30-second tokens are always within the 60 s window: each answer is a new token from the provider.
      expect(first.accessToken).not.toBe(second.accessToken);
      expect(Date.parse(second.expiresAt ?? '') - Date.now()).toBeGreaterThan((PROVIDER_TOKEN_TTL - 5) * 1000);
      // The refreshed token is a real provider token: the exchange accepts it and finds henry.
      const exchanged = await call('POST', '/api/v1/tokens/exchange', undefined, { auth_token: second.accessToken });
      expect(exchanged.status).toBe(201);
      const body = await json(exchanged);
      expect(body).toMatchObject({
        token: expect.stringMatching(/^tsrs_/),
        expiresAt: expect.any(String),
        user: { id: henry.id, name: 'henry' },
      });
      expect(await json(await call('GET', '/api/v1/me', body.token))).toMatchObject({ id: henry.id });
    });

    it('refuses callers without scope credentials, and unknown users', async () => {
      await expect(fresh(undefined, { userId: henry.id, provider: 'dev' })).rejects.toMatchObject({ code: 'no_token' });
      await expect(fresh(`Bearer ${decisionsCaller}`, { userId: henry.id, provider: 'dev' })).rejects.toMatchObject({
        code: 'insufficient_scope',
      });
      await expect(fresh(`Bearer ${henry.session}`, { userId: henry.id, provider: 'dev' })).rejects.toMatchObject({
        code: 'insufficient_scope',
      });
      await expect(fresh(`Bearer tsrv_notatoken`, { userId: henry.id, provider: 'dev' })).rejects.toMatchObject({ code: 'invalid_token' });
      await expect(fresh(`Bearer ${credentialsCaller}`, { userId: henry.id, provider: 'github' })).rejects.toMatchObject({
        code: 'not_found',
      });
    });

    it('exchange takes only provider tokens issued to Tessera (or a listed audience), never mints admin, and never outlives them', async () => {
      // The dev provider is a real OAuth2 server: drive it as Tessera, as a partner app and as a third-party site would.
      const devUrl = new URL((await fetch(url('/auth/login'), { redirect: 'manual' })).headers.get('location')!).origin;
      const providerToken = async (clientId: string, login: string): Promise<string> => {
        const redirectUri = `http://${clientId}.test/callback`;
        const authorize = await fetch(
          `${devUrl}/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, scope: 'openid', state: 's', login_hint: login })}`,
          { redirect: 'manual' },
        );
        const code = new URL(authorize.headers.get('location')!).searchParams.get('code')!;
        const answer = await fetch(`${devUrl}/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${clientId}:${clientId}-secret`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: redirectUri }).toString(),
        });
        return (await json(answer)).access_token;
      };
      const exchange = (authToken: string) => call('POST', '/api/v1/tokens/exchange', undefined, { auth_token: authToken });

      const first = await exchange(await providerToken('tessera-dev', 'irene'));
      expect(first.status).toBe(201);
      const irene = (await json(first)).user;
      expect((await call('PATCH', `/api/v1/users/${irene.id}`, admin, { admin: true })).status).toBe(200);

      // A super admin's provider token, issued to a third-party site: refused, and no user is touched.
      await expectError(await exchange(await providerToken('some-other-site', 'irene')), 401, 'invalid_token');

      // Issued to Tessera: a session for irene that carries no admin and ends with the provider token.
      const issuedAt = Date.now();
      const ours = await exchange(await providerToken('tessera-dev', 'irene'));
      expect(ours.status).toBe(201);
      const session = await json(ours);
      expect(Date.parse(session.expiresAt)).toBeLessThanOrEqual(issuedAt + (PROVIDER_TOKEN_TTL + 5) * 1000);
      await expectError(await call('GET', '/api/v1/users', session.token), 403, 'not_admin');
      const introspected = await requestJson<Json>(tessera.nats, SUBJECTS.tokenIntrospect, { token: session.token });
      expect(introspected).toMatchObject({ active: true, sub: irene.id });
      expect(introspected.scope.split(' ')).not.toContain('admin');
      expect(introspected.scope.split(' ')).not.toContain('tokens');

      // OAUTH2_EXCHANGE_AUDIENCES names a partner whose tokens are accepted too.
      expect((await exchange(await providerToken('partner-app', 'irene'))).status).toBe(201);
    });

    it('exchange refuses a token the provider does not accept (401)', async () => {
      await expectError(
        await call('POST', '/api/v1/tokens/exchange', undefined, { auth_token: 'not-a-provider-token' }),
        401,
        'invalid_token',
      );
      await expectError(await call('POST', '/api/v1/tokens/exchange', undefined, {}), 400, 'bad_request');
    });

    it('npm run reseal seals every stored credential again under the new key, which then opens them', async () => {
      const { execFile } = await import('node:child_process');
      const sealedKeys = async () =>
        (
          await tessera.db.pool.query<{ key: string }>(
            "SELECT DISTINCT split_part(access_token_sealed, '.', 2) AS key FROM identity.upstream_credentials",
          )
        ).rows
          .map((row) => row.key)
          .sort();
      expect(await sealedKeys()).toEqual([keyIdOf(KEY_A)]);
      const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(
          'npm',
          ['run', '--silent', 'reseal'],
          { cwd: ROOT, env: { ...process.env, ...tessera.env, TESSERA_ENCRYPTION_KEY: KEY_B, TESSERA_PREVIOUS_ENCRYPTION_KEYS: KEY_A } },
          (error, stdout, stderr) => resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
        ),
      );
      expect(run).toMatchObject({ code: 0, stdout: expect.stringMatching(/resealed [1-9]\d* credentials/) });
      expect(await sealedKeys()).toEqual([keyIdOf(KEY_B)]);
      // The running identity app opens the resealed values (KEY_B is its previous key) and refreshes through them.
      const { accessToken } = await fresh(`Bearer ${credentialsCaller}`, { userId: henry.id, provider: 'dev' });
      expect(accessToken.split('.')).toHaveLength(3);
    });

    it('stores no provider token in clear: every table of every schema is scanned', async () => {
      const { accessToken } = await fresh(`Bearer ${credentialsCaller}`, { userId: henry.id, provider: 'dev' });
      const signature = accessToken.split('.')[2];
      expect(signature.length).toBeGreaterThan(20);
      const tables = await tessera.db.pool.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
         WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
      );
      expect(tables.rows.map((row) => `${row.schema}.${row.name}`)).toEqual(
        expect.arrayContaining(['identity.upstream_credentials', 'event_store.events']),
      );
      const hits: string[] = [];
      for (const { schema, name } of tables.rows) {
        const result = await tessera.db.pool.query(
          `SELECT count(*)::int AS n FROM "${schema}"."${name}" t WHERE t::text LIKE '%' || $1 || '%'`,
          [signature],
        );
        if (result.rows[0].n > 0) hits.push(`${schema}.${name}`);
      }
      expect(hits).toEqual([]);
    });
  });
});
