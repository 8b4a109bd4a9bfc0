import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { appendToStream } from './append';
import { readAll, readPayloads, readStream, streamPayloads } from './read';
import { ensureEventStoreSchema } from './schema';
import { Upcasters } from './upcasters';

describe('upcasting on read', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await ensureEventStoreSchema(db.pool);
  });
  afterAll(() => db.drop());

  it('lifts an old schema_version through every step, leaving other events alone', async () => {
    const upcasters = new Upcasters()
      .register('UserRegistered', 1, ({ fullName, ...rest }) => ({ ...rest, name: fullName }))
      .register('UserRegistered', 2, (data) => ({ ...data, readOnly: false }));
    await appendToStream(db.pool, {
      streamId: 'user-old',
      events: [{ type: 'UserRegistered', schemaVersion: 1, data: { fullName: 'Ada' } }],
    });
    await appendToStream(db.pool, {
      streamId: 'user-new',
      events: [{ type: 'UserRegistered', schemaVersion: 3, data: { name: 'Bob', readOnly: true } }],
    });
    await appendToStream(db.pool, { streamId: 'user-new', events: [{ type: 'UserRenamed', data: { fullName: 'Rob' } }] });

    const [old] = await readStream(db.pool, 'user-old', { upcasters });
    expect(old).toMatchObject({ schemaVersion: 3, data: { name: 'Ada', readOnly: false } });
    const all = await readAll(db.pool, { upcasters });
    expect(all.map((event) => [event.type, event.schemaVersion, event.data])).toEqual([
      ['UserRegistered', 3, { name: 'Ada', readOnly: false }],
      ['UserRegistered', 3, { name: 'Bob', readOnly: true }],
      ['UserRenamed', 1, { fullName: 'Rob' }],
    ]);
    const payloads = await readPayloads(db.pool, { upcasters });
    expect(payloads).toEqual(all.map(({ position, type, schemaVersion, data }) => ({ position, type, schemaVersion, data })));
    expect(await readPayloads(db.pool, { upcasters, after: all[0].position, to: all[1].position })).toEqual([payloads[1]]);
    const streamed: unknown[] = [];
    expect(await streamPayloads(db.pool, { upcasters }, (events) => streamed.push(...events))).toBe(3);
    expect(streamed).toEqual(payloads);
    const stored = await db.pool.query("SELECT schema_version, data FROM event_store.events WHERE stream_id = 'user-old'");
    expect(stored.rows[0]).toEqual({ schema_version: 1, data: { fullName: 'Ada' } });
  });
});
