import { randomUUID } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Pool } from 'pg';
import { SUBJECTS, type Event } from '@tessera/contracts';
import { createTestDatabase, startNatsServer, type TestDatabase, type TestNatsServer } from '@tessera/testing';
import { appendToStream } from './append';
import type { EventPayload, RecordedEvent } from './event';
import { EventStore } from './event-store';
import { toEventMessage } from './publish';
import { readHeadPosition, readPayloads, streamPayloads } from './read';
import { ensureEventStoreSchema } from './schema';
import { LogSubscription } from './subscribe';

const WRITERS = 8;
const APPENDS_PER_WRITER = 60;

describe('LogSubscription', () => {
  let db: TestDatabase;
  let natsServer: TestNatsServer;
  let nats: NatsConnection;
  const subscriptions: { stop(): Promise<void> }[] = [];

  beforeAll(async () => {
    [db, natsServer] = await Promise.all([createTestDatabase(), startNatsServer()]);
    await ensureEventStoreSchema(db.pool);
    nats = await connect({ servers: natsServer.url, maxReconnectAttempts: -1, reconnectTimeWait: 100 });
  });
  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.stop()));
  });
  afterAll(async () => {
    await nats.close();
    await natsServer.stop();
    await db.drop();
  });

  function follow(options: { from?: number; nats?: NatsConnection; pollIntervalMs?: number } = {}) {
    const received: RecordedEvent[] = [];
    const subscription = new LogSubscription<Event>(db.pool, {
      from: options.from ?? 0,
      nats: options.nats,
      pollIntervalMs: options.pollIntervalMs ?? 20,
      batchSize: 37,
      handle: (events) => {
        received.push(...events);
      },
    });
    subscriptions.push(subscription);
    return { subscription, received };
  }

  it('sees every committed event exactly once, in position order, while 8 writers commit, stall and roll back', async () => {
    const from = await readHeadPosition(db.pool);
    const { subscription, received } = follow({ from });
    await subscription.start();
    const committed: number[] = [];
    const writer = async (index: number) => {
      for (let n = 0; n < APPENDS_PER_WRITER; n += 1) {
        const streamId = `load-${index}-${n % 7}`;
        const size = 1 + (n % 3);
        const rollBack = n % 5 === 4;
        // Some transactions hold their lock while others queue behind them; some fail after inserting.
        const project = async () => {
          if (n % 4 === 0) await new Promise((resolve) => setTimeout(resolve, Math.random() * 4));
          if (rollBack) throw new Error('rolled back on purpose');
        };
        const events = Array.from({ length: size }, (_, k) => ({ type: 'Loaded', data: { writer: index, n, k } }));
        try {
          const result = await appendToStream(db.pool, { streamId, events }, { project });
          committed.push(...result.events.map((event) => event.position));
        } catch (error) {
          if (!rollBack) throw error;
        }
      }
    };
    await Promise.all(Array.from({ length: WRITERS }, (_, index) => writer(index)));
    const head = await readHeadPosition(db.pool);
    expect(await subscription.waitFor(head, 10_000)).toBe(true);

    const positions = received.map((event) => event.position);
    expect(positions).toEqual([...committed].sort((a, b) => a - b));
    expect(positions).toEqual(Array.from({ length: head - from }, (_, index) => from + index + 1));
    expect(received.filter((event) => (event.data.n as number) % 5 === 4)).toEqual([]);
  });

  it.each([
    ['read in batches', { read: (pool: Pool, after: number, limit: number) => readPayloads(pool, { after, limit }) }],
    [
      'streamed, applied as they arrive',
      {
        stream: (pool: Pool, after: number, limit: number, apply: (events: EventPayload[]) => void) =>
          streamPayloads(pool, { after, limit }, apply),
      },
    ],
  ])('applies each event once and in order when applying fails midway (%s)', async (_, reader) => {
    const from = await readHeadPosition(db.pool);
    const applied: EventPayload[] = [];
    let failures = 0;
    const subscription = new LogSubscription<Event, EventPayload>(db.pool, {
      from,
      batchSize: 10,
      pollIntervalMs: 20,
      ...reader,
      handle: (events) => {
        // The batch or chunk holding the 25th event fails twice, then goes through on a later poll.
        if (events.some((event) => event.position === from + 25) && failures < 2) {
          failures += 1;
          throw new Error('not yet');
        }
        applied.push(...events);
      },
    });
    subscriptions.push(subscription);
    await subscription.start();
    await appendToStream(db.pool, {
      streamId: 'retry',
      events: Array.from({ length: 100 }, (_, n) => ({ type: 'Counted', data: { n } })),
    });
    expect(await subscription.waitFor(from + 100, 5_000)).toBe(true);
    expect(applied.map((event) => event.position)).toEqual(Array.from({ length: 100 }, (_, n) => from + n + 1));
    expect(applied.map((event) => event.data.n)).toEqual(Array.from({ length: 100 }, (_, n) => n));
    expect(failures).toBe(2);
  });

  it('drops the rest of a streamed read after a failed chunk, and resumes after the last chunk applied', async () => {
    const from = await readHeadPosition(db.pool);
    const applied: number[] = [];
    let failed = false;
    const subscription = new LogSubscription<Event, EventPayload>(db.pool, {
      from,
      batchSize: 5000,
      pollIntervalMs: 20,
      stream: (pool, after, limit, apply) => streamPayloads(pool, { after, limit }, apply),
      handle: (events) => {
        if (!failed && events.some((event) => event.position === from + 700)) {
          failed = true;
          throw new Error('once');
        }
        applied.push(...events.map((event) => event.position));
      },
    });
    subscriptions.push(subscription);
    await subscription.start();
    await appendToStream(db.pool, {
      streamId: 'many',
      events: Array.from({ length: 1200 }, (_, n) => ({ type: 'Counted', data: { n } })),
    });
    expect(await subscription.waitFor(from + 1200, 5_000)).toBe(true);
    expect(failed).toBe(true);
    expect(applied).toEqual(Array.from({ length: 1200 }, (_, n) => from + n + 1));
  });

  it('catches up from position 0, then follows live events published on NATS without waiting for the poll', async () => {
    const store = new EventStore(db.pool, 'token', nats);
    for (let n = 0; n < 20; n += 1) await store.append({ streamId: `token-${randomUUID()}`, events: [{ type: 'Minted', data: { n } }] });
    const head = await readHeadPosition(db.pool);
    const { subscription, received } = follow({ nats, pollIntervalMs: 60_000 });
    await subscription.start();
    expect(received).toHaveLength(head);
    await nats.flush();

    const result = await store.append({ streamId: `token-${randomUUID()}`, events: [{ type: 'Revoked', data: {} }] });
    expect(await subscription.waitFor(result.position, 2_000)).toBe(true);
    expect(received.at(-1)?.type).toBe('Revoked');
  });

  it('repairs a dropped and a reordered notification from PostgreSQL', async () => {
    const { subscription, received } = follow({ from: await readHeadPosition(db.pool), nats, pollIntervalMs: 60_000 });
    await subscription.start();
    await nats.flush();
    // Three commits whose notifications are lost; then only the last one is announced, twice, out of order.
    const unannounced = [];
    for (let n = 0; n < 3; n += 1)
      unannounced.push(await appendToStream(db.pool, { streamId: `quiet-${n}`, events: [{ type: 'Quiet', data: { n } }] }));
    const last = unannounced[2].events[0];
    nats.publish(SUBJECTS.events('policy'), JSON.stringify(toEventMessage(last)));
    nats.publish(SUBJECTS.events('policy'), JSON.stringify(toEventMessage(unannounced[0].events[0])));
    expect(await subscription.waitFor(last.position, 2_000)).toBe(true);
    expect(received.map((event) => event.data.n)).toEqual([0, 1, 2]);
  });

  it('ignores the body of a forged notification: events come only from the log', async () => {
    const from = await readHeadPosition(db.pool);
    const { subscription, received } = follow({ from, nats, pollIntervalMs: 60_000 });
    await subscription.start();
    await nats.flush();
    nats.publish(
      SUBJECTS.events('token'),
      JSON.stringify({ position: String(from + 1), type: 'TokenMinted', streamId: 'token-forged', data: { forged: true } }),
    );
    await nats.flush();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(received).toEqual([]);
    expect(subscription.position).toBe(from);
  });

  it('converges through its poll of the log head while NATS is down', async () => {
    const { subscription, received } = follow({ from: await readHeadPosition(db.pool), nats, pollIntervalMs: 100 });
    await subscription.start();
    const store = new EventStore(db.pool, 'identity', nats);
    await natsServer.restart(1_500);
    const during = await store.append({ streamId: `user-${randomUUID()}`, events: [{ type: 'WhileNatsWasDown', data: {} }] });
    expect(await subscription.waitFor(during.position, 3_000)).toBe(true);
    expect(received.map((event) => event.type)).toContain('WhileNatsWasDown');
  });
});
