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
});
