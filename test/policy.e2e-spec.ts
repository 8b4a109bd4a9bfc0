import { headers as natsHeaders } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { POLICY_ADMIN_SUBJECTS, REVISION_HEADER, SERVED_HEADER, SUBJECTS, VALID_UNTIL_HEADER } from '@tessera/contracts';
import { startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';
import { PolicyFixtures, type TestUser } from './policy-fixtures';

interface Answer {
  status: number;
  body: Json;
  headers: Headers;
}

describe('policy (CONTRACT sections 5 and 6)', () => {
  let tessera: TesseraUnderTest;
  let fixtures: PolicyFixtures;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let decider: TestUser;
  let aliceViewOnly: string;
  let lab: string;
  let minnie: string;

  async function api(token: string | undefined, method: string, path: string, body?: unknown): Promise<Answer> {
    const response = await fetch(`${tessera.baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined, headers: response.headers };
  }

  async function ask(subject: string, body: unknown, authorization?: string): Promise<Json> {
    let headers;
    if (authorization) {
      headers = natsHeaders();
      headers.set('Authorization', authorization);
    }
    const reply = await tessera.nats.request(subject, JSON.stringify(body), { timeout: 5_000, headers });
    return reply.json();
  }

  beforeAll(async () => {
    tessera = await startTessera();
    fixtures = new PolicyFixtures(tessera.db.pool, tessera.nats);
    admin = await fixtures.user({ name: 'Ada Admin', admin: true });
    alice = await fixtures.user({ name: 'Alice' });
    bob = await fixtures.user({ name: 'Bob' });
    carol = await fixtures.user({ name: 'Carol', readOnly: true });
    decider = await fixtures.serviceAccount(['decisions']);
    aliceViewOnly = await fixtures.token(alice.id, ['view']);

    const group = await api(admin.token, 'POST', '/api/v1/groups', { name: 'lab' });
    expect(group.status).toBe(201);
    lab = group.body.id;
    const dataset = await api(admin.token, 'POST', '/api/v1/datasets', { name: 'minnie', description: 'mouse cortex' });
    expect(dataset.status).toBe(201);
    minnie = dataset.body.id;
    for (const [user, isAdmin] of [
      [bob, true],
      [alice, false],
      [carol, false],
    ] as const) {
      expect((await api(admin.token, 'PUT', `/api/v1/groups/${lab}/members/${user.id}`, { admin: isAdmin })).status).toBe(200);
    }
    for (const permission of ['view', 'edit']) {
      expect((await api(admin.token, 'PUT', `/api/v1/datasets/${minnie}/grants/${lab}/${permission}`, {})).status).toBe(200);
    }
  }, 90_000);

  afterAll(async () => {
    await tessera?.stop();
  });

  describe('writes', () => {
    it('answers a write with its revision in the body and the header, and records the acting user', async () => {
      const created = await api(admin.token, 'POST', '/api/v1/groups', { name: 'writers' });
      expect(created.status).toBe(201);
      expect(created.body).toEqual({ id: expect.any(String), name: 'writers', revision: expect.stringMatching(/^\d+$/) });
      expect(created.headers.get('x-tessera-revision')).toBe(created.body.revision);
      const row = await tessera.db.pool.query('SELECT type, stream_id, metadata FROM event_store.events WHERE position = $1', [
        Number(created.body.revision),
      ]);
      expect(row.rows[0]).toMatchObject({ type: 'GroupCreated', stream_id: `group-${created.body.id}`, metadata: { actor: admin.id } });
    });

    it('refuses duplicate group and dataset names with 409 conflict', async () => {
      const group = await api(admin.token, 'POST', '/api/v1/groups', { name: 'lab' });
      expect(group.status).toBe(409);
      expect(group.body.error).toBe('conflict');
      const dataset = await api(admin.token, 'POST', '/api/v1/datasets', { name: 'minnie' });
      expect(dataset.status).toBe(409);
      expect(dataset.body.error).toBe('conflict');
    });

    it('lets exactly one of concurrent creations of a name win, writing nothing for the others', async () => {
      const answers = await Promise.all(Array.from({ length: 6 }, () => api(admin.token, 'POST', '/api/v1/datasets', { name: 'race' })));
      expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
      const events = await tessera.db.pool.query(
        "SELECT count(*)::int AS n FROM event_store.events WHERE type = 'DatasetCreated' AND data->>'name' = 'race'",
      );
      expect(events.rows[0].n).toBe(1);
    });

    it('gives concurrent TOS versions of one dataset distinct numbers: a publisher that lost the race answers 409 and writes nothing', async () => {
      const dataset = await api(admin.token, 'POST', '/api/v1/datasets', { name: 'contested' });
      const answers = await Promise.all(
        Array.from({ length: 8 }, (_, n) =>
          api(admin.token, 'POST', `/api/v1/datasets/${dataset.body.id}/tos`, { title: `v${n}`, text: 'x' }),
        ),
      );
      const won = answers.filter((answer) => answer.status === 201);
      for (const lost of answers.filter((answer) => answer.status !== 201))
        expect([lost.status, lost.body.error]).toEqual([409, 'conflict']);
      expect(won.map((answer) => answer.body.version).sort()).toEqual(won.map((_, n) => n + 1));
      const events = await tessera.db.pool.query(
        "SELECT data->>'tosId' AS id, (data->>'version')::int AS version FROM event_store.events WHERE type = 'TosPublished' AND stream_id = $1 ORDER BY position",
        [`dataset-${dataset.body.id}`],
      );
      expect(events.rows).toEqual(
        won.map((answer) => ({ id: answer.body.id, version: answer.body.version })).sort((a, b) => a.version - b.version),
      );
    });

    it('answers an unknown dataset with 404 and an unknown field with 400 naming it', async () => {
      const missing = await api(admin.token, 'GET', `/api/v1/datasets/${randomUUID()}`);
      expect(missing.status).toBe(404);
      expect(missing.body.error).toBe('not_found');
      const grant = await api(admin.token, 'PUT', `/api/v1/datasets/${randomUUID()}/grants/${lab}/view`, {});
      expect(grant.status).toBe(404);
      const extra = await api(admin.token, 'POST', '/api/v1/datasets', { name: 'x', colour: 'red' });
      expect(extra.status).toBe(400);
      expect(extra.body.details).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'colour' })]));
    });

    it('keeps a permission registry of lowercase words: malformed 400, duplicate 409', async () => {
      const bad = await api(admin.token, 'POST', '/api/v1/permissions', { name: 'Read-All' });
      expect(bad.status).toBe(400);
      expect(bad.body.error).toBe('bad_request');
      expect(bad.body.details).toEqual([expect.objectContaining({ field: 'name' })]);
      expect((await api(admin.token, 'POST', '/api/v1/permissions', { name: 'annotate' })).status).toBe(201);
      expect((await api(admin.token, 'POST', '/api/v1/permissions', { name: 'annotate' })).status).toBe(409);
      expect((await api(admin.token, 'POST', '/api/v1/permissions', { name: 'view' })).status).toBe(409);
      const list = await api(alice.token, 'GET', '/api/v1/permissions');
      expect(list.body.items.map((item: { name: string }) => item.name)).toEqual(['admin_view', 'annotate', 'edit', 'view']);
      const malformedGrant = await api(admin.token, 'PUT', `/api/v1/datasets/${minnie}/grants/${lab}/Not-A-Word`, {});
      expect(malformedGrant.status).toBe(400);
    });

    it('lets only a super admin create groups and datasets (403 not_admin)', async () => {
      const group = await api(alice.token, 'POST', '/api/v1/groups', { name: 'mine' });
      expect(group.status).toBe(403);
      expect(group.body.error).toBe('not_admin');
      expect((await api(bob.token, 'POST', '/api/v1/datasets', { name: 'bobs' })).status).toBe(403);
    });

    it('checks group admin rights against the specific group', async () => {
      const other = (await api(admin.token, 'POST', '/api/v1/groups', { name: 'other' })).body.id;
      const dave = await fixtures.user({ name: 'Dave' });
      // Bob administers lab: he adds members there, not to another group.
      expect((await api(bob.token, 'PUT', `/api/v1/groups/${lab}/members/${dave.id}`, {})).status).toBe(200);
      const unknownUser = await api(bob.token, 'PUT', `/api/v1/groups/${lab}/members/${randomUUID()}`, {});
      expect(unknownUser.status).toBe(404);
      expect((await api(bob.token, 'PUT', `/api/v1/groups/${lab}/members/not-a-uuid`, {})).status).toBe(400);
      const elsewhere = await api(bob.token, 'PUT', `/api/v1/groups/${other}/members/${dave.id}`, {});
      expect(elsewhere.status).toBe(403);
      expect(elsewhere.body.error).toBe('not_admin');
      // Only a super admin removes a group admin.
      expect((await api(admin.token, 'PUT', `/api/v1/groups/${lab}/members/${dave.id}`, { admin: true })).status).toBe(200);
      expect((await api(bob.token, 'DELETE', `/api/v1/groups/${lab}/members/${dave.id}`)).status).toBe(403);
      const removed = await api(admin.token, 'DELETE', `/api/v1/groups/${lab}/members/${dave.id}`);
      expect(removed.status).toBe(204);
      expect(removed.headers.get('x-tessera-revision')).toMatch(/^\d+$/);
      // A member reads its group; a stranger may not.
      expect((await api(alice.token, 'GET', `/api/v1/groups/${lab}`)).body.members).toEqual(
        expect.arrayContaining([{ userId: alice.id, name: 'Alice', admin: false }]),
      );
      expect((await api(dave.token, 'GET', `/api/v1/groups/${lab}`)).status).toBe(403);
    });

    it('checks dataset admin rights against the specific dataset', async () => {
      const fly = (await api(admin.token, 'POST', '/api/v1/datasets', { name: 'fly' })).body.id;
      const erin = await fixtures.user({ name: 'Erin' });
      expect((await api(admin.token, 'PUT', `/api/v1/datasets/${fly}/admins/${erin.id}`)).status).toBe(200);
      expect((await api(erin.token, 'PUT', `/api/v1/datasets/${fly}/grants/${lab}/view`, {})).status).toBe(200);
      expect((await api(erin.token, 'PUT', `/api/v1/datasets/${minnie}/grants/${lab}/admin_view`, {})).status).toBe(403);
      const grants = await api(erin.token, 'GET', `/api/v1/datasets/${fly}/grants`);
      expect(grants.body.items).toEqual([{ groupId: lab, groupName: 'lab', permission: 'view', expiresAt: null, expired: false }]);
      expect((await api(erin.token, 'GET', '/api/v1/datasets')).body.items.map((d: { name: string }) => d.name)).toEqual(['fly']);
      expect(
        (await api(erin.token, 'GET', `/api/v1/datasets/${fly}/users?permission=view`)).body.items.map((u: { id: string }) => u.id),
      ).toEqual(expect.arrayContaining([alice.id, bob.id, carol.id]));
    });

    it('paginates lists with limit and cursor', async () => {
      for (const name of ['page-a', 'page-b', 'page-c']) await api(admin.token, 'POST', '/api/v1/groups', { name });
      const names: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Answer = await api(admin.token, 'GET', `/api/v1/groups?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        names.push(...page.body.items.map((group: { name: string }) => group.name));
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(names).toEqual(expect.arrayContaining(['lab', 'page-a', 'page-b', 'page-c']));
      expect(new Set(names).size).toBe(names.length);
      expect((await api(admin.token, 'GET', '/api/v1/groups?limit=501')).status).toBe(400);
    });

    it('keeps affiliations with start and end dates', async () => {
      const created = await api(admin.token, 'POST', '/api/v1/affiliations', { name: 'Allen Institute', contactEmail: 'a@example.org' });
      expect(created.status).toBe(201);
      const put = await api(admin.token, 'PUT', `/api/v1/users/${alice.id}/affiliations/${created.body.id}`, {
        start: '2020-01-01',
        end: '2021-06-30',
      });
      expect(put.status).toBe(200);
      const mine = await api(alice.token, 'GET', `/api/v1/users/${alice.id}/affiliations`);
      expect(mine.body.items).toEqual([
        {
          affiliationId: created.body.id,
          name: 'Allen Institute',
          start: '2020-01-01T00:00:00.000Z',
          end: '2021-06-30T00:00:00.000Z',
          current: false,
        },
      ]);
      expect((await api(bob.token, 'GET', `/api/v1/users/${alice.id}/affiliations`)).status).toBe(403);
      expect((await api(bob.token, 'POST', '/api/v1/affiliations', { name: 'x' })).status).toBe(403);
    });

    it('shows the caller its groups and affiliations in GET /api/v1/me, answered by the gateway alone', async () => {
      const created = await api(admin.token, 'POST', '/api/v1/affiliations', { name: 'Janelia' });
      const put = await api(admin.token, 'PUT', `/api/v1/users/${bob.id}/affiliations/${created.body.id}`, { start: '2024-01-01' });
      expect(put.status).toBe(200);
      const me = await fetch(`${tessera.baseUrl}/api/v1/me`, {
        headers: { authorization: `Bearer ${bob.token}`, 'x-tessera-min-revision': put.headers.get('x-tessera-revision')! },
      });
      expect(me.status).toBe(200);
      expect(await me.json()).toMatchObject({
        id: bob.id,
        name: 'Bob',
        groups: expect.arrayContaining(['lab']),
        affiliations: [{ affiliationId: created.body.id, name: 'Janelia', start: '2024-01-01T00:00:00.000Z', end: null, current: true }],
      });
      const mine = await api(bob.token, 'GET', `/api/v1/users/${bob.id}/affiliations`);
      expect((await api(bob.token, 'GET', '/api/v1/me')).body.affiliations).toEqual(mine.body.items);
    });
  });

  describe('GET /api/v1/check', () => {
    it('allows what a group of the user holds, by dataset id or exact name', async () => {
      const byName = await api(alice.token, 'GET', '/api/v1/check?permission=view&dataset=minnie');
      expect(byName.status).toBe(200);
      expect(byName.body).toEqual({ allowed: true, revision: expect.stringMatching(/^\d+$/) });
      expect((await api(alice.token, 'GET', `/api/v1/check?permission=edit&dataset=${minnie}`)).status).toBe(200);
      const missing = await api(alice.token, 'GET', '/api/v1/check?permission=admin_view&dataset=minnie');
      expect(missing.status).toBe(403);
      expect(missing.body.error).toBe('missing_permission');
      expect((await api(alice.token, 'GET', '/api/v1/check?permission=view&dataset=Minnie')).status).toBe(404);
    });

    it('caps permissions by the token scopes (insufficient_scope)', async () => {
      expect((await api(aliceViewOnly, 'GET', '/api/v1/check?permission=view&dataset=minnie')).status).toBe(200);
      const edit = await api(aliceViewOnly, 'GET', '/api/v1/check?permission=edit&dataset=minnie');
      expect(edit.status).toBe(403);
      expect(edit.body.error).toBe('insufficient_scope');
    });

    it('never gives edit to a read-only user', async () => {
      expect((await api(carol.token, 'GET', '/api/v1/check?permission=view&dataset=minnie')).status).toBe(200);
      const edit = await api(carol.token, 'GET', '/api/v1/check?permission=edit&dataset=minnie');
      expect(edit.status).toBe(403);
      expect(edit.body.error).toBe('missing_permission');
    });

    it('gives a super admin everything, and a stranger nothing', async () => {
      expect((await api(admin.token, 'GET', '/api/v1/check?permission=admin_view&dataset=minnie')).status).toBe(200);
      const stranger = await fixtures.user();
      expect((await api(stranger.token, 'GET', '/api/v1/check?permission=view&dataset=minnie')).status).toBe(403);
      expect((await api(undefined, 'GET', '/api/v1/check?permission=view&dataset=minnie')).status).toBe(401);
    });

    it('resolves servicetables, and answers 404 for an unknown table or dataset', async () => {
      const mapped = await api(admin.token, 'PUT', '/api/v1/servicetables/pcg/minnie65', { dataset: 'minnie' });
      expect(mapped.status).toBe(200);
      expect(mapped.body).toMatchObject({ service: 'pcg', table: 'minnie65', dataset: minnie, datasetName: 'minnie' });
      expect((await api(alice.token, 'GET', '/api/v1/servicetables?service=pcg')).body.items).toHaveLength(1);
      expect((await api(alice.token, 'GET', '/api/v1/check?permission=view&service=pcg&table=minnie65')).status).toBe(200);
      expect((await api(alice.token, 'GET', '/api/v1/check?permission=view&service=pcg&table=nope')).status).toBe(404);
      expect((await api(alice.token, 'GET', `/api/v1/check?permission=view&dataset=${randomUUID()}`)).status).toBe(404);
      expect((await api(alice.token, 'PUT', '/api/v1/servicetables/pcg/x', { dataset: 'minnie' })).status).toBe(403);
    });

    it('ends a grant at its expiry, with no write', async () => {
      const expiresAt = new Date(Date.now() + 1_500).toISOString();
      const grant = await api(admin.token, 'PUT', `/api/v1/datasets/${minnie}/grants/${lab}/admin_view`, { expiresAt });
      expect(grant.status).toBe(200);
      expect(grant.body).toMatchObject({ expiresAt, permission: 'admin_view' });
      expect((await api(alice.token, 'GET', '/api/v1/check?permission=admin_view&dataset=minnie')).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, Date.parse(expiresAt) - Date.now() + 50));
      const after = await api(alice.token, 'GET', '/api/v1/check?permission=admin_view&dataset=minnie');
      expect(after.status).toBe(403);
      expect(after.body.error).toBe('missing_permission');
      expect(
        (await api(admin.token, 'PUT', `/api/v1/datasets/${minnie}/grants/${lab}/view`, { expiresAt: '2000-01-01T00:00:00Z' })).status,
      ).toBe(400);
    });

    it('answers a kept check afresh after each change: a revoked grant, a grant given back, another scope, a removed member', async () => {
      const keepers = (await api(admin.token, 'POST', '/api/v1/groups', { name: 'keepers' })).body.id;
      const kept = (await api(admin.token, 'POST', '/api/v1/datasets', { name: 'kept', description: 'kept answers' })).body.id;
      const dave = await fixtures.user({ name: 'Dave Keeper' });
      const daveViewOnly = await fixtures.token(dave.id, ['view']);
      expect((await api(admin.token, 'PUT', `/api/v1/groups/${keepers}/members/${dave.id}`, {})).status).toBe(200);
      for (const permission of ['view', 'edit'])
        expect((await api(admin.token, 'PUT', `/api/v1/datasets/${kept}/grants/${keepers}/${permission}`, {})).status).toBe(200);
      const check = async (token: string, permission: string) => {
        const answer = await api(token, 'GET', `/api/v1/check?permission=${permission}&dataset=kept`);
        return answer.status === 200 ? 200 : `${answer.status} ${answer.body.error}`;
      };
      // Asked twice: the second is the gateway's kept answer.
      expect([await check(dave.token, 'view'), await check(dave.token, 'view'), await check(dave.token, 'edit')]).toEqual([200, 200, 200]);
      expect(await check(daveViewOnly, 'edit')).toBe('403 insufficient_scope');
      expect(await check(daveViewOnly, 'view')).toBe(200);

      expect((await api(admin.token, 'DELETE', `/api/v1/datasets/${kept}/grants/${keepers}/view`)).status).toBe(204);
      expect([await check(dave.token, 'view'), await check(daveViewOnly, 'view')]).toEqual([
        '403 missing_permission',
        '403 missing_permission',
      ]);
      expect(await check(dave.token, 'edit')).toBe(200);
      expect((await api(admin.token, 'PUT', `/api/v1/datasets/${kept}/grants/${keepers}/view`, {})).status).toBe(200);
      expect(await check(dave.token, 'view')).toBe(200);

      expect((await api(admin.token, 'DELETE', `/api/v1/groups/${keepers}/members/${dave.id}`)).status).toBe(204);
      expect([await check(dave.token, 'view'), await check(dave.token, 'edit')]).toEqual([
        '403 missing_permission',
        '403 missing_permission',
      ]);
    });
  });

  describe('GET /api/v1/check, kept by the gateway', () => {
    /** The gateway's count of checks answered from its memory (kept) and of those it asked the policy app. */
    async function checkAnswers(): Promise<{ kept: number; asked: number }> {
      const text = await (await fetch(`${tessera.baseUrl}/metrics`)).text();
      const read = (answer: string) =>
        Number(
          new RegExp(`^tessera_gateway_caller_answers_total\\{subject="${SUBJECTS.policyCheck}",answer="${answer}"\\} (\\S+)$`, 'm').exec(
            text,
          )?.[1] ?? 0,
        );
      return { kept: read('kept'), asked: read('asked') };
    }
    /** Alice's check of view on minnie (200), and how the gateway answered it. */
    async function aliceChecks(): Promise<'kept' | 'asked'> {
      const before = await checkAnswers();
      expect((await api(alice.token, 'GET', '/api/v1/check?permission=view&dataset=minnie')).status).toBe(200);
      const after = await checkAnswers();
      expect(after.kept + after.asked).toBe(before.kept + before.asked + 1);
      return after.kept > before.kept ? 'kept' : 'asked';
    }

    it("keeps a check through other users' writes, and asks again after a write about its caller or one about anybody", async () => {
      const bystanders = (await api(admin.token, 'POST', '/api/v1/groups', { name: 'bystanders' })).body.id;
      const eve = await fixtures.user({ name: 'Eve Bystander' });
      await aliceChecks();
      expect(await aliceChecks()).toBe('kept');
      // Another user joins a group and accepts nothing: alice's answer stands.
      expect((await api(admin.token, 'PUT', `/api/v1/groups/${bystanders}/members/${eve.id}`, {})).status).toBe(200);
      expect(await aliceChecks()).toBe('kept');
      // Alice joins it: her answers are asked again, then kept.
      expect((await api(admin.token, 'PUT', `/api/v1/groups/${bystanders}/members/${alice.id}`, {})).status).toBe(200);
      expect([await aliceChecks(), await aliceChecks()]).toEqual(['asked', 'kept']);
      // A grant to a group may touch anybody.
      expect((await api(admin.token, 'PUT', `/api/v1/datasets/${minnie}/grants/${bystanders}/view`, {})).status).toBe(200);
      expect(await aliceChecks()).toBe('asked');
    });
  });

  describe('terms of service', () => {
    it('gates a dataset until its current version is accepted, again for a new version', async () => {
      const tos = await api(admin.token, 'POST', `/api/v1/datasets/${minnie}/tos`, {
        title: 'Minnie terms',
        text: '<script>alert(1)</script> be nice',
      });
      expect(tos.status).toBe(201);
      expect(tos.body).toMatchObject({ version: 1, text: '<script>alert(1)</script> be nice' });
      const gated = await api(alice.token, 'GET', '/api/v1/check?permission=view&dataset=minnie');
      expect(gated.status).toBe(403);
      expect(gated.body).toMatchObject({
        error: 'missing_tos',
        tos: { id: tos.body.id, title: 'Minnie terms', acceptUrl: expect.stringMatching(new RegExp(`/api/v1/tos/${tos.body.id}/accept$`)) },
      });
      const mine = await api(alice.token, 'GET', '/api/v1/me/permissions');
      expect(mine.body.permissions.minnie).toBeUndefined();
      expect(mine.body.permissions.fly).toEqual(['view']);
      expect(mine.body.permissionsIgnoringTos.minnie).toEqual(['edit', 'view']);
      expect(mine.body.missingTos).toEqual([expect.objectContaining({ id: tos.body.id })]);

      const accepted = await api(alice.token, 'POST', `/api/v1/tos/${tos.body.id}/accept`);
      expect(accepted.status).toBe(200);
      expect((await api(alice.token, 'GET', '/api/v1/check?permission=view&dataset=minnie')).status).toBe(200);

      const second = await api(admin.token, 'POST', `/api/v1/datasets/${minnie}/tos`, { title: 'Minnie terms v2', text: 'be nicer' });
      expect(second.body.version).toBe(2);
      const regated = await api(alice.token, 'GET', '/api/v1/check?permission=view&dataset=minnie');
      expect(regated.status).toBe(403);
      expect(regated.body.tos.id).toBe(second.body.id);
      const versions = await api(alice.token, 'GET', `/api/v1/datasets/${minnie}/tos`);
      expect(versions.body.items.map((v: { version: number; current: boolean }) => [v.version, v.current])).toEqual([
        [2, true],
        [1, false],
      ]);
      for (const user of [alice, bob, carol])
        expect((await api(user.token, 'POST', `/api/v1/tos/${second.body.id}/accept`)).status).toBe(200);
      expect((await api(alice.token, 'GET', '/api/v1/check?permission=view&dataset=minnie')).status).toBe(200);
      expect((await api(alice.token, 'POST', `/api/v1/tos/${randomUUID()}/accept`)).status).toBe(404);
    });

    it('accepting the same version again appends no second event and answers the same, even when asked at once', async () => {
      const tos = await api(admin.token, 'POST', `/api/v1/datasets/${minnie}/tos`, { title: 'Minnie terms v3', text: 'be kind' });
      expect(tos.status).toBe(201);
      const first = await api(bob.token, 'POST', `/api/v1/tos/${tos.body.id}/accept`);
      expect(first.status).toBe(200);
      const again = await api(bob.token, 'POST', `/api/v1/tos/${tos.body.id}/accept`);
      expect(again.status).toBe(200);
      expect(again.body).toEqual(first.body);
      // Two users at once, each twice at once: one event per user.
      const racing = await Promise.all(
        [alice, alice, carol, carol].map((user) => api(user.token, 'POST', `/api/v1/tos/${tos.body.id}/accept`)),
      );
      expect(racing.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
      expect(racing[0].body.revision).toBe(racing[1].body.revision);
      expect(racing[2].body.revision).toBe(racing[3].body.revision);
      const accepted = await tessera.db.pool.query<{ user_id: string; count: number }>(
        `SELECT data->>'userId' AS user_id, count(*)::int AS count FROM event_store.events
          WHERE type = 'TosAccepted' AND data->>'tosId' = $1 GROUP BY 1 ORDER BY 1`,
        [tos.body.id],
      );
      expect(accepted.rows).toEqual([alice.id, bob.id, carol.id].sort().map((id) => ({ user_id: id, count: 1 })));
    });

    it("lists the caller's permissions, admin roles and datasets", async () => {
      const bobs = await api(bob.token, 'GET', '/api/v1/me/permissions');
      expect(bobs.status).toBe(200);
      expect(bobs.body).toMatchObject({
        permissions: { minnie: ['edit', 'view'] },
        groupsAdmin: ['lab'],
        datasetsAdmin: [],
        revision: expect.any(String),
      });
      const datasets = await api(bob.token, 'GET', '/api/v1/me/datasets?permission=edit');
      expect(datasets.body.items).toEqual([{ id: minnie, name: 'minnie' }]);
      expect(datasets.body.nextCursor).toBeNull();
    });
  });

  describe('NATS subjects, plain JSON', () => {
    it('checks with the subject’s own token and needs nothing more', async () => {
      const reply = await ask(SUBJECTS.policyCheck, { token: bob.token, permission: 'edit', dataset: 'minnie' });
      expect(reply).toEqual({ allowed: true, reason: 'granted', revision: expect.stringMatching(/^\d+$/) });
      expect(await ask(SUBJECTS.policyCheck, { token: carol.token, permission: 'edit', dataset: minnie })).toMatchObject({
        allowed: false,
        reason: 'no_permission',
      });
      expect(
        await ask(SUBJECTS.policyCheck, { token: aliceViewOnly, permission: 'edit', service: 'pcg', table: 'minnie65' }),
      ).toMatchObject({
        allowed: false,
        reason: 'insufficient_scope',
      });
      expect(await ask(SUBJECTS.policyCheck, { token: 'tsrp_nonsense', permission: 'view', dataset: 'minnie' })).toMatchObject({
        allowed: false,
        reason: 'invalid_token',
      });
      expect(await ask(SUBJECTS.policyCheck, { token: bob.token, permission: 'view', dataset: 'nope' })).toMatchObject({
        reason: 'unknown_dataset',
      });
      expect(await ask(SUBJECTS.policyCheck, { token: bob.token, permission: 'view', service: 'pcg', table: 'nope' })).toMatchObject({
        reason: 'unknown_table',
      });
    });

    it('puts the revision and, for an allowed check, until when it holds in headers only when asked (Tessera-Served)', async () => {
      const request = (body: unknown, served: boolean) => {
        const headers = natsHeaders();
        if (served) headers.set(SERVED_HEADER, '1');
        return tessera.nats.request(SUBJECTS.policyCheck, JSON.stringify(body), { timeout: 5_000, ...(served ? { headers } : {}) });
      };
      const plain = await request({ token: bob.token, permission: 'edit', dataset: 'minnie' }, false);
      expect([plain.json<Json>().reason, plain.headers]).toEqual(['granted', undefined]);
      const allowed = await request({ token: bob.token, permission: 'edit', dataset: 'minnie' }, true);
      expect(allowed.json<Json>()).toMatchObject({ reason: 'granted', revision: allowed.headers?.get(REVISION_HEADER) });
      // The lab's grants have no end: the decision holds until an event.
      expect(allowed.headers?.get(VALID_UNTIL_HEADER)).toBe('Infinity');
      const refused = await request({ token: carol.token, permission: 'edit', dataset: 'minnie' }, true);
      expect(refused.json<Json>()).toMatchObject({ reason: 'no_permission', revision: refused.headers?.get(REVISION_HEADER) });
      expect(refused.headers?.has(VALID_UNTIL_HEADER)).toBe(false);
    });

    it('needs a service token with scope decisions to ask about a userId', async () => {
      const request = { userId: bob.id, permission: 'view', dataset: 'minnie' };
      expect((await ask(SUBJECTS.policyCheck, request)).error.code).toBe('no_token');
      expect((await ask(SUBJECTS.policyCheck, request, `Bearer ${alice.token}`)).error.code).toBe('insufficient_scope');
      expect(await ask(SUBJECTS.policyCheck, request, `Bearer ${decider.token}`)).toMatchObject({ allowed: true, reason: 'granted' });
      expect(
        await ask(SUBJECTS.policyCheck, { ...request, userId: carol.id, permission: 'edit' }, `Bearer ${decider.token}`),
      ).toMatchObject({
        allowed: false,
        reason: 'no_permission',
      });
      expect((await ask(SUBJECTS.policyLookupUsers, { dataset: 'minnie', permission: 'edit' })).error.code).toBe('no_token');
    });

    it('answers check-batch (up to 100), user-info and the look-ups', async () => {
      const batch = await ask(
        SUBJECTS.policyCheckBatch,
        {
          checks: [
            { token: bob.token, permission: 'view', dataset: 'minnie' },
            { userId: carol.id, permission: 'edit', dataset: 'minnie' },
          ],
        },
        `Bearer ${decider.token}`,
      );
      expect(batch).toEqual({
        results: [
          { allowed: true, reason: 'granted' },
          { allowed: false, reason: 'no_permission' },
        ],
        revision: expect.any(String),
      });
      const tooMany = await ask(SUBJECTS.policyCheckBatch, {
        checks: Array.from({ length: 101 }, () => ({ token: bob.token, permission: 'view', dataset: 'minnie' })),
      });
      expect(tooMany.error.code).toBe('bad_request');

      const info = await ask(SUBJECTS.policyUserInfo, { token: bob.token });
      expect(info).toMatchObject({
        id: bob.id,
        name: 'Bob',
        admin: false,
        groups: ['lab'],
        permissions: { minnie: ['edit', 'view'] },
        groupsAdmin: ['lab'],
      });
      const datasets = await ask(SUBJECTS.policyLookupDatasets, { userId: bob.id, permission: 'edit' }, `Bearer ${decider.token}`);
      expect(datasets).toEqual({ datasets: [{ id: minnie, name: 'minnie' }], revision: expect.any(String) });
      const users = await ask(SUBJECTS.policyLookupUsers, { dataset: 'minnie', permission: 'edit' }, `Bearer ${decider.token}`);
      expect(users.users.map((user: { id: string }) => user.id).sort()).toEqual([alice.id, bob.id].sort());
    });

    it('ignores a principal claimed on the internal subjects: only a token counts', async () => {
      const forged = { tokenId: 'x', kind: 'admin', scopes: ['*'], superAdmin: true, readOnly: false, serviceAccount: false };
      expect((await ask(POLICY_ADMIN_SUBJECTS.createGroup, { name: 'forged', principal: forged })).error.code).toBe('no_token');
      expect((await ask(POLICY_ADMIN_SUBJECTS.createGroup, { name: 'forged', token: alice.token })).error.code).toBe('not_admin');
      expect((await api(admin.token, 'GET', '/api/v1/groups?limit=500')).body.items.map((g: { name: string }) => g.name)).not.toContain(
        'forged',
      );
    });

    it('makes a second policy replica agree after a grant, with minRevision', async () => {
      await tessera.startReplica('policy');
      await tessera.waitUntilReady();
      const viewers = (await api(admin.token, 'POST', '/api/v1/groups', { name: 'viewers' })).body.id;
      const frank = await fixtures.user({ name: 'Frank' });
      await api(admin.token, 'PUT', `/api/v1/groups/${viewers}/members/${frank.id}`, {});
      const fly = await api(admin.token, 'GET', '/api/v1/datasets');
      const flyId = fly.body.items.find((d: { name: string }) => d.name === 'fly').id;
      const grant = await api(admin.token, 'PUT', `/api/v1/datasets/${flyId}/grants/${viewers}/view`, {});
      // Queue groups spread these over both replicas: every answer reflects the grant.
      const replies = await Promise.all(
        Array.from({ length: 20 }, () =>
          ask(SUBJECTS.policyCheck, { token: frank.token, permission: 'view', dataset: 'fly', minRevision: grant.body.revision }),
        ),
      );
      for (const reply of replies) {
        expect(reply).toMatchObject({ allowed: true, reason: 'granted' });
        expect(Number(reply.revision)).toBeGreaterThanOrEqual(Number(grant.body.revision));
      }
      const stale = await ask(SUBJECTS.policyCheck, { token: frank.token, permission: 'view', dataset: 'fly', minRevision: 10_000_000 });
      expect(stale.error.code).toBe('stale');
    });
  });

  it('documents the policy endpoints in the OpenAPI document', async () => {
    const document = (await api(undefined, 'GET', '/api/docs-json')).body;
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/check',
        '/api/v1/groups/{id}/members/{userId}',
        '/api/v1/datasets/{id}/grants/{groupId}/{permission}',
        '/api/v1/servicetables/{service}/{table}',
        '/api/v1/tos/{tosId}/accept',
        '/api/v1/me/permissions',
      ]),
    );
  });

  it('keeps every decision across a redeploy (replayed from the log)', async () => {
    const before = await ask(SUBJECTS.policyUserInfo, { token: bob.token });
    await tessera.stopApps();
    await tessera.startApps();
    const after = await ask(SUBJECTS.policyUserInfo, { token: bob.token, minRevision: before.revision });
    expect({ ...after, revision: undefined }).toEqual({ ...before, revision: undefined });
    const me = (await api(bob.token, 'GET', '/api/v1/me')).body;
    expect(me.groups).toEqual(before.groups);
    expect((await api(carol.token, 'GET', '/api/v1/check?permission=edit&dataset=minnie')).status).toBe(403);
    expect((await api(alice.token, 'GET', '/api/v1/check?permission=edit&dataset=minnie')).status).toBe(200);
  }, 60_000);
});
