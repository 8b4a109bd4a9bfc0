import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { callApi, json, ROOT, startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';
import { configHome, signIn, startLogin, tesseraCli } from './cli/tessera-cli';
import { checkPage, launchChromium, newPerson, signInAs } from './console/console-browser';

const ADMIN_KEY = 'test-admin-key-cli-0123456789abcdef';
const GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

describe('device login (RFC 8628) and the tessera command line (CONTRACT section 9)', () => {
  let tessera: TesseraUnderTest;
  let adminToken: string;
  /** A person signed in through the dev provider, with a config home where the CLI keeps its login. */
  let ada: { session: string; home: string };

  const api = async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await callApi(tessera.baseUrl, method, path, { token, body });
    return { status: response.status, body: response.status === 204 ? null : await json(response) };
  };
  const form = (path: string, fields: Record<string, string>) =>
    fetch(`${tessera.baseUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields),
    });
  const cli = (args: string[], env: Record<string, string | undefined> = {}) =>
    tesseraCli(args, { TESSERA_URL: tessera.baseUrl, XDG_CONFIG_HOME: ada.home, ...env });
  const eventsOfType = async (type: string): Promise<Json[]> =>
    (await tessera.db.pool.query('SELECT stream_id, data, metadata FROM event_store.events WHERE type = $1 ORDER BY position', [type]))
      .rows;

  beforeAll(async () => {
    tessera = await startTessera({ env: { TESSERA_ADMIN_KEY: ADMIN_KEY } });
    adminToken = (await api('POST', '/api/v1/admin/tokens', undefined, { adminKey: ADMIN_KEY })).body.token;
    ada = { session: await signIn(tessera.baseUrl, 'ada'), home: configHome() };
  }, 120_000);

  afterAll(async () => {
    await tessera?.stop();
  });

  describe('login approved through the API', () => {
    it('prints the code, and once the signed-in person approves, keeps a personal token in a 0600 file and says who is logged in', async () => {
      const run = startLogin(['--no-browser'], { TESSERA_URL: tessera.baseUrl, XDG_CONFIG_HOME: ada.home });
      const userCode = await run.userCode;
      expect(userCode).toMatch(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);

      const shown = await api('GET', `/api/v1/device?user_code=${userCode.toLowerCase()}`, ada.session);
      expect(shown).toMatchObject({
        status: 200,
        body: { userCode, clientId: 'tessera-cli', scopes: ['*', 'tokens', 'admin'], status: 'pending' },
      });
      const approved = await api('POST', '/api/v1/device/approve', ada.session, { userCode });
      expect(approved.status).toBe(200);
      expect(approved.body.revision).toMatch(/^\d+$/);

      const done = await run.done;
      expect(done.stderr).toContain(`${tessera.baseUrl}/device?user_code=${userCode}`);
      expect({ code: done.code, stdout: done.stdout }).toEqual({
        code: 0,
        stdout: `Logged in to ${tessera.baseUrl} as ada <ada@dev.tessera.invalid>; token kept in ${join(ada.home, 'tessera', 'token')}\n`,
      });
      const file = join(ada.home, 'tessera', 'token');
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const token = readFileSync(file, 'utf8').trim();
      expect(token).toMatch(/^tsrp_/);
      const me = await api('GET', '/api/v1/me', token);
      expect(me.body.name).toBe('ada');

      // The request and the approval are events; neither code is in them, the token only by id.
      const [requested] = await eventsOfType('DeviceAuthorizationRequested');
      const [approval] = await eventsOfType('DeviceAuthorizationApproved');
      expect(requested.data).toMatchObject({ clientId: 'tessera-cli', scopes: ['*', 'tokens', 'admin'] });
      expect(approval.stream_id).toBe(requested.stream_id);
      expect(approval.metadata.actor).toBe(me.body.id);
      expect(JSON.stringify([requested, approval])).not.toContain(userCode);
      const tokens = await api('GET', '/api/v1/tokens', token);
      const device = tokens.body.items.find((item: Json) => item.id === approval.data.tokenId);
      expect(device).toMatchObject({ name: 'tessera-cli (device login)', kind: 'personal', scopes: ['*', 'tokens', 'admin'] });
      expect(Date.parse(device.expiresAt) - Date.now()).toBeGreaterThan(29.9 * 86_400_000);

      // Decided once: a second approval is a conflict.
      const again = await api('POST', '/api/v1/device/approve', ada.session, { userCode });
      expect({ status: again.status, error: again.body.error }).toEqual({ status: 409, error: 'conflict' });
    });

    it('whoami answers from the stored login, as a summary and as JSON', async () => {
      const human = await cli(['whoami']);
      expect(human.code).toBe(0);
      expect(human.stdout).toMatch(/^ada <ada@dev\.tessera\.invalid>\n/);
      expect(human.stdout).toContain(`gateway ${tessera.baseUrl}`);
      const parsed = JSON.parse((await cli(['whoami', '--json'])).stdout);
      expect(parsed).toMatchObject({ name: 'ada', admin: false, serviceAccount: false });
      // --token comes before the stored login.
      const asAdmin = await cli(['--json', 'whoami', '--token', adminToken]);
      expect(JSON.parse(asAdmin.stdout)).toMatchObject({ admin: true });
    });

    it('creates, lists and revokes a token; the revoked token is refused', async () => {
      const created = await cli(['tokens', 'create', 'notebook', '--scope', 'view', '--days', '7', '--json']);
      expect(created.code).toBe(0);
      const minted = JSON.parse(created.stdout);
      expect(minted).toMatchObject({ name: 'notebook', scopes: ['view'], kind: 'personal' });
      expect((await api('GET', '/api/v1/me', minted.token)).status).toBe(200);

      const listed = JSON.parse((await cli(['tokens', 'list', '--json'])).stdout);
      expect(listed.items.map((item: Json) => item.name)).toEqual(expect.arrayContaining(['notebook', 'tessera-cli (device login)']));
      expect(JSON.stringify(listed)).not.toContain(minted.token);
      const table = await cli(['tokens', 'list']);
      expect(table.stdout.split('\n')[0]).toBe('id\tname\tkind\thint\tscopes\texpires\tlast used');
      expect(table.stdout).toMatch(new RegExp(`^${minted.id}\\tnotebook\\tpersonal\\t`, 'm'));

      const revoked = await cli(['tokens', 'revoke', minted.id]);
      expect({ code: revoked.code, stdout: revoked.stdout }).toEqual({ code: 0, stdout: `revoked ${minted.id}\n` });
      const refused = await api('GET', '/api/v1/me', minted.token);
      expect({ status: refused.status, error: refused.body.error }).toEqual({ status: 401, error: 'revoked_token' });
      const unknown = await cli(['tokens', 'revoke', '00000000-0000-4000-8000-000000000000']);
      expect(unknown.code).toBe(66);
    });

    it('logs out: the token is revoked and the file is gone', async () => {
      const home = configHome();
      const run = startLogin(['--no-browser'], { TESSERA_URL: tessera.baseUrl, XDG_CONFIG_HOME: home });
      expect((await api('POST', '/api/v1/device/approve', ada.session, { userCode: await run.userCode })).status).toBe(200);
      expect((await run.done).code).toBe(0);
      const token = readFileSync(join(home, 'tessera', 'token'), 'utf8').trim();
      const out = await cli(['logout'], { XDG_CONFIG_HOME: home });
      expect(out.code).toBe(0);
      expect((await api('GET', '/api/v1/me', token)).body.error).toBe('revoked_token');
      const after = await cli(['whoami'], { XDG_CONFIG_HOME: home });
      expect(after.code).toBe(78);
    });

    it('ends with exit 77 when the person denies the request, and the denial is an event', async () => {
      const home = configHome();
      const run = startLogin(['--no-browser'], { TESSERA_URL: tessera.baseUrl, XDG_CONFIG_HOME: home });
      const userCode = await run.userCode;
      expect((await api('POST', '/api/v1/device/deny', ada.session, { userCode })).status).toBe(200);
      const done = await run.done;
      expect({ code: done.code, stderr: done.stderr }).toMatchObject({ code: 77, stderr: expect.stringContaining('the login was denied') });
      expect(() => statSync(join(home, 'tessera', 'token'))).toThrow();
      const denials = await eventsOfType('DeviceAuthorizationDenied');
      expect(denials).toHaveLength(1);
      const approveAfter = await api('POST', '/api/v1/device/approve', ada.session, { userCode });
      expect({ status: approveAfter.status, error: approveAfter.body.error }).toEqual({ status: 409, error: 'conflict' });
    });
  });

  describe('login approved on the console page', () => {
    it('shows the code, the client and the scopes to the signed-in person, who approves in Chromium; the command line is then logged in', async () => {
      const home = configHome();
      const run = startLogin(['--no-browser', '--scope', '* tokens'], { TESSERA_URL: tessera.baseUrl, XDG_CONFIG_HOME: home });
      const userCode = await run.userCode;
      const browser = await launchChromium();
      try {
        const { page, cspViolations } = await newPerson(browser, tessera.baseUrl);
        await signInAs(page, 'grace', `/device?user_code=${userCode}`);
        await page.getByRole('heading', { name: 'A device asks to sign in as you', level: 2 }).waitFor();
        const facts = await page.locator('.facts').innerText();
        expect(facts).toContain(userCode);
        expect(facts).toContain('tessera-cli');
        expect(facts).toContain('every dataset permission you hold');
        expect(facts).toContain('manage your own tokens');
        await checkPage(page, 'device-approval');
        await page.getByRole('button', { name: 'Approve' }).click();
        await page.getByText('Approved.').waitFor();
        await checkPage(page, 'device-approved');
        expect(cspViolations).toEqual([]);
      } finally {
        await browser.close();
      }
      const done = await run.done;
      expect(done.code).toBe(0);
      expect(done.stdout).toMatch(/^Logged in to .* as grace /);
      const me = JSON.parse((await cli(['whoami', '--json'], { XDG_CONFIG_HOME: home })).stdout);
      expect(me.name).toBe('grace');
    });
  });

  describe('administration from the terminal', () => {
    it('lets an admin create a dataset, a group with a member and a grant; check then answers allowed and denied', async () => {
      const admin = (args: string[]) => cli(args, { TESSERA_TOKEN: adminToken });
      const adaId = JSON.parse((await cli(['whoami', '--json'])).stdout).id;
      const dataset = JSON.parse((await admin(['datasets', 'create', 'cli-brain', '--description', 'made from the CLI', '--json'])).stdout);
      expect(dataset).toMatchObject({ name: 'cli-brain', description: 'made from the CLI' });
      const group = await admin(['groups', 'create', 'cli-lab']);
      expect(group).toMatchObject({ code: 0, stdout: expect.stringMatching(/^created group cli-lab \([0-9a-f-]{36}\)\n$/) });
      expect((await admin(['groups', 'members', 'add', 'cli-lab', adaId])).code).toBe(0);
      const granted = await admin(['grants', 'add', 'cli-brain', 'cli-lab', 'view', '--json']);
      expect(granted.code).toBe(0);
      const { revision } = JSON.parse(granted.stdout);

      const grants = await admin(['grants', 'list', 'cli-brain']);
      expect(grants.stdout).toBe('group\tpermission\tuntil\ncli-lab\tview\talways\n');
      const members = JSON.parse((await admin(['groups', 'show', 'cli-lab', '--json'])).stdout);
      expect(members.members).toEqual([expect.objectContaining({ userId: adaId, admin: false })]);

      const allowed = await cli(['check', 'view', '--dataset', 'cli-brain', '--min-revision', revision]);
      expect(allowed).toMatchObject({ code: 0, stdout: 'allowed: view on dataset cli-brain\n' });
      const denied = await cli(['check', 'edit', '--dataset', 'cli-brain', '--json', '--min-revision', revision]);
      expect(denied.code).toBe(77);
      expect(JSON.parse(denied.stdout)).toMatchObject({ allowed: false, error: 'missing_permission' });
      const parsed = JSON.parse((await cli(['--json', 'check', 'view', '--dataset', 'cli-brain'])).stdout);
      expect(parsed).toMatchObject({ allowed: true, revision: expect.stringMatching(/^\d+$/) });

      // A person without admin rights is refused the admin commands with exit 77, and a name that does not exist is 66.
      const refused = await cli(['groups', 'create', 'not-mine']);
      expect({ code: refused.code, stderr: refused.stderr }).toEqual({ code: 77, stderr: expect.stringContaining('HTTP 403 not_admin') });
      expect((await admin(['grants', 'list', 'no-such-dataset'])).code).toBe(66);
      const usage = await cli(['check', 'view']);
      expect({ code: usage.code, stderr: usage.stderr }).toEqual({
        code: 64,
        stderr: 'tessera: check needs --dataset, or --service and --table\n',
      });
    });
  });

  describe('the device endpoints', () => {
    it('answers authorization_pending, then slow_down to polls that come too fast, with a growing interval (form bodies)', async () => {
      const code = await json(await form('/auth/device/code', { client_id: 'poller', scope: 'view' }));
      expect(code).toMatchObject({ verification_uri: `${tessera.baseUrl}/device`, expires_in: 900, interval: 5 });
      expect(code.verification_uri_complete).toBe(`${tessera.baseUrl}/device?user_code=${code.user_code}`);
      const poll = async () => {
        const response = await form('/auth/device/token', { grant_type: GRANT, device_code: code.device_code });
        return { status: response.status, body: await json(response) };
      };
      expect(await poll()).toMatchObject({ status: 400, body: { error: 'authorization_pending' } });
      expect(await poll()).toMatchObject({ status: 400, body: { error: 'slow_down', interval: 10 } });
      expect(await poll()).toMatchObject({ status: 400, body: { error: 'slow_down', interval: 15 } });
    });

    it('answers expired_token for an expired device code, and the page can no longer approve it (JSON bodies)', async () => {
      const code = (await api('POST', '/auth/device/code', undefined, {})).body;
      await tessera.db.pool.query("UPDATE identity.device_requests SET expires_at = now() - interval '1 second' WHERE user_code = $1", [
        code.user_code,
      ]);
      const polled = await api('POST', '/auth/device/token', undefined, { grant_type: GRANT, device_code: code.device_code });
      expect(polled).toEqual({
        status: 400,
        body: { statusCode: 400, error: 'expired_token', message: expect.any(String), details: [], error_description: expect.any(String) },
      });
      const approve = await api('POST', '/api/v1/device/approve', ada.session, { userCode: code.user_code });
      expect(approve.status).toBe(404);
      expect((await api('POST', '/auth/device/token', undefined, { grant_type: GRANT, device_code: 'made-up' })).body.error).toBe(
        'invalid_grant',
      );
    });

    it('refuses an unknown scope, a wrong grant type and a malformed user code, naming the field', async () => {
      const scope = await api('POST', '/auth/device/code', undefined, { scope: 'view teleport' });
      expect({ status: scope.status, field: scope.body.details[0].field }).toEqual({ status: 400, field: 'scope' });
      const grant = await api('POST', '/auth/device/token', undefined, { grant_type: 'password', device_code: 'x' });
      expect({ status: grant.status, field: grant.body.details[0].field }).toEqual({ status: 400, field: 'grant_type' });
      const typo = await api('GET', '/api/v1/device?user_code=ABCD-EFGH', ada.session);
      expect({ status: typo.status, field: typo.body.details[0].field }).toEqual({ status: 400, field: 'user_code' });
      const anonymous = await api('GET', '/api/v1/device?user_code=BCDF-GHJK');
      expect(anonymous.status).toBe(401);
    });

    it('lets another gateway replica collect what one replica started and the person approved', async () => {
      const second = await tessera.startReplica('gateway');
      const code = (await api('POST', '/auth/device/code', undefined, { client_id: 'replica-test' })).body;
      expect((await api('POST', '/api/v1/device/approve', ada.session, { userCode: code.user_code })).status).toBe(200);
      const collected = await fetch(`${second.baseUrl!}/auth/device/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: GRANT, device_code: code.device_code }),
      });
      const body = await json(collected);
      expect({ status: collected.status, type: body.token_type }).toEqual({ status: 200, type: 'Bearer' });
      expect(body.expires_in).toBeGreaterThan(29 * 86_400);
      expect((await api('GET', '/api/v1/me', body.access_token)).body.name).toBe('ada');
      await second.stop();
    });
  });

  describe('exports with a progress bar', () => {
    it('draws a bar on a terminal and writes one line per event to the file', () => {
      const out = join(configHome(), 'log.ndjson');
      // `script` gives the command line a terminal, as a person would have.
      const run = spawnSync(
        'script',
        ['-qec', `${process.execPath} ${join(ROOT, 'bin', 'tessera.js')} audit export --out ${out}`, '/dev/null'],
        {
          env: { ...process.env, TESSERA_URL: tessera.baseUrl, TESSERA_TOKEN: adminToken, XDG_CONFIG_HOME: configHome() },
          encoding: 'utf8',
          timeout: 30_000,
        },
      );
      expect(run.status).toBe(0);
      const lines = readFileSync(out, 'utf8').trim().split('\n');
      expect(lines.length).toBeGreaterThan(5);
      expect(run.stdout).toMatch(/export \[=+\] 100% \d+ events/);
      expect(run.stdout).toContain(`exported ${lines.length} events to ${out}`);
    });
  });
});
