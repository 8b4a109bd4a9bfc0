import { connect, type NatsConnection } from '@nats-io/transport-node';
import { join } from 'node:path';
import { SUBJECTS, TOKEN_INTERNAL_SUBJECTS } from '@tessera/contracts';
import { ROOT, startTessera, type TesseraUnderTest } from '@tessera/testing';
import { PolicyFixtures, type TestUser } from './policy-fixtures';

const APP_PASSWORD = 'apps-password-for-this-test';
const SERVICE_PASSWORD = 'service-password-for-this-test';

describe('NATS authorization of deploy/nats/nats-server.conf: other services reach only CONTRACT section 6', () => {
  let tessera: TesseraUnderTest;
  let service: NatsConnection;
  let alice: TestUser;

  const tokenEvents = async () =>
    (await tessera.db.pool.query("SELECT count(*)::int AS n FROM event_store.events WHERE type = 'TokenMinted'")).rows[0].n;

  beforeAll(async () => {
    tessera = await startTessera({
      nats: {
        config: join(ROOT, 'deploy/nats/nats-server.conf'),
        env: { TESSERA_NATS_PASSWORD: APP_PASSWORD, SERVICE_NATS_PASSWORD: SERVICE_PASSWORD },
        user: 'tessera',
        password: APP_PASSWORD,
      },
    });
    service = await connect({ servers: tessera.natsServer.url, user: 'service', pass: SERVICE_PASSWORD, inboxPrefix: '_INBOX.service' });
    alice = await new PolicyFixtures(tessera.db.pool, tessera.nats).user({ name: 'Alice' });
  }, 90_000);

  afterAll(async () => {
    await service?.close();
    await tessera?.stop();
  });

  it('runs every app with the apps’ credentials taken from NATS_URL', async () => {
    expect((await fetch(`${tessera.baseUrl}/readyz`)).status).toBe(200);
    const me = await fetch(`${tessera.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${alice.token}` } });
    expect(me.status).toBe(200);
  });

  it('answers a service on the contract’s subjects', async () => {
    const check = await service.request(SUBJECTS.policyCheck, JSON.stringify({ token: alice.token, permission: 'view', dataset: 'nope' }), {
      timeout: 5_000,
    });
    expect(check.json()).toMatchObject({ allowed: false, reason: 'unknown_dataset' });
    const introspected = await service.request(SUBJECTS.tokenIntrospect, JSON.stringify({ token: alice.token }), { timeout: 5_000 });
    expect(introspected.json()).toMatchObject({ active: true });
  });

  it('refuses a service the internal subjects: no session minted for anyone', async () => {
    const before = await tokenEvents();
    await expect(
      service.request(TOKEN_INTERNAL_SUBJECTS.mintSession, JSON.stringify({ userId: alice.id }), { timeout: 2_000 }),
    ).rejects.toThrow(/Permissions Violation for Publish/);
    expect(await tokenEvents()).toBe(before);
  });

  it('lets a service neither read the replies meant for the apps nor forge them', async () => {
    const sniffer = service.subscribe('_INBOX.>');
    await expect(sniffer.closed).resolves.toMatchObject({ message: expect.stringMatching(/Permissions Violation for Subscription/) });
    const stealer = service.subscribe(TOKEN_INTERNAL_SUBJECTS.mintSession, { queue: 'tessera.token' });
    await expect(stealer.closed).resolves.toMatchObject({ message: expect.stringMatching(/Permissions Violation for Subscription/) });
  });

  it('refuses a wrong password', async () => {
    await expect(connect({ servers: tessera.natsServer.url, user: 'service', pass: 'guess' })).rejects.toThrow(/Authorization Violation/);
  });
});
