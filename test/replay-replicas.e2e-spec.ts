import { AUDIT_SUBJECTS, SUBJECTS } from '@tessera/contracts';
import { requestJson } from '@tessera/messaging';
import { eventually, json, startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';
import { PolicyFixtures, type TestUser } from './policy-fixtures';

describe("replay of the other apps' projections (two token apps and two policy apps)", () => {
  let tessera: TesseraUnderTest;
  let admin: TestUser;
  let alice: TestUser;
  let bob: TestUser;
  let revoked: string;
  let lab: string;
  let minnie: string;

  const api = (token: string, method: string, path: string, body?: unknown) =>
    fetch(`${tessera.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
  const outcome = async (response: Response): Promise<number | string> => (response.status === 200 ? 200 : (await json(response)).error);

  async function replay(projection: string): Promise<Json> {
    const started = await api(admin.token, 'POST', '/api/v1/audit/replay', { projection });
    expect(started.status).toBe(202);
    const { jobId } = await json(started);
    const job = await eventually(
      async () => json(await api(admin.token, 'GET', `/api/v1/audit/replay/${jobId}`)),
      (read) => read.status !== 'running',
      30_000,
    );
    if (job.status === 'running') throw new Error(`replay ${jobId} of ${projection} did not end`);
    return job;
  }

  /** Every decision this test cares about, as a user of the gateway and a service over NATS see it. */
  async function decisions(): Promise<unknown[]> {
    const seen: unknown[] = [];
    for (const user of [alice, bob]) {
      for (const permission of ['view', 'edit']) {
        seen.push(await outcome(await api(user.token, 'GET', `/api/v1/check?permission=${permission}&dataset=minnie`)));
        const answer = await tessera.client.request(SUBJECTS.policyCheck, { token: user.token, permission, dataset: 'minnie' });
        seen.push({ allowed: answer.allowed, reason: answer.reason });
      }
    }
    return seen;
  }

  beforeAll(async () => {
    tessera = await startTessera();
    await Promise.all([tessera.startReplica('token'), tessera.startReplica('policy')]);
    const fixtures = new PolicyFixtures(tessera.db.pool, tessera.nats);
    admin = await fixtures.user({ name: 'Ada Admin', admin: true });
    alice = await fixtures.user({ name: 'Alice' });
    bob = await fixtures.user({ name: 'Bob' });
    revoked = await fixtures.token(bob.id, ['view']);
    lab = (await json(await api(admin.token, 'POST', '/api/v1/groups', { name: 'lab' }))).id;
    minnie = (await json(await api(admin.token, 'POST', '/api/v1/datasets', { name: 'minnie' }))).id;
    expect((await api(admin.token, 'PUT', `/api/v1/groups/${lab}/members/${alice.id}`, {})).status).toBe(200);
    expect((await api(admin.token, 'PUT', `/api/v1/datasets/${minnie}/grants/${lab}/view`, {})).status).toBe(200);
    expect((await api(revoked, 'POST', '/api/v1/tokens/revoke', { token: revoked })).status).toBe(200);
  }, 90_000);

  afterAll(async () => {
    await tessera?.stop();
  });

  it('rebuilds the token index on both token apps: equal to the live copies, swapped in, snapshotted', async () => {
    const job = await replay('token-index');
    expect(job).toMatchObject({ projection: 'token-index', status: 'swapped', progress: 1, matchesLive: true, failure: null });
    expect(job.replicas).toHaveLength(2);
    expect(new Set(job.replicas.map((replica: Json) => replica.replica)).size).toBe(2);
    for (const replica of job.replicas) expect(replica).toMatchObject({ status: 'swapped', matchesLive: true, position: job.position });
    const snapshot = await tessera.db.pool.query("SELECT max(position) AS position FROM event_store.snapshots WHERE name = 'token-index'");
    expect(Number(snapshot.rows[0].position)).toBe(Number(job.position));
    // The rebuilt indexes answer, whichever token app the queue group picks: the live token works, the revoked one does not.
    for (let n = 0; n < 6; n += 1) {
      expect((await api(alice.token, 'GET', '/api/v1/tokens')).status).toBe(200);
      expect(await tessera.client.request(SUBJECTS.tokenIntrospect, { token: alice.token })).toMatchObject({ active: true });
      expect(await tessera.client.request(SUBJECTS.tokenIntrospect, { token: revoked })).toMatchObject({ active: false });
    }
  });

  it('rebuilds the decision index on both policy apps, and every decision stays as it was', async () => {
    const before = await decisions();
    expect(before.slice(0, 2)).toEqual([200, { allowed: true, reason: 'granted' }]);
    const job = await replay('decision-index');
    expect(job).toMatchObject({ projection: 'decision-index', status: 'swapped', matchesLive: true, failure: null });
    expect(job.replicas).toHaveLength(2);
    expect(await decisions()).toEqual(before);
    // A write after the swap lands in the rebuilt index.
    const granted = await api(admin.token, 'PUT', `/api/v1/datasets/${minnie}/grants/${lab}/edit`, {});
    expect(granted.status).toBe(200);
    const revision = granted.headers.get('x-tessera-revision')!;
    const edit = await tessera.client.request(SUBJECTS.policyCheck, {
      token: alice.token,
      permission: 'edit',
      dataset: 'minnie',
      minRevision: revision,
    });
    expect(edit.allowed).toBe(true);
  });

  it('rebuilds the identity read models on one identity replica, repairing users the table had missed', async () => {
    // The fixtures wrote these users straight into the log, past the identity app's inline projection.
    const names = async () => (await json(await api(admin.token, 'GET', '/api/v1/users?limit=100'))).items.map((user: Json) => user.name);
    expect(await names()).not.toContain('Alice');
    const repaired = await replay('identity-read-models');
    expect(repaired).toMatchObject({ projection: 'identity-read-models', status: 'swapped', matchesLive: false, failure: null });
    expect(repaired.replicas).toHaveLength(1);
    expect((await names()).sort()).toEqual(['Ada Admin', 'Alice', 'Bob']);
    expect(await json(await api(admin.token, 'GET', `/api/v1/users/${alice.id}`))).toMatchObject({ name: 'Alice', active: true });
    expect(await replay('identity-read-models')).toMatchObject({ status: 'swapped', matchesLive: true });
  });

  it('rebuilds the policy read models: a lost name row comes back, and guards the name again', async () => {
    await tessera.db.pool.query('DELETE FROM policy.group_names WHERE group_id = $1', [lab]);
    const repaired = await replay('policy-read-models');
    expect(repaired).toMatchObject({ projection: 'policy-read-models', status: 'swapped', matchesLive: false, failure: null });
    expect(repaired.replicas).toHaveLength(1);
    const names = await tessera.db.pool.query('SELECT name FROM policy.group_names WHERE group_id = $1', [lab]);
    expect(names.rows).toEqual([{ name: 'lab' }]);
    const duplicate = await api(admin.token, 'POST', '/api/v1/groups', { name: 'lab' });
    expect(duplicate.status).toBe(409);
    expect(await replay('policy-read-models')).toMatchObject({ status: 'swapped', matchesLive: true });
  });

  it('keeps a finished job finished, and refuses a report that names no replica', async () => {
    const job = await replay('token-index');
    expect(job.status).toBe('swapped');
    const late = {
      jobId: job.jobId,
      replica: job.replicas[0].replica,
      status: 'failed' as const,
      position: '0',
      target: '0',
      failure: 'late',
    };
    expect(await tessera.client.request(AUDIT_SUBJECTS.replayProgress, late)).toEqual({ recorded: false });
    // Untyped on purpose: the report lacks its replica.
    await expect(requestJson(tessera.nats, AUDIT_SUBJECTS.replayProgress, { jobId: job.jobId, status: 'running' })).rejects.toMatchObject({
      code: 'bad_request',
    });
    expect(await json(await api(admin.token, 'GET', `/api/v1/audit/replay/${job.jobId}`))).toMatchObject({ status: 'swapped' });
  });
});
