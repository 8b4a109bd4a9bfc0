import { connect, type NatsConnection } from '@nats-io/transport-node';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { APP_NAMES, type AppName } from '@tessera/contracts';
import {
  appNodeOptions,
  createTestDatabase,
  freePort,
  ROOT,
  startApp,
  startNatsCluster,
  type AppProcess,
  type Json,
  type TestDatabase,
  type TestNatsCluster,
} from '@tessera/testing';
import { api, decide, waitFor } from './fault-fixtures';
import { PolicyFixtures, type TestUser } from './policy-fixtures';

/** Each NATS user of deploy/nats (an app or the example service) with a password of its own. */
const password = (user: string) => `cluster-${user}-password`;
const NATS_USERS = [...APP_NAMES, 'pipeline'];

interface Service {
  command?: string[];
  volumes?: string[];
  deploy?: { replicas?: number };
  environment?: Record<string, string> & { '<<'?: Record<string, string> };
  /** A YAML merge key (`<<: *app`), which js-yaml leaves as a key: what Compose merges in. */
  '<<'?: Service;
}

interface Compose {
  services: Record<string, Service>;
}

describe('docker-compose.yml: a three-server NATS cluster and replicas of every app', () => {
  const compose = load(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as Compose;
  const natsServices = Object.keys(compose.services).filter((name) => name.startsWith('nats-'));
  const service = (name: string): Service => ({ ...compose.services[name]['<<'], ...compose.services[name] });

  it('runs three NATS servers routed to each other, with the authorization config, and the apps know all three', () => {
    expect(natsServices).toEqual(['nats-1', 'nats-2', 'nats-3']);
    const routes = 'nats://nats-1:6222,nats://nats-2:6222,nats://nats-3:6222';
    for (const name of natsServices) {
      expect(service(name).command).toEqual([
        ...['-c', '/etc/nats/nats-server.conf', '--server_name', name, '--cluster_name', 'tessera'],
        ...['--cluster', 'nats://0.0.0.0:6222', '--routes', routes],
      ]);
      expect(service(name).volumes).toContain('./deploy/nats:/etc/nats:ro');
    }
    for (const app of APP_NAMES) {
      // With the app's own Node options, as `npm start` gives them.
      expect(service(app).command).toEqual([...appNodeOptions(app), `dist/apps/${app}/src/main.js`]);
      expect(service(app).deploy?.replicas).toBeGreaterThanOrEqual(2);
      const environment = service(app).environment;
      const natsUrl = environment?.NATS_URL ?? environment?.['<<']?.NATS_URL;
      // Each app as its own NATS user, on every server of the cluster.
      for (const name of natsServices) expect(natsUrl).toContain(`@${name}:4222`);
      expect(natsUrl?.split(',').every((url) => url.startsWith(`nats://${app}:`))).toBe(true);
    }
  });
});

describe('Tessera on a three-server NATS cluster (the flags of docker-compose.yml, real nats-servers)', () => {
  let cluster: TestNatsCluster;
  let db: TestDatabase;
  let nats: NatsConnection;
  let baseUrl: string;
  const apps: AppProcess[] = [];
  let alice: TestUser;

  beforeAll(async () => {
    cluster = await startNatsCluster(3, {
      config: join(ROOT, 'deploy/nats/nats-server.conf'),
      env: Object.fromEntries(NATS_USERS.map((user) => [`${user.toUpperCase()}_NATS_PASSWORD`, password(user)])),
    });
    db = await createTestDatabase();
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const natsUrl = (app: AppName) =>
      cluster.servers.map((server) => server.url.replace('nats://', `nats://${app}:${password(app)}@`)).join(',');
    const env = (app: AppName) => ({
      DATABASE_URL: db.url,
      NATS_URL: natsUrl(app),
      PORT: String(port),
      NODE_ENV: 'test',
      TESSERA_POLL_INTERVAL_MS: '200',
    });
    // Two replicas of the apps that answer decisions and tokens, so each may sit on a different server.
    apps.push(...(await Promise.all(([...APP_NAMES, 'policy', 'token'] as AppName[]).map((app) => startApp(app, env(app), 90_000)))));
    // A service's client, set up as the apps set up theirs: it moves to another server at once.
    nats = await connect({
      servers: cluster.servers.map((server) => server.url),
      user: 'pipeline',
      pass: password('pipeline'),
      inboxPrefix: '_INBOX.pipeline',
      maxReconnectAttempts: -1,
      reconnectTimeWait: 250,
    });
    await waitFor(async () => (await fetch(`${baseUrl}/readyz`).catch(() => undefined))?.status === 200, 'ready', 60_000, 100);
    const fixtures = new PolicyFixtures(db.pool, nats);
    const admin = await fixtures.user({ admin: true });
    alice = await fixtures.user({ name: 'Alice' });
    const group: Json = await (await api(baseUrl, admin.token, 'POST', '/api/v1/groups', { name: 'lab' })).json();
    const dataset: Json = await (await api(baseUrl, admin.token, 'POST', '/api/v1/datasets', { name: 'minnie' })).json();
    expect((await api(baseUrl, admin.token, 'PUT', `/api/v1/groups/${group.id}/members/${alice.id}`, { admin: false })).status).toBe(200);
    expect((await api(baseUrl, admin.token, 'PUT', `/api/v1/datasets/${dataset.id}/grants/${group.id}/view`, {})).status).toBe(200);
  }, 180_000);
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.stop()));
    await nats?.close();
    await cluster?.stop();
    await db?.drop();
  });

  it('keeps answering when the server the gateway uses is killed: no error after the first second', async () => {
    // The server holding the gateway's connection, so the HTTP path has to move.
    const holders = await Promise.all(cluster.servers.map((_, index) => cluster.clientNames(index)));
    const victim = holders.findIndex((names) => names.includes('tessera-gateway'));
    expect(victim).toBeGreaterThanOrEqual(0);
    const answers: { at: number; done: number; via: string; answer: string | number }[] = [];
    let killedAt = Infinity;
    let running = true;
    // `at` is when a request was sent: one in flight to the killed server may fail, but only within the first second.
    const loop = async (via: string, ask: () => Promise<string | number>) => {
      while (running) {
        const at = Date.now();
        const answer = await ask();
        answers.push({ at, done: Date.now(), via, answer });
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    const overHttp = async () =>
      (await api(baseUrl, alice.token, 'GET', '/api/v1/check?permission=view&dataset=minnie').catch(() => undefined))?.status ?? 0;
    const overNats = () => decide(nats, alice.token, 'minnie', 'view', 2_000).catch((error: Error) => error.message);
    const loops = [loop('http', overHttp), loop('http', overHttp), loop('nats', overNats), loop('nats', overNats)];
    const good = (entry: { answer: string | number }) => entry.answer === 200 || entry.answer === 'granted';
    try {
      await waitFor(() => answers.length >= 20, 'decisions before the kill');
      killedAt = Date.now();
      await cluster.kill(victim);
      const settled = (via: string) => answers.filter((entry) => entry.via === via && entry.at > killedAt + 1_000).length;
      await waitFor(() => settled('http') >= 50 && settled('nats') >= 50, 'decisions after the kill', 30_000);
    } finally {
      running = false;
      await Promise.all(loops);
    }
    expect(answers.filter((entry) => entry.at > killedAt + 1_000 && !good(entry))).toEqual([]);
    expect(answers.filter((entry) => entry.done < killedAt && !good(entry))).toEqual([]);
    for (const app of apps) expect(app.running()).toBe(true);
    const gateway = apps.find((app) => app.app === 'gateway')!.output();
    expect({
      disconnected: /disconnected from .*; reconnecting/.test(gateway),
      reconnected: /reconnected to/.test(gateway),
      gateway,
    }).toMatchObject({
      disconnected: true,
      reconnected: true,
    });
  }, 90_000);
});
