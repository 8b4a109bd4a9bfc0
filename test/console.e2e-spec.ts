import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { json, ROOT, startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';
import { checkPage, launchChromium, newPerson, screenshot, signInAs } from './console/console-browser';

const ADMIN_KEY = 'test-admin-key-console-0123456789';

/** The console (CONTRACT section 11) in Debian's Chromium, against the whole stack with the dev identity provider. */
describe('the web console', () => {
  let tessera: TesseraUnderTest;
  let browser: Browser;
  let adminToken: string;

  const url = (path: string) => `${tessera.baseUrl}${path}`;
  const call = async (method: string, path: string, token: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const response = await fetch(url(path), {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: response.status === 204 ? null : await json(response) };
  };
  const admin = async (method: string, path: string, body?: unknown) => {
    const answer = await call(method, path, adminToken, body);
    if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };

  beforeAll(async () => {
    // One after the other: the apps' start is timed, and Chromium's own start would compete with it.
    tessera = await startTessera({ env: { TESSERA_ADMIN_KEY: ADMIN_KEY } });
    browser = await launchChromium();
    const minted = await fetch(url('/api/v1/admin/tokens'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ adminKey: ADMIN_KEY }),
    });
    adminToken = (await json(minted)).token;
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    await tessera?.stop();
  });

  describe('served by the gateway', () => {
    it('serves the console at / under a strict CSP, its pages by path, and keeps the API answers of the API paths', async () => {
      const home = await fetch(url('/'));
      expect(home.status).toBe(200);
      expect(home.headers.get('content-type')).toMatch(/^text\/html/);
      const csp = home.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/);
      const page = await home.text();
      // Everything bundled: no script, style or font from elsewhere, and no inline script.
      expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
      expect(page).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      const deep = await fetch(url('/tokens?x=1'));
      expect({ status: deep.status, page: await deep.text() }).toEqual({ status: 200, page });

      const asset = page.match(/src="(\/assets\/[^"]+\.js)"/)![1];
      const script = await fetch(url(asset));
      expect({ status: script.status, cache: script.headers.get('cache-control') }).toEqual({
        status: 200,
        cache: 'public, max-age=31536000, immutable',
      });
      expect((await fetch(url('/assets/no-such-file.js'))).status).toBe(404);
      const unknownApi = await fetch(url('/api/v1/no-such-thing'));
      expect({ status: unknownApi.status, body: await json(unknownApi) }).toMatchObject({ status: 404, body: { error: 'not_found' } });
      expect((await fetch(url('/auth/nothing'))).status).toBe(404);
      expect((await fetch(url('/healthz'))).status).toBe(200);
      expect(await json(await fetch(url('/console/config.json')))).toEqual({ publicUrl: tessera.baseUrl, tokenMaxDays: 366 });
    });

    it("has committed API types that match the live gateway's /api/docs-json (else: npm run console:api)", () => {
      const check = spawnSync(process.execPath, ['scripts/console-api.mjs', '--check', tessera.baseUrl], { cwd: ROOT, encoding: 'utf8' });
      expect({ status: check.status, stderr: check.stderr }).toEqual({ status: 0, stderr: '' });
    });

    it('keeps the signed-in home page under 250 KB of gzipped JavaScript, measured by the build', () => {
      const report = JSON.parse(readFileSync(join(ROOT, 'dist/console/bundle-size.json'), 'utf8'));
      expect(report.homePage.chunks.length).toBeGreaterThan(0);
      expect(report.homePage.gzipBytes).toBeLessThanOrEqual(250 * 1024);
    });
  });

  describe('the API extensions it uses', () => {
    it('searches users by part of the name or e-mail, and lists service accounts apart; super admin only', async () => {
      const [ana, anatole, sa] = [
        await admin('POST', '/api/v1/users', { name: 'Ana Search', email: 'ana@search.test' }),
        await admin('POST', '/api/v1/users', { name: 'anatole', email: 'tole@elsewhere.test' }),
        await admin('POST', '/api/v1/service-accounts', { name: 'ana-pipeline', scopes: ['view'] }),
      ];
      const names = async (query: string) => (await admin('GET', `/api/v1/users?${query}`)).items.map((user: Json) => user.id).sort();
      expect(await names('q=ANA')).toEqual([ana.id, anatole.id, sa.id].sort());
      expect(await names('q=search.test')).toEqual([ana.id]);
      expect(await names('q=ana&serviceAccount=true')).toEqual([sa.id]);
      expect(await names('q=ana&serviceAccount=false')).toEqual([ana.id, anatole.id].sort());
      expect(await names('q=%25')).toEqual([]);
      const bad = await call('GET', '/api/v1/users?serviceAccount=maybe', adminToken);
      expect({ status: bad.status, field: bad.body.details[0].field }).toEqual({ status: 400, field: 'serviceAccount' });
    });

    it("lists a service account's tokens for a super admin, masked, and refuses anyone else", async () => {
      const sa = await admin('POST', '/api/v1/service-accounts', { name: 'exporter', scopes: ['view', 'introspect'] });
      const minted = await admin('POST', `/api/v1/service-accounts/${sa.id}/tokens`, {
        name: 'nightly',
        scopes: ['view'],
        expiresInDays: 30,
      });
      const listed = await admin('GET', `/api/v1/users/${sa.id}/tokens?minRevision=${minted.revision}`);
      expect(listed.items).toEqual([expect.objectContaining({ id: minted.id, name: 'nightly', kind: 'service', hint: minted.hint })]);
      expect(JSON.stringify(listed)).not.toContain(minted.token);
      const someone = await admin('POST', '/api/v1/users', { name: 'someone' });
      const refused = await call('GET', `/api/v1/users/${someone.id}/tokens`, minted.token);
      expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 403, error: 'not_admin' });
    });

    it('lists the institutions of the affiliations to a super admin', async () => {
      const mit = await admin('POST', '/api/v1/affiliations', { name: 'MIT', contactEmail: 'a@mit.test' });
      const listed = await admin('GET', `/api/v1/affiliations?minRevision=${mit.revision}`);
      expect(listed.items).toContainEqual({ id: mit.id, name: 'MIT', contactName: null, contactEmail: 'a@mit.test' });
    });
  });

  describe('for a user', () => {
    let page: Page;
    let cspViolations: string[];
    let userId: string;

    beforeAll(async () => {
      ({ page, cspViolations } = await newPerson(browser, tessera.baseUrl));
    });

    afterAll(() => {
      expect(cspViolations).toEqual([]);
    });

    it('signs in through the development provider from the sign-in page and lands on the profile', async () => {
      await page.goto('/tokens');
      await page.getByRole('heading', { name: 'Tessera' }).waitFor();
      await checkPage(page, 'sign-in');
      await page.getByRole('link', { name: 'Sign in', exact: true }).click();
      // The login comes back to the page it left, without the one-time code in the address bar.
      await page.getByRole('heading', { name: 'Tokens', level: 1 }).waitFor();
      expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/tokens');
      await page.getByRole('link', { name: 'Profile' }).click();
      await page.getByRole('heading', { name: 'Profile', level: 1 }).waitFor();
      await expect(page.getByText('Signed in as dev-user')).toBeTruthy();
      expect(await page.locator('.facts dd').first().textContent()).toBe('dev-user');
      await checkPage(page, 'profile');
      userId = (await page.locator('.facts dd code').textContent())!;
      expect(userId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('creates a token, shows its secret once, which the API takes, then revokes it after asking, and the API refuses it', async () => {
      await page.getByRole('link', { name: 'Tokens' }).click();
      await page.getByRole('button', { name: 'Create token' }).click();
      const dialog = page.getByRole('dialog', { name: 'Create a personal token' });
      await dialog.getByRole('textbox', { name: 'Name' }).fill('notebook');
      await dialog.getByText('7 days', { exact: true }).click();
      await dialog.locator('label').filter({ hasText: 'decisions' }).click();
      await expect(dialog.getByRole('checkbox', { name: /decisions/ }).isChecked()).resolves.toBe(true);
      await screenshot(page, 'token-create');
      await dialog.getByRole('button', { name: 'Create token' }).click();

      const shown = page.getByRole('dialog', { name: 'Your new token' });
      await shown.getByText('You will not be able to see it again').waitFor();
      const secret = await shown.getByRole('textbox').inputValue();
      expect(secret).toMatch(/^tsrp_[0-9A-Za-z]{38}$/);
      await checkPage(page, 'token-secret');
      await shown.getByRole('button', { name: 'Copy' }).click();
      await shown.getByText('Copied to the clipboard.').waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
      await shown.getByRole('button', { name: 'Done' }).click();
      await shown.waitFor({ state: 'detached' });
      expect(await page.content()).not.toContain(secret);

      const me = await call('GET', '/api/v1/me', secret);
      expect({ status: me.status, name: me.body.name }).toEqual({ status: 200, name: 'dev-user' });
      const row = page.getByRole('row').filter({ hasText: 'notebook' });
      await row.getByText(`tsrp_…${secret.slice(-4)}`).waitFor();
      await expect(row.textContent()).resolves.toContain('*, decisions');
      await checkPage(page, 'tokens');

      await row.getByRole('button', { name: 'Revoke notebook' }).click();
      const confirm = page.getByRole('alertdialog', { name: 'Revoke “notebook”?' });
      await screenshot(page, 'token-revoke');
      await confirm.getByRole('button', { name: 'Revoke token' }).click();
      await confirm.waitFor({ state: 'detached' });
      await page.getByRole('row').filter({ hasText: 'notebook' }).waitFor({ state: 'detached' });
      const refused = await call('GET', '/api/v1/me', secret);
      expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 401, error: 'revoked_token' });
    });

    it('works the token dialog by keyboard alone: open, fill, create, copy, close, focus back on its button', async () => {
      await page.goto('/tokens');
      await page.getByRole('heading', { name: 'Your tokens' }).waitFor();
      const create = page.getByRole('button', { name: 'Create token' });
      for (
        let presses = 0;
        presses < 30 && !(await create.evaluate((element) => element === element.ownerDocument.activeElement));
        presses++
      ) {
        await page.keyboard.press('Tab');
      }
      await page.keyboard.press('Enter');
      const dialog = page.getByRole('dialog', { name: 'Create a personal token' });
      await dialog.waitFor();
      // The name field has the focus when the dialog opens.
      await page.keyboard.type('keyboard only');
      await page.keyboard.press('Tab'); // the expiration radios (30 days checked)
      await page.keyboard.press('ArrowRight'); // 90 days
      await page.keyboard.press('Tab'); // the scopes: * first
      await page.keyboard.press('Tab'); // admin_view
      await page.keyboard.press('Space');
      await page.keyboard.press('Shift+Tab');
      await page.keyboard.press('Space'); // * off: only admin_view
      await expect(dialog.getByRole('radio', { name: '90 days' }).isChecked()).resolves.toBe(true);
      for (let presses = 0; presses < 20; presses++) {
        const focused = await page.evaluate('document.activeElement?.textContent');
        if (focused === 'Create token') break;
        await page.keyboard.press('Tab');
      }
      await page.keyboard.press('Enter');
      const shown = page.getByRole('dialog', { name: 'Your new token' });
      await shown.waitFor();
      const secret = await shown.getByRole('textbox').inputValue();
      const copy = shown.getByRole('button', { name: 'Copy' });
      for (
        let presses = 0;
        presses < 10 && !(await copy.evaluate((element) => element === element.ownerDocument.activeElement));
        presses++
      ) {
        await page.keyboard.press('Tab');
      }
      await page.keyboard.press('Enter');
      await shown.getByText('Copied to the clipboard.').waitFor();
      expect(await page.evaluate('navigator.clipboard.readText()')).toBe(secret);
      await page.keyboard.press('Escape');
      await shown.waitFor({ state: 'detached' });
      expect(await create.evaluate((element) => element === element.ownerDocument.activeElement)).toBe(true);
      const row = page.getByRole('row').filter({ hasText: 'keyboard only' });
      await expect(row.textContent()).resolves.toMatch(/admin_view/);
      await expect(row.textContent()).resolves.not.toMatch(/\*/);
    });

    it('shows terms to read and accept, and the permission they held back appears', async () => {
      const dataset = await admin('POST', '/api/v1/datasets', { name: 'fly-brain', description: 'a fly' });
      const group = await admin('POST', '/api/v1/groups', { name: 'fly-lab' });
      await admin('PUT', `/api/v1/groups/${group.id}/members/${userId}`, { admin: false });
      await admin('PUT', `/api/v1/datasets/${dataset.id}/grants/${group.id}/view`, {});
      const tos = await admin('POST', `/api/v1/datasets/${dataset.id}/tos`, { title: 'Fly terms', text: 'Cite the fly connectome.' });

      await page.goto('/datasets');
      const waiting = page.getByRole('row').filter({ hasText: 'fly-brain' }).filter({ hasText: 'Fly terms' });
      await waiting.waitFor();
      await expect(waiting.textContent()).resolves.toContain('view');
      await expect(page.getByRole('grid', { name: 'Your permissions by dataset' }).textContent()).resolves.not.toContain('fly-brain');
      await checkPage(page, 'datasets-terms');
      await waiting.getByRole('button', { name: 'Read and accept' }).click();
      const dialog = page.getByRole('dialog', { name: 'Terms of fly-brain: Fly terms' });
      await dialog.getByText('Cite the fly connectome.').waitFor();
      await checkPage(page, 'terms-dialog');
      await dialog.getByRole('button', { name: 'I accept these terms' }).click();
      await dialog.waitFor({ state: 'detached' });
      const granted = page.getByRole('grid', { name: 'Your permissions by dataset' }).getByRole('row').filter({ hasText: 'fly-brain' });
      await granted.waitFor();
      await expect(granted.textContent()).resolves.toContain('view');
      await page.getByText('No terms wait for you.').waitFor();
      await checkPage(page, 'datasets');
      const events = await admin('GET', `/api/v1/audit/events?type=TosAccepted&limit=10`);
      expect(events.items.map((event: Json) => event.data.tosId)).toContain(tos.id);
    });

    it('tells that no device login waits with an unknown code, and signs out to the sign-in page', async () => {
      await page.goto('/device?user_code=BCDF-GHJK');
      await page.getByRole('heading', { name: 'Device login', level: 1 }).waitFor();
      await page.getByRole('alert').getByText('Code BCDF-GHJK: Not found').waitFor();
      await checkPage(page, 'device');
      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByText('You signed out.').waitFor();
      const me = await page.evaluate('fetch("/api/v1/me").then((r) => r.status)');
      expect(me).toBe(401);
    });
  });
  describe('for administrators', () => {
    let boss: Page;
    let member: Page;
    let violations: string[][];
    /** A moment as an `<input type="datetime-local" step="1">` value in the browser's (this machine's) time zone. */
    const localInput = (ms: number) => new Date(ms - new Date(ms).getTimezoneOffset() * 60_000).toISOString().slice(0, 19);
    const choose = async (page: Page, label: string, option: string) => {
      await page
        .locator('.field')
        .filter({ has: page.getByText(label, { exact: true }) })
        .getByRole('button')
        .click();
      await page.getByRole('option', { name: option, exact: true }).click();
    };

    beforeAll(async () => {
      const first = await newPerson(browser, tessera.baseUrl);
      const second = await newPerson(browser, tessera.baseUrl);
      [boss, member] = [first.page, second.page];
      violations = [first.cspViolations, second.cspViolations];
      await signInAs(member, 'mia');
      await signInAs(boss, 'boss');
      const users = await admin('GET', '/api/v1/users?q=boss');
      await admin('PATCH', `/api/v1/users/${users.items[0].id}`, { admin: true });
      await boss.reload();
      await boss.getByText('super admin', { exact: true }).waitFor();
    });

    afterAll(() => {
      expect(violations).toEqual([[], []]);
    });

    it('shows a member no administration, and refuses an admin page by name', async () => {
      await expect(member.getByRole('navigation', { name: 'Console' }).textContent()).resolves.not.toMatch(/Users|Audit log/);
      await member.goto('/admin/users');
      await member.getByText('You may not use this page').waitFor();
      await checkPage(member, 'admin-refused');
    });

    it('creates a group, adds a member, grants a permission with an expiry, and the member sees it', async () => {
      await boss.getByRole('link', { name: 'Groups' }).click();
      await boss.getByRole('textbox', { name: 'New group' }).fill('imaging-lab');
      await boss.getByRole('button', { name: 'Create group' }).click();
      await boss.getByRole('heading', { name: 'Members of imaging-lab' }).waitFor();
      await boss.getByRole('combobox', { name: 'User' }).fill('mia');
      await boss.getByRole('option', { name: /^mia/ }).click();
      await boss.getByRole('button', { name: 'Add member' }).click();
      await boss.getByRole('grid', { name: 'Members of imaging-lab' }).getByRole('row').filter({ hasText: 'mia' }).waitFor();
      await checkPage(boss, 'admin-groups');

      await boss.getByRole('link', { name: 'Datasets, grants, terms' }).click();
      await boss.getByRole('textbox', { name: 'New dataset' }).fill('mouse-retina');
      await boss.getByRole('button', { name: 'Create dataset' }).click();
      await boss.getByRole('heading', { name: 'mouse-retina', level: 2 }).waitFor();
      await choose(boss, 'Group', 'imaging-lab');
      const until = Date.now() + 30 * 86_400_000;
      await boss.getByLabel('Until (optional)').fill(localInput(until).slice(0, 16));
      await boss.getByRole('button', { name: 'Grant', exact: true }).click();
      const grant = boss.getByRole('grid', { name: 'Grants on mouse-retina' }).getByRole('row').filter({ hasText: 'imaging-lab' });
      await grant.waitFor();
      await expect(grant.textContent()).resolves.toContain(new Intl.DateTimeFormat('en', { dateStyle: 'medium' }).format(until));
      await checkPage(boss, 'admin-datasets');

      await member.goto('/datasets');
      const seen = member.getByRole('grid', { name: 'Your permissions by dataset' }).getByRole('row').filter({ hasText: 'mouse-retina' });
      await seen.waitFor();
      await expect(seen.textContent()).resolves.toContain('view');
      await member.goto('/');
      await member.getByText('imaging-lab', { exact: true }).waitFor();
    });

    it('answers "who could see" for a past moment, and draws each user\'s access on a timeline', async () => {
      // The grant is in place (the test before); `at` is the next whole second, as the form takes seconds.
      const at = Math.ceil((Date.now() + 1) / 1000) * 1000;
      const group = (await admin('GET', '/api/v1/groups')).items.find((item: Json) => item.name === 'imaging-lab');
      const mia = (await admin('GET', '/api/v1/users?q=mia')).items[0];
      // Once the clock has passed `at`, mia leaves the group: `at` is a past moment, and now nobody sees the dataset.
      while (Date.now() <= at) await new Promise((resolve) => setTimeout(resolve, 20));
      await admin('DELETE', `/api/v1/groups/${group.id}/members/${mia.id}`);
      const left = Date.now();

      await boss.getByRole('link', { name: 'Who could see' }).click();
      await choose(boss, 'Dataset', 'mouse-retina');
      await boss.getByLabel('At', { exact: true }).fill(localInput(at));
      await boss.getByLabel('Timeline from').fill(localInput(at - 3_600_000).slice(0, 16));
      await boss.getByLabel('Timeline until').fill(localInput(left + 120_000).slice(0, 16));
      await boss.getByRole('button', { name: 'Show' }).click();
      const who = boss
        .getByRole('grid', { name: /^Who could see mouse-retina/ })
        .getByRole('row')
        .filter({ hasText: 'mia' });
      await who.waitFor();
      await expect(who.textContent()).resolves.toMatch(/view.*imaging-lab/);
      const bar = boss.locator('svg.timeline-chart rect.timeline-bar');
      await bar.first().waitFor();
      expect(await bar.count()).toBe(1);
      expect(await bar.first().locator('title').textContent()).toMatch(/^mia · view: /);
      expect(Number(await bar.first().getAttribute('width'))).toBeGreaterThan(0);
      await checkPage(boss, 'audit-access');
    });

    it('pages through the audit log with filters', async () => {
      await boss.getByRole('link', { name: 'Audit log' }).click();
      await boss.getByRole('grid', { name: 'Events' }).getByRole('row').nth(1).waitFor();
      await boss.getByRole('textbox', { name: 'Event type' }).fill('GroupCreated');
      await boss.getByRole('button', { name: 'Filter' }).click();
      const rows = boss.getByRole('grid', { name: 'Events' }).getByRole('row');
      await rows.filter({ hasText: 'imaging-lab' }).waitFor();
      const types = await rows.locator('[role=rowheader], [role=gridcell]').allTextContents();
      expect(types.filter((text) => /^[A-Z][A-Za-z]+$/.test(text)).every((text) => text === 'GroupCreated')).toBe(true);
      await checkPage(boss, 'audit-log');
    });

    it('runs a replay with live progress to its end', async () => {
      await boss.getByRole('link', { name: 'Replay' }).click();
      await boss.getByRole('button', { name: 'Start replay' }).click();
      await boss.getByRole('heading', { name: 'audit-access: swapped' }).waitFor({ timeout: 30_000 });
      await boss.getByText('The rebuilt copy matched the live one.').waitFor();
      await checkPage(boss, 'audit-replay');
    });

    it('makes a user read-only from the users page, and shows every other admin page without a serious accessibility violation', async () => {
      await boss.getByRole('link', { name: 'Users' }).click();
      await boss.getByRole('searchbox', { name: 'Search' }).fill('mia');
      const row = boss.getByRole('row').filter({ hasText: 'mia@' });
      await row.getByRole('button', { name: 'Make read-only mia' }).click();
      await row.getByText('read-only', { exact: true }).waitFor();
      const mia = (await admin('GET', '/api/v1/users?q=mia')).items[0];
      expect(mia.readOnly).toBe(true);
      await checkPage(boss, 'admin-users');
      for (const [link, heading, name] of [
        ['Service accounts', 'Service accounts', 'admin-service-accounts'],
        ['Permissions', 'Permissions', 'admin-permissions'],
        ['Service tables', 'Service tables', 'admin-servicetables'],
        ['Affiliations', 'Affiliations', 'admin-affiliations'],
        ['Trusted apps', 'Trusted apps', 'admin-apps'],
        ['Tokens', 'Tokens', 'admin-own-tokens'],
      ]) {
        await boss.getByRole('link', { name: link, exact: true }).click();
        await boss.getByRole('heading', { name: heading, level: 1 }).waitFor();
        while ((await boss.locator('.state-loading').count()) > 0)
          await boss.locator('.state-loading').first().waitFor({ state: 'detached' });
        await checkPage(boss, name);
      }
    });
  });
});
