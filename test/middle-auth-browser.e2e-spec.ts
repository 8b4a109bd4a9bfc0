import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';
import { launchChromium, newPerson, screenshot } from './console/console-browser';

const ADMIN_KEY = 'middle-auth-browser-admin-key-0123456789';

/**
 * A registered app on an origin of its own, as a CAVE service or Neuroglancer is: `/landing` shows
 * what it received; `/viewer` opens Tessera's authorize popup as Neuroglancer's middleauth
 * provider does (no parameters) and keeps the message it gets.
 */
function startApp(tesseraUrl: string): Promise<Server> {
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://app.invalid');
    response.setHeader('content-type', 'text/html; charset=utf-8');
    if (url.pathname === '/viewer') {
      response.end(`<!doctype html><html lang="en"><head><title>viewer</title></head><body><h1>viewer</h1><script>
        window.received = null;
        window.addEventListener('message', function (event) { window.received = { origin: event.origin, data: event.data }; });
        window.login = function () { window.open(${JSON.stringify(`${tesseraUrl}/auth/api/v1/authorize`)}, 'auth', 'width=400,height=650'); };
      </script></body></html>`);
      return;
    }
    response.end(`<!doctype html><html lang="en"><head><title>app</title></head><body><h1>app page ${url.pathname}</h1>
      <p>token received: ${url.searchParams.has('middle_auth_token') ? 'yes' : 'no'}</p></body></html>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe('middle_auth browser flows in Chromium (CONTRACT section 8)', () => {
  let tessera: TesseraUnderTest;
  let browser: Browser;
  let app: Server;
  let appUrl: string;
  let root: string;

  async function api(token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
    const response = await fetch(`${tessera.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  beforeAll(async () => {
    tessera = await startTessera({ env: { TESSERA_ADMIN_KEY: ADMIN_KEY } });
    const minted = await fetch(`${tessera.baseUrl}/api/v1/admin/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ adminKey: ADMIN_KEY }),
    });
    root = ((await minted.json()) as { token: string }).token;
    app = await startApp(tessera.baseUrl);
    appUrl = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    expect((await api(root, 'POST', '/api/v1/apps', { url: `${appUrl}/` })).status).toBe(201);
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => app?.close(resolve));
    await tessera?.stop();
  });

  it('authorize?redirect= logs in and ends with a 302 to the registered app carrying a working middle_auth_token', async () => {
    const { context, page } = await newPerson(browser, tessera.baseUrl);
    await page.goto(`/auth/api/v1/authorize?redirect=${encodeURIComponent(`${appUrl}/landing?x=1`)}`);
    await page.waitForURL((url) => url.origin === appUrl);
    const landed = new URL(page.url());
    expect(landed.pathname).toBe('/landing');
    expect(landed.searchParams.get('x')).toBe('1');
    const token = landed.searchParams.get('middle_auth_token')!;
    expect(token).toMatch(/^tsrs_/);
    await screenshot(page, 'middle-auth-redirect-landing');
    const cache = await fetch(`${tessera.baseUrl}/auth/api/v1/user/cache`, { headers: { authorization: `Bearer ${token}` } });
    expect(cache.status).toBe(200);
    expect(((await cache.json()) as Json).name).toBe('dev-user');
    // The app finds the token as a query token (section 2), as middle_auth_client reads it.
    const asQuery = await fetch(`${tessera.baseUrl}/auth/api/v1/user/cache?middle_auth_token=${token}`);
    expect(asQuery.status).toBe(200);
    await context.close();
  });

  it('refuses a redirect to an app that is not registered', async () => {
    const response = await fetch(`${tessera.baseUrl}/auth/api/v1/authorize?redirect=${encodeURIComponent('http://evil.test/steal')}`, {
      redirect: 'manual',
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as Json).error).toBe('untrusted_redirect');
  });

  it("Neuroglancer's popup: posts {token, app_urls} to the opener's exact origin", async () => {
    const { context, page } = await newPerson(browser, tessera.baseUrl);
    await page.goto(`${appUrl}/viewer`);
    const popupOpened = page.waitForEvent('popup');
    await page.evaluate(() => (globalThis as unknown as { login(): void }).login());
    const popup = await popupOpened;
    await page.waitForFunction(() => (globalThis as unknown as { received: unknown }).received !== null, undefined, { timeout: 30_000 });
    const received = await page.evaluate(() => (globalThis as unknown as { received: { origin: string; data: Json } }).received);
    expect(received.origin).toBe(new URL(tessera.baseUrl).origin);
    expect(Object.keys(received.data).sort()).toEqual(['app_urls', 'token']);
    expect(received.data.app_urls).toEqual([`${appUrl}/`]);
    const cache = await fetch(`${tessera.baseUrl}/auth/api/v1/user/cache`, { headers: { authorization: `Bearer ${received.data.token}` } });
    expect(cache.status).toBe(200);
    if (!popup.isClosed()) await popup.waitForEvent('close', { timeout: 10_000 });
    expect(popup.isClosed()).toBe(true);
    await screenshot(page, 'middle-auth-popup-opener');
    // An opener that is not a registered app gets nothing.
    const other = await fetch(`${tessera.baseUrl}/auth/api/v1/authorize`, {
      headers: { referer: 'http://evil.test/' },
      redirect: 'manual',
    });
    expect(other.status).toBe(400);
    await context.close();
  });

  it('tos/<id>/accept shows the terms with an accept button, accepts them and returns to redirect', async () => {
    const { context, page } = await newPerson(browser, tessera.baseUrl);
    await page.goto(`/auth/api/v1/authorize?redirect=${encodeURIComponent(`${appUrl}/first`)}`);
    await page.waitForURL((url) => url.origin === appUrl);
    const token = new URL(page.url()).searchParams.get('middle_auth_token')!;
    const me = await api(token, 'GET', '/api/v1/me');
    const group = await api(root, 'POST', '/api/v1/groups', { name: 'readers' });
    const dataset = await api(root, 'POST', '/api/v1/datasets', { name: 'flywire' });
    expect((await api(root, 'PUT', `/api/v1/groups/${group.body.id}/members/${me.body.id}`, { admin: false })).status).toBe(200);
    expect((await api(root, 'PUT', `/api/v1/datasets/${dataset.body.id}/grants/${group.body.id}/view`, {})).status).toBe(200);
    const tos = await api(root, 'POST', `/api/v1/datasets/${dataset.body.id}/tos`, {
      title: 'FlyWire terms',
      text: 'Cite FlyWire.\n<b>not bold</b>',
    });
    const before = await api(token, 'GET', '/auth/api/v1/user/cache');
    expect(before.body.missing_tos).toEqual([expect.objectContaining({ tos_id: tos.body.id, dataset_name: 'flywire' })]);

    await page.goto(`/auth/api/v1/tos/${tos.body.id}/accept?redirect=${encodeURIComponent(`${appUrl}/back`)}`);
    await page.getByRole('heading', { name: 'FlyWire terms' }).waitFor();
    expect(await page.locator('#tos-text').textContent()).toBe('Cite FlyWire.\n<b>not bold</b>');
    await screenshot(page, 'middle-auth-tos-accept');
    await page.getByRole('button', { name: 'Accept' }).click();
    await page.waitForURL(`${appUrl}/back`);
    const after = await api(token, 'GET', '/auth/api/v1/user/cache');
    expect(after.body.missing_tos).toEqual([]);
    expect(after.body.permissions_v2).toEqual({ flywire: ['view'] });
    await context.close();
  });
});
