import { startPostgresServer, startTessera, type Json, type TesseraUnderTest, type TestPostgresServer } from '@tessera/testing';
import { api, buildWorld, decide, waitFor, type World } from './fault-fixtures';

const OUTAGES = 3;
const UP_MS = 1_000;
const DOWN_MS = 1_500;
const WRITERS = 2;

interface WriteAnswer {
  status: number;
  body: Json;
  retryAfter: string | null;
}

describe('PostgreSQL killed during a write loop and started again (a private server)', () => {
  let pg: TestPostgresServer;
  let tessera: TesseraUnderTest;
  let world: World;

  beforeAll(async () => {
    pg = await startPostgresServer();
    tessera = await startTessera({ databaseServer: pg.url });
    world = await buildWorld(tessera);
  }, 120_000);
  afterAll(async () => {
    await tessera?.stop();
    await pg?.destroy();
  });

  it(`${OUTAGES} outages in a row: writes answer 201 or 503 with Retry-After (never 500), every 201 is in the log, no app exits, ready within 5 s of the database, decisions answered throughout`, async () => {
    const writes: WriteAnswer[] = [];
    const decisions: string[] = [];
    const readyAfterMs: number[] = [];
    const readyzWhileDown: Json[] = [];
    let running = true;
    let n = 0;

    const writer = async () => {
      while (running) {
        const name = `outage-${(n += 1)}`;
        const response = await api(tessera.baseUrl, world.admin.token, 'POST', '/api/v1/groups', { name });
        writes.push({ status: response.status, body: await response.json(), retryAfter: response.headers.get('retry-after') });
        if (response.status !== 201) await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    const decider = async () => {
      while (running) {
        decisions.push(await decide(tessera.nats, world.alice.token, world.dataset, 'view', 2_000).catch((error: Error) => error.message));
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    };
    const loops = [...Array.from({ length: WRITERS }, writer), decider()];

    try {
      for (let outage = 0; outage < OUTAGES; outage += 1) {
        const before = writes.filter((write) => write.status === 201).length;
        await waitFor(() => writes.filter((write) => write.status === 201).length >= before + 5, 'writes succeed before the outage');
        await new Promise((resolve) => setTimeout(resolve, UP_MS));
        await pg.stop('immediate');
        const downSince = Date.now();
        await waitFor(async () => {
          const response = await fetch(`${tessera.baseUrl}/readyz`);
          if (response.status !== 503) return false;
          readyzWhileDown.push(await response.json());
          return true;
        }, '/readyz reports the outage');
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, DOWN_MS - (Date.now() - downSince))));
        await pg.start();
        const upAt = Date.now();
        await waitFor(async () => (await fetch(`${tessera.baseUrl}/readyz`)).status === 200, 'ready again', 15_000, 25);
        readyAfterMs.push(Date.now() - upAt);
      }
      const before = writes.filter((write) => write.status === 201).length;
      await waitFor(() => writes.filter((write) => write.status === 201).length >= before + 5, 'writes succeed after the last outage');
    } finally {
      running = false;
      await Promise.all(loops);
    }

    // Never a 500: a write either committed (201) or was refused as unavailable, with Retry-After.
    const statuses = new Set(writes.map((write) => write.status));
    expect([...statuses].sort()).toEqual([201, 503]);
    for (const write of writes.filter((answer) => answer.status === 503)) {
      expect(write.body.error).toBe('unavailable');
      expect(Number(write.retryAfter)).toBeGreaterThanOrEqual(1);
    }
    // Every acknowledged write is in the log, at the position it answered with.
    const acknowledged = writes.filter((write) => write.status === 201);
    const logged = await tessera.db.pool.query<{ position: string; stream_id: string }>(
      "SELECT position, stream_id FROM event_store.events WHERE type = 'GroupCreated' AND position = ANY($1::bigint[])",
      [acknowledged.map((write) => write.body.revision)],
    );
    const byPosition = new Map(logged.rows.map((row) => [row.position, row.stream_id]));
    for (const write of acknowledged) expect(byPosition.get(write.body.revision)).toBe(`group-${write.body.id}`);
    // /readyz named the database while it was down, and came back within 5 s of it.
    for (const body of readyzWhileDown) {
      expect(body.details.map((detail: { component: string }) => detail.component)).toEqual(expect.arrayContaining(['postgresql']));
    }
    expect(readyAfterMs).toHaveLength(OUTAGES);
    for (const ms of readyAfterMs) expect(ms).toBeLessThan(5_000);
    // Decisions come from memory: every one answered, the same, throughout.
    expect(decisions.length).toBeGreaterThan(50);
    expect(new Set(decisions)).toEqual(new Set(['granted']));
    // No app exited, and each logged the outage rather than crashing on it.
    for (const app of tessera.apps) {
      expect({ app: app.app, running: app.running() }).toEqual({ app: app.app, running: true });
      expect(app.output()).not.toMatch(/Connection terminated unexpectedly\n\s+at/);
    }
    expect(writes.filter((write) => write.status === 503).length).toBeGreaterThan(0);
  }, 180_000);
});
