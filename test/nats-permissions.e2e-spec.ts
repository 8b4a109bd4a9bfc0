import { connect, type NatsConnection } from '@nats-io/transport-node';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_NAMES, SUBJECTS, TOKEN_INTERNAL_SUBJECTS, type AppName } from '@tessera/contracts';
import { appendToStreams } from '@tessera/event-store';
import { requestJson } from '@tessera/messaging';
import { callApi, eventually, json, ROOT, startTessera, type NatsCredentials, type TesseraUnderTest } from '@tessera/testing';
import { PolicyFixtures, type TestUser } from './policy-fixtures';

const ADMIN_KEY = 'nats-permissions-admin-key-0123';
const password = (user: string) => `${user}-password-for-this-test`;
const SERVICES = ['pipeline', 'beta'] as const;

/**
 * deploy/nats as an operator uses it: the shipped users and permissions, plus a second service
 * added the documented way (a copy of the example service's block under another name).
 */
function deployedConfig(): { dir: string; config: string } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-nats-conf-'));
  copyFileSync(join(ROOT, 'deploy/nats/tessera-permissions.conf'), join(dir, 'tessera-permissions.conf'));
  const shipped = readFileSync(join(ROOT, 'deploy/nats/nats-server.conf'), 'utf8');
  const example = /\n(\s*\{\s*\n\s*user: pipeline[\s\S]*?\n\s*\}\n)/.exec(shipped)?.[1];
  if (!example) throw new Error('deploy/nats/nats-server.conf has no example service block');
  const second = example.replace(/pipeline/g, 'beta').replace(/PIPELINE/g, 'BETA');
  writeFileSync(join(dir, 'nats-server.conf'), shipped.replace(example, example + second));
  return { dir, config: join(dir, 'nats-server.conf') };
}

