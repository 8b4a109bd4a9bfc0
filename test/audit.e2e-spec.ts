import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AUDIT_SUBJECTS } from '@tessera/contracts';
import { eventually, json, startTessera, type TesseraUnderTest } from '@tessera/testing';
import { tesseraCli as runCli } from './cli/tessera-cli';
import { randomUUID } from 'node:crypto';
import { d, HISTORY, ids, seedAdminUser, seedToken, writeHistory } from './audit-history';

describe('audit (CONTRACT section 7)', () => {
  let tessera: TesseraUnderTest;
  let adminToken: string;
  let userToken: string;
  let head: number;

  const get = (path: string, token = adminToken) =>
    fetch(`${tessera.baseUrl}${path}`, { headers: { authorization: `Bearer ${token}`, 'x-tessera-min-revision': String(head) } });

  beforeAll(async () => {
    tessera = await startTessera();
    adminToken = await seedToken(tessera.db.pool, 'admin', null);
    head = await writeHistory(tessera.db.pool);
    userToken = await seedToken(tessera.db.pool, 'personal', ids.bob);
    head += 1;
    // The history was written straight into the log (no NATS wake-up): wait for the projection's poll,
    // so a loaded machine cannot turn the first answers into 503 stale.
    const position = async () =>
      Number(
        (await tessera.db.pool.query("SELECT position FROM audit.projection_state WHERE name = 'audit-access'")).rows[0]?.position ?? 0,
      );
    if ((await eventually(position, (at) => at >= head, 30_000)) < head)
      throw new Error('the audit projection did not catch up with the scripted history');
  });
  afterAll(async () => {
    await tessera?.stop();
  });

  describe('as-of access from the temporal projection', () => {
    const lab = ['lab'];
    const both = ['edit', 'view'];
    // [moment, expected holders of h01: name → [permissions, via]]
    const table: [Date, Record<string, [string[], string[]]>][] = [
      [d(1, 12), {}],
      [d(2, 11), {}],
      [d(2, 13), { alice: [both, lab], bob: [both, lab] }],
      [d(3, 13), { alice: [both, lab], bob: [both, lab], carol: [['view'], ['guests']] }],
      [d(4, 12), {}],
      [d(4, 14, 30), { alice: [both, lab], carol: [['view'], ['guests']] }],
      [d(5, 12), { alice: [both, lab], bob: [both, lab] }],
      [d(6, 13), { alice: [both, lab], bob: [['view'], lab] }],
      [d(7, 12, 30), {}],
      [d(7, 14), { alice: [both, lab] }],
      [d(8, 13), { alice: [['view'], lab] }],
      [d(9, 12, 30), {}],
      [d(9, 14), { bob: [['view'], lab] }],
      [d(10, 13), {}],
    ];

    it.each(table)('who held what on h01 at %s', async (at, expected) => {
      const response = await get(`/api/v1/audit/access?dataset=h01&at=${at.toISOString()}`);
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(body.at).toBe(at.toISOString());
      expect(Number(body.revision)).toBeGreaterThanOrEqual(head);
      expect(body.dataset).toEqual({ id: ids.h01, name: 'h01' });
      const holders = Object.fromEntries(
        body.users.map((user: { name: string; permissions: string[]; via: string[] }) => [user.name, [user.permissions, user.via]]),
      );
      expect(holders).toEqual(expected);
    });

    it('gives intervals over a range (extension) that hold, at every moment of the table, exactly its holders', async () => {
      const response = await get(`/api/v1/audit/access/intervals?dataset=h01&from=${d(1, 0).toISOString()}&to=${d(11, 0).toISOString()}`);
      expect(response.status).toBe(200);
      const body = await json(response);
      expect(body).toMatchObject({ dataset: { id: ids.h01, name: 'h01' }, from: d(1, 0).toISOString(), to: d(11, 0).toISOString() });
      for (const [at, expected] of table) {
        const holding = body.intervals.filter(
          (interval: { from: string; to: string }) => Date.parse(interval.from) <= at.getTime() && at.getTime() < Date.parse(interval.to),
        );
        const holders: Record<string, string[]> = {};
        for (const interval of holding) (holders[interval.name] ??= []).push(interval.permission);
        expect({ at, holders }).toEqual({
          at,
          holders: Object.fromEntries(Object.entries(expected).map(([name, [permissions]]) => [name, [...permissions].sort()])),
        });
      }
      // A range with its end before its start, or no dataset, is 400 naming the field; a plain user is refused.
      const backwards = await get(`/api/v1/audit/access/intervals?dataset=h01&from=${d(5, 0).toISOString()}&to=${d(4, 0).toISOString()}`);
      expect({ status: backwards.status, field: (await json(backwards)).details[0].field }).toEqual({ status: 400, field: 'to' });
      const refused = await get(
        `/api/v1/audit/access/intervals?dataset=h01&from=${d(1, 0).toISOString()}&to=${d(2, 0).toISOString()}`,
        userToken,
      );
      expect(refused.status).toBe(403);
    });

    it('answers the same by dataset id as by name', async () => {
      const byId = await json(await get(`/api/v1/audit/access?dataset=${ids.h01}&at=${d(3, 13).toISOString()}`));
      const byName = await json(await get(`/api/v1/audit/access?dataset=h01&at=${d(3, 13).toISOString()}`));
      expect(byId).toEqual(byName);
      expect(byId.users.map((user: { id: string }) => user.id).sort()).toEqual([ids.alice, ids.bob, ids.carol].sort());
    });

    it("answers a user's permissions at a moment", async () => {
      const readOnlyBob = await json(await get(`/api/v1/audit/access?user=${ids.bob}&at=${d(6, 13).toISOString()}`));
      expect(readOnlyBob.user).toEqual({ id: ids.bob, name: 'bob', readOnly: true, deactivated: false });
      expect(readOnlyBob.datasets).toEqual([{ id: ids.h01, name: 'h01', permissions: ['view'], via: ['lab'] }]);
      const bobMissingTos = await json(await get(`/api/v1/audit/access?user=${ids.bob}&at=${d(7, 14).toISOString()}`));
      expect(bobMissingTos.datasets).toEqual([]);
      const aliceEarly = await json(await get(`/api/v1/audit/access?user=${ids.alice}&at=${d(3, 13).toISOString()}`));
      expect(aliceEarly.datasets).toEqual([{ id: ids.h01, name: 'h01', permissions: ['edit', 'view'], via: ['lab'] }]);
      const aliceGone = await json(await get(`/api/v1/audit/access?user=${ids.alice}&at=${d(9, 13).toISOString()}`));
      expect(aliceGone.user.deactivated).toBe(true);
      expect(aliceGone.datasets).toEqual([]);
    });

    it('refuses a missing moment, both subjects at once, and an unknown dataset', async () => {
      expect((await get('/api/v1/audit/access?dataset=h01')).status).toBe(400);
      const both = await get(`/api/v1/audit/access?dataset=h01&user=${ids.bob}&at=${d(3, 13).toISOString()}`);
      expect(both.status).toBe(400);
      expect((await json(both)).error).toBe('bad_request');
      const unknown = await get(`/api/v1/audit/access?dataset=nope&at=${d(3, 13).toISOString()}`);
      expect(unknown.status).toBe(404);
      expect((await json(unknown)).error).toBe('not_found');
    });
  });

  describe('event history', () => {
    it('pages through the whole log in position order with the cursor', async () => {
      const positions: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await json(await get(`/api/v1/audit/events?limit=7${cursor ? `&cursor=${cursor}` : ''}`));
        expect(page.items.length).toBeLessThanOrEqual(7);
        positions.push(...page.items.map((item: { position: string }) => Number(item.position)));
        cursor = page.nextCursor;
      } while (cursor);
      const count = Number((await tessera.db.pool.query('SELECT count(*) FROM event_store.events')).rows[0].count);
      expect(positions).toHaveLength(count);
      expect(positions).toEqual([...positions].sort((a, b) => a - b));
    });

    it('filters by type, user, dataset name, actor and time range', async () => {
      const accepted = await json(await get('/api/v1/audit/events?type=TosAccepted'));
      expect(accepted.items).toHaveLength(5);
      expect(accepted.items[0]).toEqual({
        position: expect.stringMatching(/^\d+$/),
        type: 'TosAccepted',
        streamId: `tos-${ids.tos1}`,
        recordedAt: d(4, 13).toISOString(),
        actor: ids.admin,
        data: { tosId: ids.tos1, datasetId: ids.h01, userId: ids.alice },
      });
      const alice = await json(await get(`/api/v1/audit/events?user=${ids.alice}`));
      expect(alice.items.map((item: { type: string }) => item.type)).toEqual([
        'UserRegistered',
        'GroupMemberAdded',
        'TosAccepted',
        'TosAccepted',
        'UserDeactivated',
      ]);
      const h01 = await json(await get('/api/v1/audit/events?dataset=h01&limit=500'));
      expect(h01.items).toHaveLength(
        HISTORY.filter(([, streamId, , data]) => streamId === `dataset-${ids.h01}` || data.datasetId === ids.h01).length,
      );
      const byAdmin = await json(await get(`/api/v1/audit/events?actor=${ids.admin}&limit=500`));
      expect(byAdmin.items).toHaveLength(HISTORY.length);
      const march4 = await json(await get(`/api/v1/audit/events?from=${d(4, 0).toISOString()}&to=${d(5, 0).toISOString()}`));
      expect(march4.items.map((item: { type: string }) => item.type)).toEqual([
        'TosPublished',
        'TosAccepted',
        'TosAccepted',
        'TosAccepted',
      ]);
    });

    it('refuses a bad limit and unknown parameters, naming the field', async () => {
      const response = await get('/api/v1/audit/events?limit=501');
      expect(response.status).toBe(400);
      expect((await json(response)).details[0].field).toBe('limit');
      expect((await get('/api/v1/audit/events?colour=red')).status).toBe(400);
    });
  });

  describe('NDJSON export', () => {
    it('streams one line per event of the log, in order', async () => {
      const response = await get('/api/v1/audit/export');
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
      const lines = (await response.text()).split('\n').filter((line) => line.length > 0);
      const count = Number((await tessera.db.pool.query('SELECT count(*) FROM event_store.events')).rows[0].count);
      expect(lines).toHaveLength(count);
      const events = lines.map((line) => JSON.parse(line));
      expect(events.map((event) => Number(event.position))).toEqual(Array.from({ length: count }, (_, index) => index + 1));
      expect(JSON.stringify(events)).not.toContain(adminToken);
    });

    it('resumes after a position', async () => {
      const lines = (await (await get('/api/v1/audit/export?after=20')).text()).trim().split('\n');
      expect(Number(JSON.parse(lines[0]).position)).toBe(21);
      expect((await get('/api/v1/audit/export?after=x')).status).toBe(400);
    });

    it('exports a time range', async () => {
      const response = await get(`/api/v1/audit/export?from=${d(7, 0).toISOString()}&to=${d(8, 0).toISOString()}`);
      const lines = (await response.text()).trim().split('\n');
      expect(lines.map((line) => JSON.parse(line).type)).toEqual(['TosPublished', 'TosAccepted']);
    });
  });

  describe('replay', () => {
    it('rebuilds the temporal projection into a fresh copy equal to the live one, then swaps it in', async () => {
      const moments = [d(3, 13), d(6, 13), d(9, 14)];
      const before = await Promise.all(
        moments.map(async (at) => json(await get(`/api/v1/audit/access?dataset=h01&at=${at.toISOString()}`))),
      );
      const started = await startReplay(adminToken);
      expect(started.status).toBe(202);
      const { jobId } = await json(started);
      const job = await finished(jobId);
      expect(job).toMatchObject({ jobId, projection: 'audit-access', status: 'swapped', progress: 1, matchesLive: true, failure: null });
      const after = await Promise.all(
        moments.map(async (at) => json(await get(`/api/v1/audit/access?dataset=h01&at=${at.toISOString()}`))),
      );
      expect(after.map(({ revision: _revision, ...rest }) => rest)).toEqual(before.map(({ revision: _revision, ...rest }) => rest));
      const generations = await tessera.db.pool.query("SELECT generation FROM audit.projection_state WHERE name = 'audit-access'");
      expect(generations.rows[0].generation).toBeGreaterThan(1);
    });

    it('runs one replay at a time, and marks a job left running by a stopped replica as interrupted', async () => {
      const orphan = randomUUID();
      await tessera.db.pool.query(
        "INSERT INTO audit.replay_jobs (id, projection, generation, status) VALUES ($1, 'audit-access', 999, 'running')",
        [orphan],
      );
      // Another replica's running replay holds the lock of its session.
      const other = await tessera.db.pool.connect();
      try {
        await other.query('SELECT pg_advisory_lock(7362602)');
        const refused = await startReplay(adminToken);
        expect(refused.status).toBe(409);
        expect((await json(refused)).error).toBe('conflict');
      } finally {
        await other.query('SELECT pg_advisory_unlock(7362602)');
        other.release();
      }
      const started = await startReplay(adminToken);
      expect(started.status).toBe(202);
      const interrupted = await json(await get(`/api/v1/audit/replay/${orphan}`));
      expect(interrupted).toMatchObject({ status: 'failed', failure: expect.stringMatching(/^interrupted/) });
      const { jobId } = await json(started);
      await finished(jobId);
    });

    it("hands a replay of another app's in-memory projection to that app, which reports as it goes", async () => {
      const reports: Record<string, unknown>[] = [];
      const watcher = tessera.nats.subscribe(AUDIT_SUBJECTS.replayProgress, {
        callback: (_error, message) => {
          reports.push(message.json());
        },
      });
      try {
        const started = await startReplay(adminToken, 'decision-index');
        expect(started.status).toBe(202);
        const { jobId } = await json(started);
        const job = await finished(jobId);
        expect(job).toMatchObject({ projection: 'decision-index', status: 'swapped', progress: 1, matchesLive: true, failure: null });
        expect(Number(job.position)).toBeGreaterThanOrEqual(head);
        expect(job.replicas).toEqual([
          {
            replica: expect.any(String),
            status: 'swapped',
            position: job.position,
            target: job.position,
            matchesLive: true,
            failure: null,
          },
        ]);
        expect(reports.at(-1)).toMatchObject({ jobId, replica: job.replicas[0].replica, status: 'swapped', matchesLive: true });
      } finally {
        watcher.unsubscribe();
      }
    });

    it('refuses an unknown projection and an unknown job', async () => {
      const response = await fetch(`${tessera.baseUrl}/api/v1/audit/replay`, {
        method: 'POST',
        headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ projection: 'everything' }),
      });
      expect(response.status).toBe(400);
      expect((await json(response)).details[0].field).toBe('projection');
      expect((await get('/api/v1/audit/replay/00000000-0000-4000-8000-000000000000')).status).toBe(404);
    });
  });

  describe('replay repairs a damaged projection', () => {
    it('reports that the rebuilt copy differed, and answers from the rebuilt copy', async () => {
      const at = d(3, 13).toISOString();
      const intact = await json(await get(`/api/v1/audit/access?dataset=h01&at=${at}`));
      const { generation } = (await tessera.db.pool.query("SELECT generation FROM audit.projection_state WHERE name = 'audit-access'"))
        .rows[0];
      await tessera.db.pool.query(`DELETE FROM audit.access_g${generation}_holdings WHERE user_id = $1`, [ids.carol]);
      const damaged = await json(await get(`/api/v1/audit/access?dataset=h01&at=${at}`));
      expect(damaged.users.map((user: { name: string }) => user.name)).toEqual(['alice', 'bob']);
      const cli = await tesseraCli(['replay', 'audit-access', '--json']);
      expect(cli.code).toBe(0);
      const job = JSON.parse(cli.stdout);
      expect(job).toMatchObject({ status: 'swapped', matchesLive: false });
      expect(cli.stderr).toContain('the rebuilt copy differed from the live one');
      const repaired = await json(await get(`/api/v1/audit/access?dataset=h01&at=${at}`));
      expect(repaired.users).toEqual(intact.users);
    });
  });

  describe('command line (npx tessera)', () => {
    it('prints who held what at a moment', async () => {
      const cli = await tesseraCli(['audit', 'access', '--dataset', 'h01', '--at', d(6, 13).toISOString()]);
      expect(cli.code).toBe(0);
      expect(cli.stdout).toMatch(/^dataset h01 \(/);
      // Piped, the table is tab-separated lines: user, id, permissions, via.
      expect(cli.stdout).toMatch(/^alice\t\S+\tedit,view\tlab$/m);
      expect(cli.stdout).toMatch(/^bob\t\S+\tview\tlab$/m);
    });

    it('exports the log to a file, one line per event, with progress on stderr', async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'tessera-export-')), 'log.ndjson');
      const cli = await tesseraCli(['audit', 'export', '--out', out]);
      expect(cli.code).toBe(0);
      const count = Number((await tessera.db.pool.query('SELECT count(*) FROM event_store.events')).rows[0].count);
      expect(readFileSync(out, 'utf8').trim().split('\n')).toHaveLength(count);
      expect(cli.stderr).toContain(`exported ${count} events to ${out}`);
    });

    it('refuses to run without a token, and says why', async () => {
      const cli = await tesseraCli(['audit', 'export'], { TESSERA_TOKEN: '' });
      expect(cli.code).toBe(78);
      expect(cli.stderr).toMatch(/not logged in: run `tessera login`, pass --token or set TESSERA_TOKEN/);
      const refused = await tesseraCli(['audit', 'export'], { TESSERA_TOKEN: userToken });
      expect(refused.code).toBe(77);
      expect(refused.stderr).toMatch(/HTTP 403 not_admin/);
    });
  });

  /** The replay job once it is no longer running (or as it stands after 10 s). */
  async function finished(jobId: string) {
    return eventually(
      async () => json(await get(`/api/v1/audit/replay/${jobId}`)),
      (job) => job.status !== 'running',
      10_000,
    );
  }

  function startReplay(token: string, projection = 'audit-access'): Promise<Response> {
    return fetch(`${tessera.baseUrl}/api/v1/audit/replay`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ projection }),
    });
  }

  function tesseraCli(args: string[], env: Record<string, string> = {}) {
    return runCli(args, { TESSERA_URL: tessera.baseUrl, TESSERA_TOKEN: adminToken, ...env });
  }

  it('documents the audit routes in the OpenAPI document', async () => {
    const document = await json(await fetch(`${tessera.baseUrl}/api/docs-json`));
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/audit/events',
        '/api/v1/audit/access',
        '/api/v1/audit/export',
        '/api/v1/audit/replay',
        '/api/v1/audit/replay/{jobId}',
      ]),
    );
  });

  describe('super admins only', () => {
    const paths = [
      '/api/v1/audit/events',
      `/api/v1/audit/access?dataset=h01&at=${d(3, 13).toISOString()}`,
      '/api/v1/audit/export',
      '/api/v1/audit/replay/00000000-0000-4000-8000-000000000000',
    ];

    it.each(paths)('answers 403 not_admin to a user token on %s', async (path) => {
      const response = await get(path, userToken);
      expect(response.status).toBe(403);
      expect((await json(response)).error).toBe('not_admin');
    });

    it("lets an admin user's token in only when it carries the admin scope", async () => {
      const root = randomUUID();
      await seedAdminUser(tessera.db.pool, root);
      const withScope = await seedToken(tessera.db.pool, 'personal', root, ['*', 'admin']);
      const withoutScope = await seedToken(tessera.db.pool, 'personal', root, ['*']);
      head += 3;
      expect((await get('/api/v1/audit/events?limit=1', withScope)).status).toBe(200);
      const refused = await get('/api/v1/audit/events?limit=1', withoutScope);
      expect(refused.status).toBe(403);
      expect((await json(refused)).error).toBe('not_admin');
    });

    it('answers 403 to a user starting a replay and 401 without a token', async () => {
      const replay = await fetch(`${tessera.baseUrl}/api/v1/audit/replay`, {
        method: 'POST',
        headers: { authorization: `Bearer ${userToken}`, 'content-type': 'application/json' },
        body: JSON.stringify({ projection: 'audit-access' }),
      });
      expect(replay.status).toBe(403);
      const anonymous = await fetch(`${tessera.baseUrl}/api/v1/audit/events`);
      expect(anonymous.status).toBe(401);
      expect((await json(anonymous)).error).toBe('no_token');
    });
  });
});
