import { randomBytes } from 'node:crypto';
import { createTestDatabase, type TestDatabase } from '@tessera/testing';
import { ensureEventStoreSchema } from './schema';
import { loadLatestSnapshot, saveSnapshot } from './snapshots';

describe('snapshots', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await createTestDatabase();
    await ensureEventStoreSchema(db.pool);
  });
  afterAll(() => db.drop());

  it('loads the latest snapshot of a projection and keeps the two newest', async () => {
    expect(await loadLatestSnapshot(db.pool, 'token-index')).toBeUndefined();
    for (const position of [10, 20, 30]) await saveSnapshot(db.pool, 'token-index', position, Buffer.from(`state at ${position}`));
    await saveSnapshot(db.pool, 'decision-index', 25, Buffer.from('other'));
    const latest = await loadLatestSnapshot(db.pool, 'token-index');
    expect(latest).toEqual({ name: 'token-index', position: 30, data: Buffer.from('state at 30') });
    const kept = await db.pool.query("SELECT position FROM event_store.snapshots WHERE name = 'token-index' ORDER BY position");
    expect(kept.rows.map((row) => Number(row.position))).toEqual([20, 30]);
  });

  it('streams a snapshot given in parts and reads back the same bytes; a second save at a position replaces it', async () => {
    const parts = [randomBytes(3 << 20), Buffer.from('\0\xff'), new Uint8Array(0), new Float64Array([1.5, -2]), randomBytes(5 << 20)];
    const whole = Buffer.concat(parts.map((part) => Buffer.from(part.buffer, part.byteOffset, part.byteLength)));
    const position = 2 ** 40 + 3;
    await saveSnapshot(
      db.pool,
      "it's big",
      position,
      parts.map((part) => new Uint8Array(part.buffer, part.byteOffset, part.byteLength)),
    );
    const loaded = await loadLatestSnapshot(db.pool, "it's big");
    expect(loaded?.position).toBe(position);
    expect(loaded?.data.equals(whole)).toBe(true);

    await saveSnapshot(db.pool, "it's big", position, Buffer.from('smaller'));
    expect(await loadLatestSnapshot(db.pool, "it's big")).toEqual({ name: "it's big", position, data: Buffer.from('smaller') });
    const rows = await db.pool.query("SELECT count(*)::int AS count FROM event_store.snapshots WHERE name = 'it''s big'");
    expect(rows.rows[0].count).toBe(1);
  });

  it('stores snapshots uncompressed, so a big one is read back without decompressing it', async () => {
    await saveSnapshot(db.pool, 'zeros', 1, Buffer.alloc(4 << 20));
    const stored = await db.pool.query(
      "SELECT pg_column_compression(data) AS compression, octet_length(data) AS length FROM event_store.snapshots WHERE name = 'zeros'",
    );
    expect(stored.rows[0]).toEqual({ compression: null, length: 4 << 20 });
    // Idempotent: a second start leaves the column as it is.
    await ensureEventStoreSchema(db.pool);
    expect((await loadLatestSnapshot(db.pool, 'zeros'))?.data.equals(Buffer.alloc(4 << 20))).toBe(true);
    await saveSnapshot(db.pool, 'empty', 5, Buffer.alloc(0));
    expect(await loadLatestSnapshot(db.pool, 'empty')).toEqual({ name: 'empty', position: 5, data: Buffer.alloc(0) });
  });

  it('still reads a snapshot stored compressed, as they were before', async () => {
    const data = Buffer.concat([Buffer.alloc(3 << 20, 'tessera '), randomBytes(1000)]);
    await db.pool.query('ALTER TABLE event_store.snapshots ALTER COLUMN data SET STORAGE EXTENDED');
    try {
      await saveSnapshot(db.pool, 'compressed', 9, data);
    } finally {
      await db.pool.query('ALTER TABLE event_store.snapshots ALTER COLUMN data SET STORAGE EXTERNAL');
    }
    const stored = await db.pool.query(
      "SELECT pg_column_compression(data) AS compression FROM event_store.snapshots WHERE name = 'compressed'",
    );
    expect(stored.rows[0].compression).toBe('pglz');
    expect((await loadLatestSnapshot(db.pool, 'compressed'))?.data.equals(data)).toBe(true);
  });
});
