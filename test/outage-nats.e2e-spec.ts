import { startTessera, type Json, type TesseraUnderTest } from '@tessera/testing';
import { api, buildWorld, decide, waitFor, type World } from './fault-fixtures';

const RESTARTS = 2;
const DOWN_MS = 1_500;
const LOOPS = 4;

interface Answer {
  /** What was asked: a path, or the kept check. */
  path: string;
  status: number;
  error?: string;
  retryAfter: string | null;
  ms: number;
}

describe('NATS restarted during a decision loop', () => {
  let tessera: TesseraUnderTest;
  let world: World;

  beforeAll(async () => {
    tessera = await startTessera();
    world = await buildWorld(tessera);
  }, 120_000);
  afterAll(async () => {
    await tessera?.stop();
  });

  it(`no request waits more than 1 s for its 503, reads from memory keep answering, and everything recovers (${RESTARTS} restarts)`, async () => {
    const answers: Answer[] = [];
    let running = true;
    const ask = async (token: string, path: string, name = path) => {
      const began = performance.now();
      const response = await api(tessera.baseUrl, token, 'GET', path);
      const body: Json = await response.json();
      answers.push({
        path: name,
        status: response.status,
        error: body.error,
        retryAfter: response.headers.get('retry-after'),
        ms: performance.now() - began,
      });
    };
    const loop = async (token: string, path: string, name = path) => {
      while (running) {
        await ask(token, path, name);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };
    // A super admin's check goes to the policy app every time; alice's is kept by the gateway after the first.
    const check = `/api/v1/check?permission=view&dataset=${world.dataset}`;
    const keptCheck = 'the kept check';
    const loops = [
      ...Array.from({ length: LOOPS }, () => loop(world.admin.token, check)),
      loop(world.alice.token, check, keptCheck),
      loop(world.alice.token, '/api/v1/me'),
    ];
    const since = () => answers.length;
    const outcomes = (from: number, path: string) => answers.slice(from).filter((answer) => answer.path === path);

    try {
      for (let restart = 0; restart < RESTARTS; restart += 1) {
        const before = since();
        await waitFor(() => outcomes(before, check).filter((answer) => answer.status === 200).length >= 20, 'decisions before the restart');
        const restarted = tessera.natsServer.restart(DOWN_MS);
        await waitFor(() => outcomes(before, check).some((answer) => answer.status === 503), 'a 503 while NATS is down');
        const down = since();
        await restarted;
        await waitFor(async () => (await fetch(`${tessera.baseUrl}/readyz`)).status === 200, 'ready after the restart', 15_000);
        await waitFor(() => outcomes(down, check).filter((answer) => answer.status === 200).length >= 20, 'decisions after the restart');
      }
    } finally {
      running = false;
      await Promise.all(loops);
    }

    const checks = answers.filter((answer) => answer.path === check);
    const refused = checks.filter((answer) => answer.status !== 200);
    expect(refused.length).toBeGreaterThan(0);
    for (const answer of refused) {
      expect(answer).toMatchObject({ status: 503, error: 'unavailable' });
      expect(Number(answer.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // Not one request waited out the 5 s request timeout: the ones in flight failed when NATS went away.
    expect(Math.max(...refused.map((answer) => answer.ms))).toBeLessThan(1_000);
    // GET /api/v1/me is answered from the gateway's own token index, and a kept check from its memory:
    // NATS going away changes neither (the index follows the log in PostgreSQL meanwhile).
    for (const path of ['/api/v1/me', keptCheck]) {
      const read = answers.filter((answer) => answer.path === path);
      expect(read.length).toBeGreaterThan(20);
      expect({ path, statuses: new Set(read.map((answer) => answer.status)) }).toEqual({ path, statuses: new Set([200]) });
    }
    // Full recovery: decisions over NATS as well as through the gateway.
    // (The test's own client reconnects on its own schedule: its first answer is awaited, not assumed.)
    await waitFor(
      async () => (await decide(tessera.nats, world.alice.token, world.dataset, 'view', 1_000).catch(() => 'no answer')) === 'granted',
      'a decision over NATS',
      15_000,
    );
    expect(await decide(tessera.nats, world.bob.token, world.dataset)).toBe('no_permission');
    // Each app logged each disconnect and reconnect once, not once per retry.
    for (const app of tessera.apps) {
      expect({ app: app.app, disconnects: app.output().match(/disconnected from/g)?.length }).toEqual({
        app: app.app,
        disconnects: RESTARTS,
      });
      expect({ app: app.app, reconnects: app.output().match(/reconnected to/g)?.length }).toEqual({ app: app.app, reconnects: RESTARTS });
      expect(app.running()).toBe(true);
    }
  }, 120_000);

  it('/readyz names NATS while it is down', async () => {
    const restarted = tessera.natsServer.restart(DOWN_MS);
    let body: { details?: { component: string }[] } = {};
    await waitFor(async () => {
      const response = await fetch(`${tessera.baseUrl}/readyz`);
      body = (await response.json()) as typeof body;
      return response.status === 503 && (body.details ?? []).some((detail) => detail.component === 'nats');
    }, '/readyz naming nats');
    await restarted;
    await tessera.waitUntilReady();
    expect(body.details).toEqual([{ component: 'nats', reason: expect.stringMatching(/disconnected/) }]);
  }, 60_000);
});
