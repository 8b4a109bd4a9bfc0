import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, postgresBinDir, startTessera, type Json, type TestDatabase, type TesseraUnderTest } from '@tessera/testing';
import { api, buildWorld, decide, waitFor, type World } from './fault-fixtures';

const run = promisify(execFile);

describe('recovery: the event log is the backup', () => {
  let tessera: TesseraUnderTest;
  let world: World;
  let restored: TestDatabase | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'tessera-backup-'));

  beforeAll(async () => {
    tessera = await startTessera();
    world = await buildWorld(tessera);
  }, 120_000);
  afterAll(async () => {
    await tessera?.stop();
    await restored?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pg_dump of the event_store schema (snapshots left out), restored into an empty database: the same decisions, tokens, revocations and read models', async () => {
    const base = tessera.baseUrl;
    const admin = world.admin.token;
    // State worth losing: a user and a service account made through the API (rows in identity's
    // tables), personal tokens (one revoked), a second group.
    const user: Json = await (await api(base, admin, 'POST', '/api/v1/users', { name: 'Grace' })).json();
    const service: Json = await (
      await api(base, admin, 'POST', '/api/v1/service-accounts', { name: 'pipeline', scopes: ['decisions'] })
    ).json();
    const tokens: Json[] = [];
    for (let n = 0; n < 4; n += 1) {
      tokens.push(await (await api(base, world.alice.token, 'POST', '/api/v1/tokens', { name: `t${n}`, scopes: ['view', 'edit'] })).json());
    }
    expect((await api(base, world.alice.token, 'DELETE', `/api/v1/tokens/${tokens[1].id}`)).status).toBe(204);
    expect((await api(base, admin, 'POST', '/api/v1/groups', { name: 'second' })).status).toBe(201);

    const everyToken = [world.admin.token, world.alice.token, world.bob.token, ...tokens.map((token) => token.token)];
    const observe = async () => ({
      decisions: await Promise.all(
        everyToken.flatMap((token) => ['view', 'edit'].map((permission) => decide(tessera.nats, token, world.dataset, permission))),
      ),
      me: await Promise.all(
        everyToken.map(async (token) => {
          const response = await api(base, token, 'GET', '/api/v1/me');
          const body: Json = await response.json();
          return response.status === 200 ? { id: body.id, name: body.name, groups: body.groups } : body.error;
        }),
      ),
      // lastUsedAt is kept beside the log (token.token_last_used), not in it: a restore forgets it.
      tokens: ((await (await api(base, world.alice.token, 'GET', '/api/v1/tokens')).json()) as Json).items.map(
        ({ lastUsedAt: _lastUsedAt, ...rest }: Json) => rest,
      ),
      user: await (await api(base, admin, 'GET', `/api/v1/users/${user.id}`)).json(),
      service: await (await api(base, admin, 'GET', `/api/v1/users/${service.id}`)).json(),
      duplicateGroup: (await api(base, admin, 'POST', '/api/v1/groups', { name: 'second' })).status,
    });
    const before = await observe();
    expect(before.decisions.filter((reason) => reason === 'granted').length).toBeGreaterThan(2);
    expect(before.decisions).toContain('revoked_token');
    expect(before.duplicateGroup).toBe(409);
    expect(before.user).toMatchObject({ id: user.id, name: 'Grace' });

    // The backup: the log only. Snapshots are an optimisation and are left out.
    const dump = join(dir, 'event-store.dump');
    const bin = postgresBinDir();
    await run(join(bin, 'pg_dump'), [
      '--format=custom',
      '--schema=event_store',
      '--exclude-table-data=event_store.snapshots',
      '--file',
      dump,
      tessera.db.url,
    ]);
    await tessera.stopApps();

    // Recovery: an empty database, the log restored into it, the apps started on it.
    restored = await createTestDatabase();
    await run(join(bin, 'pg_restore'), ['--no-owner', '--dbname', restored.url, dump]);
    const snapshots = await restored.pool.query('SELECT count(*)::int AS n FROM event_store.snapshots');
    expect(snapshots.rows[0].n).toBe(0);
    tessera.env.DATABASE_URL = restored.url;
    await tessera.startApps();
    // The tables the apps keep beside the log are rebuilt from it by the replays of the table projections.
    for (const projection of ['identity-read-models', 'policy-read-models']) {
      const started = await api(base, admin, 'POST', '/api/v1/audit/replay', { projection });
      expect(started.status).toBe(202);
      const { jobId } = (await started.json()) as Json;
      let job: Json = {};
      await waitFor(async () => {
        job = await (await api(base, admin, 'GET', `/api/v1/audit/replay/${jobId}`)).json();
        return job.status !== 'running';
      }, `replay of ${projection}`);
      expect(job).toMatchObject({ projection, failure: null });
    }

    expect(await observe()).toEqual(before);
  }, 180_000);
});
