import type { PoolClient } from 'pg';
import type { Event } from '@tessera/contracts';
import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { appendToStream } from './append';
import type { RecordedEvent } from './event';
import { rebuildTables, type TableProjection } from './rebuild-tables';
import { ensureEventStoreSchema } from './schema';

type ShelfEvent =
  | Event<'ShelfAdded', { id: number; name: string }>
  | Event<'ShelfRenamed', { id: number; name: string }>
  | Event<'ShelfRemoved', { id: number }>;

/** A read model of shelves: ShelfAdded inserts, ShelfRenamed updates, ShelfRemoved deletes. */
const SHELVES: TableProjection<ShelfEvent> = {
  schema: 'library',
  tables: ['shelves'],
  async project(client: PoolClient, events: RecordedEvent<ShelfEvent>[], schema: string) {
    for (const event of events) {
      if (event.type === 'ShelfAdded')
        await client.query(`INSERT INTO ${schema}.shelves (id, name) VALUES ($1, $2)`, [event.data.id, event.data.name]);
      if (event.type === 'ShelfRenamed')
        await client.query(`UPDATE ${schema}.shelves SET name = $2 WHERE id = $1`, [event.data.id, event.data.name]);
      if (event.type === 'ShelfRemoved') await client.query(`DELETE FROM ${schema}.shelves WHERE id = $1`, [event.data.id]);
    }
  },
};

describe('rebuildTables', () => {
  let db: TestDatabase;

  const append = (event: ShelfEvent, inline = true) =>
    appendToStream<ShelfEvent>(
      db.pool,
      { streamId: `shelf-${event.data.id}`, events: [event] },
      inline ? { project: (client, events) => SHELVES.project(client, events, 'library') } : {},
    );
  const shelves = async () => (await db.pool.query('SELECT id, name FROM library.shelves ORDER BY id')).rows;

  beforeAll(async () => {
    db = await createTestDatabase();
    await ensureEventStoreSchema(db.pool);
    await db.pool.query('CREATE SCHEMA library; CREATE TABLE library.shelves (id int PRIMARY KEY, name text NOT NULL UNIQUE)');
    for (let id = 1; id <= 12; id += 1) await append({ type: 'ShelfAdded', data: { id, name: `shelf ${id}` } });
    await append({ type: 'ShelfRenamed', data: { id: 3, name: 'maps' } });
    await append({ type: 'ShelfRemoved', data: { id: 7 } });
  });
  afterAll(() => db.drop());

  it('finds the live tables equal to the log and leaves them as they are', async () => {
    const before = await shelves();
    const progress: number[] = [];
    expect(await rebuildTables(db.pool, SHELVES, (position) => progress.push(position))).toEqual({ position: 14, matchesLive: true });
    expect(await shelves()).toEqual(before);
    expect(progress.at(-1)).toBe(14);
    const scratch = await db.pool.query("SELECT 1 FROM information_schema.schemata WHERE schema_name = 'library_rebuild'");
    expect(scratch.rowCount).toBe(0);
  });

  it('repairs live tables that drifted from the log: a missed event, a damaged row, a stray row', async () => {
    await append({ type: 'ShelfAdded', data: { id: 20, name: 'written without its projection' } }, false);
    await db.pool.query("UPDATE library.shelves SET name = 'damaged' WHERE id = 1");
    await db.pool.query("INSERT INTO library.shelves (id, name) VALUES (99, 'stray')");
    expect(await rebuildTables(db.pool, SHELVES)).toEqual({ position: 15, matchesLive: false });
    const rows = await shelves();
    expect(rows.map((row) => row.id)).toEqual([1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 20]);
    expect(rows[0].name).toBe('shelf 1');
    expect(rows[2].name).toBe('maps');
    expect(await rebuildTables(db.pool, SHELVES)).toEqual({ position: 15, matchesLive: true });
  });

  it('keeps appends that commit while it rebuilds: the last stretch waits for them, or they wait for it', async () => {
    const appends = Promise.all(
      Array.from({ length: 20 }, (_, n) => append({ type: 'ShelfAdded', data: { id: 100 + n, name: `busy ${n}` } })),
    );
    const rebuilt = await rebuildTables(db.pool, SHELVES);
    await appends;
    expect(rebuilt.matchesLive).toBe(true);
    expect((await shelves()).filter((row) => row.id >= 100)).toHaveLength(20);
    expect(await rebuildTables(db.pool, SHELVES)).toEqual({ position: 35, matchesLive: true });
  });

  it('refuses a schema or table name that is not a plain identifier', async () => {
    await expect(rebuildTables(db.pool, { ...SHELVES, tables: ['shelves; DROP TABLE x'] })).rejects.toThrow('not a plain SQL identifier');
  });
});
