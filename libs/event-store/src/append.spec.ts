import { randomUUID } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { appendToStream, appendToStreams } from './append';
import { ConcurrencyError } from './concurrency-error';
import { readAll, readHeadPosition, readStream } from './read';
import { ensureEventStoreSchema } from './schema';

describe('appendToStream', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await ensureEventStoreSchema(db.pool);
  });
  afterAll(() => db.drop());

  it('appends with dense positions and stream versions, and records metadata', async () => {
    const streamId = `test-${randomUUID()}`;
    const before = await readHeadPosition(db.pool);
    const result = await appendToStream(
      db.pool,
      {
        streamId,
        expectedVersion: 'no_stream',
        events: [
          { type: 'A', data: { n: 1 } },
          { type: 'B', data: { n: 2 } },
        ],
      },
      { metadata: { actor: 'user-1', correlationId: 'c-1' } },
    );
    expect(result.position).toBe(before + 2);
    const stream = await readStream(db.pool, streamId);
    expect(stream.map((event) => [event.position, event.streamVersion, event.type, event.data])).toEqual([
      [before + 1, 1, 'A', { n: 1 }],
      [before + 2, 2, 'B', { n: 2 }],
    ]);
    expect(stream[0].metadata).toEqual({ actor: 'user-1', correlationId: 'c-1' });
    await appendToStream(db.pool, { streamId, expectedVersion: 2, events: [{ type: 'C', data: {} }] });
    expect((await readStream(db.pool, streamId)).map((event) => event.streamVersion)).toEqual([1, 2, 3]);
  });

  it('lets exactly one of two concurrent appends at the same expected version win, writing nothing of the loser', async () => {
    for (let round = 0; round < 20; round += 1) {
      const streamId = `race-${randomUUID()}`;
      await appendToStream(db.pool, { streamId, events: [{ type: 'Created', data: {} }] });
      const outcomes = await Promise.allSettled(
        ['left', 'right', 'third'].map((writer) =>
          appendToStream(db.pool, {
            streamId,
            expectedVersion: 1,
            events: [
              { type: 'Changed', data: { writer } },
              { type: 'ChangedAgain', data: { writer } },
            ],
          }),
        ),
      );
      const won = outcomes.filter((outcome) => outcome.status === 'fulfilled');
      const lost = outcomes.filter((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(2);
      for (const loss of lost) {
        expect(loss.reason).toBeInstanceOf(ConcurrencyError);
        expect(loss.reason.code).toBe('conflict');
        expect(loss.reason.status).toBe(409);
      }
      const stream = await readStream(db.pool, streamId);
      expect(stream).toHaveLength(3);
      expect(new Set(stream.slice(1).map((event) => event.data.writer)).size).toBe(1);
    }
  });

  it('refuses no_stream on an existing stream and a stale version', async () => {
    const streamId = `test-${randomUUID()}`;
    await appendToStream(db.pool, { streamId, expectedVersion: 'no_stream', events: [{ type: 'A', data: {} }] });
    await expect(appendToStream(db.pool, { streamId, expectedVersion: 'no_stream', events: [{ type: 'A', data: {} }] })).rejects.toThrow(
      ConcurrencyError,
    );
    await expect(appendToStream(db.pool, { streamId, expectedVersion: 5, events: [{ type: 'A', data: {} }] })).rejects.toThrow(
      /expected version 5, found 1/,
    );
  });

  it('appends to several streams atomically: one stale stream fails the whole append', async () => {
    const [first, second] = [`multi-${randomUUID()}`, `multi-${randomUUID()}`];
    await appendToStream(db.pool, { streamId: second, events: [{ type: 'A', data: {} }] });
    const head = await readHeadPosition(db.pool);
    await expect(
      appendToStreams(db.pool, [
        { streamId: first, expectedVersion: 'no_stream', events: [{ type: 'A', data: {} }] },
        { streamId: second, expectedVersion: 'no_stream', events: [{ type: 'B', data: {} }] },
      ]),
    ).rejects.toThrow(ConcurrencyError);
    expect(await readStream(db.pool, first)).toEqual([]);
    expect(await readHeadPosition(db.pool)).toBe(head);
  });

  it('rolls back the events when the inline projection fails, giving the positions back', async () => {
    await db.pool.query('CREATE TABLE IF NOT EXISTS names (name text PRIMARY KEY)');
    const head = await readHeadPosition(db.pool);
    const project = async (client: import('pg').PoolClient) => {
      await client.query("INSERT INTO names VALUES ('taken')");
    };
    await appendToStream(db.pool, { streamId: `named-${randomUUID()}`, events: [{ type: 'Named', data: {} }] }, { project });
    await expect(
      appendToStream(db.pool, { streamId: `named-${randomUUID()}`, events: [{ type: 'Named', data: {} }] }, { project }),
    ).rejects.toThrow(/duplicate key/);
    expect(await readHeadPosition(db.pool)).toBe(head + 1);
    const next = await appendToStream(db.pool, { streamId: `named-${randomUUID()}`, events: [{ type: 'Other', data: {} }] });
    expect(next.position).toBe(head + 2);
    expect((await readAll(db.pool, { after: head })).map((event) => event.position)).toEqual([head + 1, head + 2]);
  });
});