describe('NATS authorization of deploy/nats: one user per app and per service, each reaching only its own', () => {
  let tessera: TesseraUnderTest;
  let conf: { dir: string; config: string };
  const connections: NatsConnection[] = [];
  let serviceA: NatsConnection;
  let serviceB: NatsConnection;
  let alice: TestUser;
  let admin: string;

  const as = async (user: string, inboxPrefix?: string): Promise<NatsConnection> => {
    const connection = await connect({ servers: tessera.natsServer.url, user, pass: password(user), inboxPrefix });
    connections.push(connection);
    return connection;
  };
  const refusedSubscription = async (connection: NatsConnection, subject: string, queue?: string) => {
    const subscription = connection.subscribe(subject, queue ? { queue } : {});
    await expect(subscription.closed).resolves.toMatchObject({ message: expect.stringMatching(/Permissions Violation for Subscription/) });
  };
  const refusedPublish = (connection: NatsConnection, subject: string, body: unknown = {}) =>
    expect(connection.request(subject, JSON.stringify(body), { timeout: 2_000 })).rejects.toThrow(/Permissions Violation for Publish/);
  const events = async (type: string) =>
    (await tessera.db.pool.query('SELECT count(*)::int AS n FROM event_store.events WHERE type = $1', [type])).rows[0].n;
  const api = (method: string, path: string, body?: unknown) => callApi(tessera.baseUrl, method, path, { token: admin, body });

  beforeAll(async () => {
    conf = deployedConfig();
    const users = [...APP_NAMES, ...SERVICES];
    const apps = Object.fromEntries(APP_NAMES.map((app) => [app, { user: app, password: password(app) }])) as Record<
      AppName,
      NatsCredentials
    >;
    tessera = await startTessera({
      env: { TESSERA_ADMIN_KEY: ADMIN_KEY },
      nats: {
        config: conf.config,
        env: Object.fromEntries(users.map((user) => [`${user.toUpperCase()}_NATS_PASSWORD`, password(user)])),
        apps,
        // The fixtures below write as the apps write; the gateway's user is the closest to a test harness.
        client: { user: 'gateway', password: password('gateway'), inboxPrefix: '_INBOX.gateway' },
      },
    });
    serviceA = await as('pipeline', '_INBOX.pipeline');
    serviceB = await as('beta', '_INBOX.beta');
    alice = await new PolicyFixtures(tessera.db.pool, tessera.nats).user({ name: 'Alice' });
    admin = (await json(await callApi(tessera.baseUrl, 'POST', '/api/v1/admin/tokens', { body: { adminKey: ADMIN_KEY } }))).token;
    expect(admin).toMatch(/^tsra_/);
  }, 120_000);

  afterAll(async () => {
    await Promise.all(connections.map((connection) => connection.close()));
    await tessera?.stop();
    if (conf) rmSync(conf.dir, { recursive: true, force: true });
  });

  it('runs every app as its own NATS user: requests between the apps all get through', async () => {
    expect((await fetch(`${tessera.baseUrl}/readyz`)).status).toBe(200);
    expect((await callApi(tessera.baseUrl, 'GET', '/api/v1/me', { token: alice.token })).status).toBe(200);
    // gateway → identity, token, policy, audit
    const user = await api('POST', '/api/v1/users', { name: 'bob' });
    expect(user.status).toBe(201);
    const dataset = await api('POST', '/api/v1/datasets', { name: 'minnie' });
    expect(dataset.status).toBe(201);
    expect((await api('GET', '/api/v1/audit/events?type=UserRegistered')).status).toBe(200);
    expect((await callApi(tessera.baseUrl, 'GET', '/auth/login')).status).toBe(302);
    // audit → token and identity replicas, and their progress back to audit.
    for (const projection of ['token-index', 'identity-read-models']) {
      const { jobId } = await json(await api('POST', '/api/v1/audit/replay', { projection }));
      const job = await eventually(
        async () => json(await api('GET', `/api/v1/audit/replay/${jobId}`)),
        (answer) => answer.status !== 'running',
      );
      // Swapped: the owning app's replicas took the job and reported back. (Alice came from the
      // fixtures' events, not through the identity app's tables, so only the token index matches.)
      expect({ projection, status: job.status }).toEqual({ projection, status: 'swapped' });
      if (projection === 'token-index') expect(job.matchesLive).toBe(true);
    }
  });

  it('streams an export whose page is many messages: the audit user may send them all to the gateway’s inbox', async () => {
    const padding = 'x'.repeat(1_000);
    const events = Array.from({ length: 400 }, (_, n) => ({ type: 'Padded', data: { n, padding } }));
    await appendToStreams(tessera.db.pool, [{ streamId: 'padded', events }], { metadata: { actor: 'exporter' } });
    const response = await fetch(`${tessera.baseUrl}/api/v1/audit/export`, { headers: { authorization: `Bearer ${admin}` } });
    expect(response.status).toBe(200);
    const body = await response.text();
    // Over 400 KB: more than a dozen messages of the audit app's chunk size.
    expect(body.length).toBeGreaterThan(400_000);
    const log = await tessera.db.pool.query<{ position: string }>('SELECT position FROM event_store.events ORDER BY position');
    const positions = body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).position as string);
    expect(positions).toEqual(log.rows.map((row) => row.position));
  });

  it('answers each service on the contract’s subjects, on its own inbox', async () => {
    const check = await serviceA.request(
      SUBJECTS.policyCheck,
      JSON.stringify({ token: alice.token, permission: 'view', dataset: 'nope' }),
      {
        timeout: 5_000,
      },
    );
    expect(check.json()).toMatchObject({ allowed: false, reason: 'unknown_dataset' });
    const introspected = await serviceB.request(SUBJECTS.tokenIntrospect, JSON.stringify({ token: alice.token }), { timeout: 5_000 });
    expect(introspected.json()).toMatchObject({ active: true });
    // identity → token: the credentials subject introspects its caller through the token app.
    const account = await json(await api('POST', '/api/v1/service-accounts', { name: 'fetcher', scopes: ['credentials'] }));
    const caller = await json(
      await api('POST', `/api/v1/service-accounts/${account.id}/tokens`, { name: 'fetcher', scopes: ['credentials'] }),
    );
    await expect(
      requestJson(
        serviceA,
        SUBJECTS.identityCredentials,
        { userId: alice.id, provider: 'dev' },
        { authorization: `Bearer ${caller.token}` },
      ),
    ).rejects.toMatchObject({ code: 'not_found' });
  });

  it('lets service A neither read service B’s replies nor forge them', async () => {
    await refusedSubscription(serviceA, '_INBOX.beta.>');
    await refusedSubscription(serviceA, '_INBOX.>');
    await refusedSubscription(serviceA, '>');
    // B's replies still reach B, and only B.
    const reply = await serviceB.request(SUBJECTS.tokenIntrospect, JSON.stringify({ token: alice.token }), { timeout: 5_000 });
    expect(reply.json()).toMatchObject({ active: true });
    await refusedPublish(serviceA, '_INBOX.beta.forged', { active: true, sub: 'forged' });
    await refusedPublish(serviceA, SUBJECTS.events('token'), { position: 1 });
  });

  it('refuses a service the internal subjects: no session minted, no answer stolen', async () => {
    const before = await events('TokenMinted');
    await refusedPublish(serviceA, TOKEN_INTERNAL_SUBJECTS.mintSession, { userId: alice.id });
    expect(await events('TokenMinted')).toBe(before);
    await refusedSubscription(serviceA, TOKEN_INTERNAL_SUBJECTS.mintSession, 'tessera.token');
    await refusedSubscription(serviceA, '_INBOX.gateway.>');
  });

  it('gives every app only what it needs: a compromised app reaches no other app’s inbox or internals', async () => {
    const policy = await as('policy', '_INBOX.policy');
    const before = await events('TokenMinted');
    await refusedPublish(policy, TOKEN_INTERNAL_SUBJECTS.mintSession, { userId: alice.id });
    expect(await events('TokenMinted')).toBe(before);
    await refusedPublish(policy, SUBJECTS.events('token'), { position: 1 });
    await refusedSubscription(policy, '_INBOX.gateway.>');
    const identity = await as('identity', '_INBOX.identity');
    await refusedPublish(identity, 'tessera.v1.policy.admin.create-group', { name: 'x' });
    await refusedSubscription(identity, 'tessera.v1.token.internal.mint-session', 'tessera.token');
    const gateway = await as('gateway', '_INBOX.gateway');
    await refusedSubscription(gateway, 'tessera.v1.token.admin.mint', 'tessera.token');
  });

  it('refuses a wrong password', async () => {
    await expect(connect({ servers: tessera.natsServer.url, user: 'pipeline', pass: 'guess' })).rejects.toThrow(/Authorization Violation/);
    await expect(connect({ servers: tessera.natsServer.url, user: 'gateway', pass: password('pipeline') })).rejects.toThrow(
      /Authorization Violation/,
    );
  });
});
