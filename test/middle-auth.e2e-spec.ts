import { POLICY_EVENTS } from '@tessera/contracts';
import { EventStore } from '@tessera/event-store';
import { eventually, startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';
import { PolicyFixtures } from './policy-fixtures';

const ADMIN_KEY = 'middle-auth-admin-key-0123456789abcdef';
/** Root ids of the chunked graph are 64-bit: beyond a double's exact integers. */
const PUBLIC_ROOT = '864691135000000001';
const OTHER_ROOT = '864691135000000003';

interface Answer {
  status: number;
  body: Json;
  text: string;
  headers: Headers;
}

interface User {
  id: string;
  number: number;
  token: string;
}

/**
 * The calls `middle_auth_client` (decorators.py) makes, exactly: the path under `AUTH_URL`
 * (`<tessera>/auth`), the lowercase `authorization: Bearer` header, the bare JSON array body of
 * root_all_public; and exactly the fields it reads from each answer.
 */
describe('middle_auth compatibility (CONTRACT section 8)', () => {
  let tessera: TesseraUnderTest;
  let fixtures: PolicyFixtures;
  let root: string;
  let ada: User;
  let alice: User;
  let bob: User;
  let carol: User;
  let lab: string;
  let minnie: string;
  let tosId: string;

  /** As middle_auth_client's `session.get(url, headers={"authorization": "Bearer " + token})`. */
  async function clientGet(token: string | undefined, path: string): Promise<Answer> {
    const response = await fetch(`${tessera.baseUrl}/auth/api/v1${path}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    const text = await response.text();
    return {
      status: response.status,
      text,
      body: text && response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : text,
      headers: response.headers,
    };
  }

  async function api(token: string, method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${tessera.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, text, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  async function register(name: string, options: { admin?: boolean; scopes?: string[] } = {}): Promise<User> {
    const created = await api(root, 'POST', '/api/v1/users', {
      name,
      email: `${name.toLowerCase()}@example.org`,
      admin: options.admin ?? false,
    });
    expect(created.status).toBe(201);
    expect(Number.isInteger(created.body.number)).toBe(true);
    const token = await fixtures.token(created.body.id, options.scopes ?? ['*', 'admin', 'tokens']);
    return { id: created.body.id, number: created.body.number, token };
  }

  beforeAll(async () => {
    tessera = await startTessera({ env: { TESSERA_ADMIN_KEY: ADMIN_KEY } });
    fixtures = new PolicyFixtures(tessera.db.pool, tessera.nats);
    const minted = await fetch(`${tessera.baseUrl}/api/v1/admin/tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ adminKey: ADMIN_KEY }),
    });
    root = ((await minted.json()) as { token: string }).token;
    ada = await register('Ada', { admin: true });
    alice = await register('Alice');
    bob = await register('Bob');
    carol = await register('Carol');
    lab = (await api(root, 'POST', '/api/v1/groups', { name: 'lab' })).body.id;
    minnie = (await api(root, 'POST', '/api/v1/datasets', { name: 'minnie65' })).body.id;
    for (const [user, admin] of [
      [alice, false],
      [bob, true],
      [carol, false],
    ] as const) {
      expect((await api(root, 'PUT', `/api/v1/groups/${lab}/members/${user.id}`, { admin })).status).toBe(200);
    }
    for (const permission of ['view', 'edit']) {
      expect((await api(root, 'PUT', `/api/v1/datasets/${minnie}/grants/${lab}/${permission}`, {})).status).toBe(200);
    }
    expect((await api(root, 'PUT', '/api/v1/servicetables/datastack/minnie65_public', { dataset: minnie })).status).toBe(200);
    const tos = await api(root, 'POST', `/api/v1/datasets/${minnie}/tos`, { title: 'MICrONS terms', text: 'cite the paper' });
    expect(tos.status).toBe(201);
    tosId = tos.body.id;
    expect((await api(alice.token, 'POST', `/api/v1/tos/${tosId}/accept`)).status).toBe(200);
    // What an import of middle_auth's public roots writes.
    const policy = new EventStore(tessera.db.pool, 'policy', tessera.nats);
    const marked = await policy.append({
      streamId: 'public-roots-minnie65_public',
      events: [{ type: POLICY_EVENTS.publicRootsMarked, data: { table: 'minnie65_public', roots: [PUBLIC_ROOT, '17'] } }],
    });
    await clientGet(alice.token, '/user/cache'); // warm
    await fetch(`${tessera.baseUrl}/api/v1/me`, {
      headers: { authorization: `Bearer ${alice.token}`, 'x-tessera-min-revision': String(marked.position) },
    });
  }, 120_000);

  afterAll(async () => {
    await tessera?.stop();
  });

  describe('GET /user/cache', () => {
    it('answers a user who accepted the terms: number, groups, permission levels, both permission maps, nothing missing', async () => {
      const answer = await clientGet(alice.token, '/user/cache');
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        id: alice.number,
        parent_id: null,
        service_account: false,
        name: 'Alice',
        email: 'alice@example.org',
        admin: false,
        pi: '',
        affiliations: [],
        groups: ['lab'],
        permissions: { minnie65: 2 },
        permissions_v2: { minnie65: ['edit', 'view'] },
        permissions_v2_ignore_tos: { minnie65: ['edit', 'view'] },
        missing_tos: [],
        datasets_admin: [],
        groups_admin: [],
      });
    });

    it('names the terms a user has not accepted, and holds the permissions only before them', async () => {
      const { status, body } = await clientGet(carol.token, '/user/cache');
      expect(status).toBe(200);
      expect(body.permissions_v2).toEqual({});
      expect(body.permissions).toEqual({});
      expect(body.permissions_v2_ignore_tos).toEqual({ minnie65: ['edit', 'view'] });
      expect(body.missing_tos).toEqual([{ dataset_id: minnie, dataset_name: 'minnie65', tos_id: tosId, tos_name: 'MICrONS terms' }]);
    });

    it("caps a view-only token's permissions, the terms-ignoring ones too, so it is never told to accept terms to edit", async () => {
      const aliceView = await fixtures.token(alice.id, ['view']);
      const accepted = await clientGet(aliceView, '/user/cache');
      expect(accepted.body.permissions_v2).toEqual({ minnie65: ['view'] });
      expect(accepted.body.permissions).toEqual({ minnie65: 1 });
      expect(accepted.body.permissions_v2_ignore_tos).toEqual({ minnie65: ['view'] });
      const carolView = await fixtures.token(carol.id, ['view']);
      const missing = await clientGet(carolView, '/user/cache');
      expect(missing.body.permissions_v2_ignore_tos).toEqual({ minnie65: ['view'] });
      expect(missing.body.permissions_v2_ignore_tos.minnie65).not.toContain('edit');
      expect(missing.body.missing_tos).toHaveLength(1);
      const noPermissions = await fixtures.token(carol.id, ['tokens']);
      const none = await clientGet(noPermissions, '/user/cache');
      expect(none.body).toMatchObject({ permissions: {}, permissions_v2: {}, permissions_v2_ignore_tos: {}, missing_tos: [] });
    });

    it('shows a super admin as admin only through a token carrying the admin scope', async () => {
      const full = await clientGet(ada.token, '/user/cache');
      expect(full.status).toBe(200);
      expect(full.body).toMatchObject({ id: ada.number, admin: true, name: 'Ada' });
      expect(full.body.permissions_v2.minnie65).toEqual(expect.arrayContaining(['view', 'edit']));
      const plain = await clientGet(await fixtures.token(ada.id, ['view']), '/user/cache');
      expect(plain.body.admin).toBe(false);
    });

    it("answers a group admin's admin groups", async () => {
      const { body } = await clientGet(bob.token, '/user/cache');
      expect(body.groups_admin).toEqual(['lab']);
      expect(body.missing_tos).toHaveLength(1);
    });

    it("a service account made by a user has it as parent and relies on the parent's terms; one without a parent needs its own", async () => {
      const made = await api(ada.token, 'POST', '/api/v1/service-accounts', { name: 'pipeline', scopes: ['view'] });
      expect(made.status).toBe(201);
      expect(made.body.parentId).toBe(ada.id);
      const orphan = await api(root, 'POST', '/api/v1/service-accounts', { name: 'orphan', scopes: ['view'] });
      expect(orphan.status).toBe(201);
      expect(orphan.body.parentId).toBeNull();
      for (const sa of [made.body.id, orphan.body.id]) {
        expect((await api(root, 'PUT', `/api/v1/groups/${lab}/members/${sa}`, { admin: false })).status).toBe(200);
      }
      const token = async (id: string) =>
        (await api(root, 'POST', `/api/v1/service-accounts/${id}/tokens`, { name: 'ci', scopes: ['view'] })).body.token;
      const saToken = await token(made.body.id);
      const withParent = await clientGet(saToken, '/user/cache');
      expect(withParent.status).toBe(200);
      expect(withParent.body).toMatchObject({ id: made.body.number, parent_id: ada.number, service_account: true, name: 'pipeline' });
      // Ada (the parent) has not accepted yet: the service account misses the terms.
      expect(withParent.body.missing_tos).toHaveLength(1);
      const accepted = await api(ada.token, 'POST', `/api/v1/tos/${tosId}/accept`);
      expect(accepted.status).toBe(200);
      // The same token, asking nothing more: the gateway kept its answer, and the parent's acceptance drops it.
      const afterBody = (await clientGet(saToken, '/user/cache')).body;
      expect(afterBody).toMatchObject({
        parent_id: ada.number,
        service_account: true,
        permissions_v2: { minnie65: ['view'] },
        missing_tos: [],
      });
      const orphanCache = await clientGet(await token(orphan.body.id), '/user/cache');
      expect(orphanCache.body).toMatchObject({ parent_id: null, service_account: true, permissions_v2: {} });
      expect(orphanCache.body.missing_tos).toEqual([expect.objectContaining({ dataset_name: 'minnie65', tos_id: tosId })]);
    });

    it('refuses a revoked token at once, with no grace period', async () => {
      const token = await fixtures.token(alice.id, ['*']);
      expect((await clientGet(token, '/user/cache')).status).toBe(200);
      const revoked = await fetch(`${tessera.baseUrl}/api/v1/tokens/revoke`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
      expect(revoked.status).toBe(200);
      const after = await clientGet(token, '/user/cache');
      expect(after.status).toBe(401);
      expect(after.body.error).toBe('revoked_token');
    });

    it('sees a grant made a moment ago at once', async () => {
      const v1dd = (await api(root, 'POST', '/api/v1/datasets', { name: 'v1dd' })).body.id;
      const granted = await api(root, 'PUT', `/api/v1/datasets/${v1dd}/grants/${lab}/view`, {});
      expect(granted.status).toBe(200);
      const { body } = await clientGet(alice.token, '/user/cache');
      expect(body.permissions_v2.v1dd).toEqual(['view']);
      expect(body.permissions.v1dd).toBe(1);
    });

    it('shows a revoked grant, new terms, their acceptance and an ended membership at once, on /user/cache and /api/v1/me/permissions alike', async () => {
      const erin = await register('Erin');
      const h01 = (await api(root, 'POST', '/api/v1/datasets', { name: 'h01' })).body.id;
      expect((await api(root, 'PUT', `/api/v1/groups/${lab}/members/${erin.id}`, { admin: false })).status).toBe(200);
      const granted: Answer[] = [];
      for (const permission of ['view', 'edit'])
        granted.push(await api(root, 'PUT', `/api/v1/datasets/${h01}/grants/${lab}/${permission}`, {}));
      /** What both routes say Erin holds on h01, each answer at least at the revision of the write before. */
      const held = async (write: Answer) => {
        expect(write.status).toBeLessThan(300);
        const written = Number(write.headers.get('x-tessera-revision'));
        const cache = await clientGet(erin.token, '/user/cache');
        const mine = await api(erin.token, 'GET', '/api/v1/me/permissions');
        expect([cache.status, mine.status]).toEqual([200, 200]);
        expect(Number(cache.headers.get('x-tessera-revision'))).toBeGreaterThanOrEqual(written);
        expect(Number(mine.headers.get('x-tessera-revision'))).toBeGreaterThanOrEqual(written);
        expect(mine.headers.get('x-tessera-revision')).toBe(mine.body.revision);
        return {
          cache: [...(cache.body.permissions_v2.h01 ?? [])].sort(),
          cacheTos: cache.body.missing_tos.some((tos: Json) => tos.dataset_name === 'h01'),
          cacheGroups: cache.body.groups,
          mine: [...(mine.body.permissions.h01 ?? [])].sort(),
          mineTos: mine.body.missingTos.some((tos: Json) => tos.dataset === 'h01'),
        };
      };
      const holding = (permissions: string[], missingTos = false, groups = ['lab']) => ({
        cache: permissions,
        cacheTos: missingTos,
        cacheGroups: groups,
        mine: permissions,
        mineTos: missingTos,
      });
      // Each answer below is first read (and kept by the policy app) before the write that changes it.
      expect(await held(granted[1])).toEqual(holding(['edit', 'view']));
      expect(await held(await api(root, 'DELETE', `/api/v1/datasets/${h01}/grants/${lab}/edit`))).toEqual(holding(['view']));
      const terms = await api(root, 'POST', `/api/v1/datasets/${h01}/tos`, { title: 'H01 terms', text: 'cite' });
      expect(await held(terms)).toEqual(holding([], true));
      expect(await held(await api(erin.token, 'POST', `/api/v1/tos/${terms.body.id}/accept`))).toEqual(holding(['view']));
      expect(await held(await api(root, 'DELETE', `/api/v1/groups/${lab}/members/${erin.id}`))).toEqual(holding([], false, []));
    });

    it('shows an affiliation at once, and one starting later once it starts, with no event in between', async () => {
      const frank = await register('Frank');
      const before = await clientGet(frank.token, '/user/cache');
      expect(before.body.affiliations).toEqual([]);
      const princeton = (await api(root, 'POST', '/api/v1/affiliations', { name: 'Princeton' })).body.id;
      const now = await api(root, 'PUT', `/api/v1/users/${frank.id}/affiliations/${princeton}`, { start: '2024-01-01' });
      expect(now.status).toBe(200);
      expect((await clientGet(frank.token, '/user/cache')).body.affiliations).toEqual(['Princeton']);
      const allen = (await api(root, 'POST', '/api/v1/affiliations', { name: 'Allen' })).body.id;
      const start = new Date(Date.now() + 2_000).toISOString();
      expect((await api(root, 'PUT', `/api/v1/users/${frank.id}/affiliations/${allen}`, { start })).status).toBe(200);
      expect((await clientGet(frank.token, '/user/cache')).body.affiliations).toEqual(['Princeton']);
      const later = await eventually(
        () => clientGet(frank.token, '/user/cache'),
        (answer) => answer.body.affiliations.length === 2,
        10_000,
      );
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(start));
      expect(later.body.affiliations).toEqual(['Allen', 'Princeton']);
    });

    it('answers 401 to no token and an unknown token, 400 to a header that is not Bearer, never 5xx', async () => {
      const none = await clientGet(undefined, '/user/cache');
      expect([none.status, none.body.error]).toEqual([401, 'no_token']);
      const unknown = await clientGet('0123456789abcdef0123456789abcdef', '/user/cache');
      expect([unknown.status, unknown.body.error]).toEqual([401, 'invalid_token']);
      const basic = await fetch(`${tessera.baseUrl}/auth/api/v1/user/cache`, { headers: { authorization: 'Basic YWxpY2U6cHc=' } });
      expect(basic.status).toBe(400);
      expect(((await basic.json()) as Json).error).toBe('bad_auth_header');
    });
  });

  describe('GET /service/<namespace>/table/<table>/dataset', () => {
    it('answers the dataset name as a bare JSON string', async () => {
      const answer = await clientGet(carol.token, '/service/datastack/table/minnie65_public/dataset');
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
      expect(answer.text).toBe('"minnie65"');
    });

    it('answers 404 for an unmapped table and 401 without a token', async () => {
      expect((await clientGet(alice.token, '/service/datastack/table/nowhere/dataset')).status).toBe(404);
      expect((await clientGet(undefined, '/service/datastack/table/minnie65_public/dataset')).status).toBe(401);
    });
  });

  describe('GET /username?id=', () => {
    it('answers [{id, name}] in the order asked, ids as numbers', async () => {
      const answer = await clientGet(alice.token, `/username?id=${bob.number},${alice.number}`);
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual([
        { id: bob.number, name: 'Bob' },
        { id: alice.number, name: 'Alice' },
      ]);
      expect(typeof answer.body[0].id).toBe('number');
    });

    it('answers 400 for an id that is not a number', async () => {
      const answer = await clientGet(alice.token, '/username?id=1,bob');
      expect(answer.status).toBe(400);
      expect(answer.body.details[0].field).toBe('id');
    });
  });

  describe('GET /user/<id>/permissions', () => {
    it("gives a user's cache object to a super admin, an admin of the user's group and a decisions service account", async () => {
      const decider = await api(root, 'POST', '/api/v1/service-accounts', { name: 'decider', scopes: ['decisions'] });
      const deciderToken = (
        await api(root, 'POST', `/api/v1/service-accounts/${decider.body.id}/tokens`, { name: 'svc', scopes: ['decisions'] })
      ).body.token;
      for (const token of [root, bob.token, deciderToken]) {
        const answer = await clientGet(token, `/user/${carol.number}/permissions`);
        expect(answer.status).toBe(200);
        expect(answer.body).toMatchObject({
          id: carol.number,
          name: 'Carol',
          groups: ['lab'],
          permissions_v2_ignore_tos: { minnie65: ['edit', 'view'] },
        });
      }
    });

    it('refuses anyone else with 403 and answers 404 for an unknown number', async () => {
      expect((await clientGet(alice.token, `/user/${carol.number}/permissions`)).status).toBe(403);
      expect((await clientGet(root, '/user/987654/permissions')).status).toBe(404);
    });
  });

  describe('public roots', () => {
    /** As are_roots_public: `data=json.dumps(list(root_ids))` with `Content-type: application/json`. */
    async function allPublic(table: string, body: string): Promise<Answer> {
      const response = await fetch(`${tessera.baseUrl}/auth/api/v1/table/${table}/root_all_public`, {
        method: 'POST',
        headers: { 'Content-type': 'application/json', authorization: `Bearer ${alice.token}` },
        body,
      });
      const text = await response.text();
      return { status: response.status, text, body: JSON.parse(text), headers: response.headers };
    }

    it('has_public and is_public answer true and false exactly, for 64-bit root ids', async () => {
      expect((await clientGet(alice.token, '/table/minnie65_public/has_public')).text).toBe('true');
      expect((await clientGet(alice.token, '/table/elsewhere/has_public')).text).toBe('false');
      expect((await clientGet(alice.token, `/table/minnie65_public/root/${PUBLIC_ROOT}/is_public`)).text).toBe('true');
      // One more than the public root: a double would round both to the same number.
      const neighbour = await clientGet(alice.token, `/table/minnie65_public/root/864691135000000002/is_public`);
      expect([neighbour.status, neighbour.text]).toEqual([200, 'false']);
    });

    it('root_all_public takes a bare JSON array of integers', async () => {
      expect((await allPublic('minnie65_public', `[${PUBLIC_ROOT}, 17]`)).text).toBe('true');
      expect((await allPublic('minnie65_public', `[${PUBLIC_ROOT}, ${OTHER_ROOT}]`)).text).toBe('false');
      expect((await allPublic('elsewhere', `[${PUBLIC_ROOT}]`)).text).toBe('false');
    });

    it('answers 400, never 5xx, to a body that is not an array of integers', async () => {
      for (const body of ['{"roots": [1]}', '[1.5]', '["x"]', '[[1]]', '[-1]']) {
        const answer = await allPublic('minnie65_public', body);
        expect([body, answer.status]).toEqual([body, 400]);
      }
      expect((await clientGet(alice.token, '/table/minnie65_public/root/abc/is_public')).status).toBe(400);
    });
  });

  describe("middle_auth's own user routes", () => {
    it('GET /user/me describes the caller with its number', async () => {
      const answer = await clientGet(alice.token, '/user/me');
      expect(answer.status).toBe(200);
      expect(answer.body).toMatchObject({
        id: alice.number,
        service_account: false,
        name: 'Alice',
        email: 'alice@example.org',
        admin: false,
      });
      expect(Date.parse(answer.body.created)).not.toBeNaN();
    });

    it('POST /user/token makes a token shown once, GET /user/token lists it masked, DELETE revokes it', async () => {
      const dora = await register('Dora');
      const made = await fetch(`${tessera.baseUrl}/auth/api/v1/user/token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${dora.token}` },
      });
      expect(made.status).toBe(200);
      const secret = (await made.json()) as string;
      expect(typeof secret).toBe('string');
      expect((await clientGet(secret, '/user/cache')).body.id).toBe(dora.number);
      const listed = await clientGet(dora.token, '/user/token');
      expect(listed.status).toBe(200);
      expect(listed.text).not.toContain(secret);
      expect(listed.text).not.toContain(dora.token);
      const entry = listed.body.find((token: Json) => token.description === 'middle_auth token');
      expect(entry).toMatchObject({ user_id: dora.number, token: `tsrp_…${secret.slice(-4)}` });
      const removed = await fetch(`${tessera.baseUrl}/auth/api/v1/user/token/${entry.id}`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${dora.token}` },
      });
      expect([removed.status, await removed.text()]).toEqual([200, '"success"']);
      expect((await clientGet(secret, '/user/cache')).status).toBe(401);
    });
  });

  it('shows user numbers in the native API', async () => {
    const user = await api(root, 'GET', `/api/v1/users/${carol.id}`);
    expect(user.body).toMatchObject({ id: carol.id, number: carol.number });
    expect(new Set([ada.number, alice.number, bob.number, carol.number]).size).toBe(4);
  });
});
