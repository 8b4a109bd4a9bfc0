import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { appendToStream, ensureEventStoreSchema } from '@tessera/event-store';
import { createTestDatabase } from '@tessera/testing';
import { alternate, timed } from '../measure';
import { result, type Scenario } from '../scenario';

const BATCH = 500;
const BATCHES_PER_ROUND = 40;
const ROUNDS = 3;
/** Single-event appends per round. */
const SINGLES = 500;

/** The floor's table: the same columns and indexes as event_store.events. */
const FLOOR_TABLE = `
CREATE TABLE floor_events (LIKE event_store.events INCLUDING ALL);
CREATE SEQUENCE floor_position;`;

interface Row {
  streamId: string;
  version: number;
  data: Record<string, unknown>;
}

function batchOf(streamId: string, size = BATCH): Row[] {
  return Array.from({ length: size }, (_, index) => ({
    streamId,
    version: index + 1,
    data: { tokenId: randomUUID(), userId: randomUUID(), scopes: ['view'], n: index },
  }));
}

/** The floor: one raw multi-row INSERT of the same rows (serialised as the append must), autocommit. */
async function rawInsert(pool: Pool, rows: Row[]): Promise<void> {
  const values = rows.map(
    (_, index) => `(nextval('floor_position'), $${index * 3 + 1}, $${index * 3 + 2}, 'TokenMinted', 1, $${index * 3 + 3}, '{}')`,
  );
  await pool.query(
    `INSERT INTO floor_events (position, stream_id, stream_version, type, schema_version, data, metadata) VALUES ${values.join(',')}`,
    rows.flatMap((row) => [row.streamId, row.version, JSON.stringify(row.data)]),
  );
}

async function append(pool: Pool, rows: Row[]): Promise<void> {
  await appendToStream(pool, {
    streamId: rows[0].streamId,
    expectedVersion: 'no_stream',
    events: rows.map((row) => ({ type: 'TokenMinted', data: row.data })),
  });
}

/** Events per second of `insert` over the batches. */
async function throughput(batches: Row[][], insert: (rows: Row[]) => Promise<void>): Promise<number> {
  const events = batches.reduce((sum, rows) => sum + rows.length, 0);
  const ms = await timed(async () => {
    for (const rows of batches) await insert(rows);
  });
  return events / (ms / 1000);
}

async function rowCount(pool: Pool, table: string): Promise<number> {
  return Number((await pool.query<{ count: string }>(`SELECT count(*) FROM ${table}`)).rows[0].count);
}

export const eventAppend: Scenario = {
  name: 'event-append',
  rows: ['event-append-single'],
  description: `batched append (${BATCH} events a batch) through libs/event-store vs a raw multi-row INSERT; single-event append latency vs a raw single INSERT (${ROUNDS} rounds each, alternating)`,
  async run() {
    const db = await createTestDatabase();
    try {
      await ensureEventStoreSchema(db.pool);
      await db.pool.query(FLOOR_TABLE);
      const batches = () => Array.from({ length: BATCHES_PER_ROUND }, () => batchOf(`token-${randomUUID()}`));
      // Rounds alternate so both sides see the same table sizes and the same machine noise.
      const batched = await alternate(
        ROUNDS,
        () => throughput(batches(), (rows) => rawInsert(db.pool, rows)),
        () => throughput(batches(), (rows) => append(db.pool, rows)),
      );
      const singles = () => Array.from({ length: SINGLES }, () => batchOf(`token-${randomUUID()}`, 1));
      const single = await alternate(
        ROUNDS,
        () => throughput(singles(), (rows) => rawInsert(db.pool, rows)),
        () => throughput(singles(), (rows) => append(db.pool, rows)),
      );
      const written = ROUNDS * (BATCH * BATCHES_PER_ROUND + SINGLES);
      for (const table of ['floor_events', 'event_store.events']) {
        const count = await rowCount(db.pool, table);
        if (count !== written) throw new Error(`${table} holds ${count} events, ${written} were written`);
      }
      const msPerEvent = (perSecond: number) => 1000 / perSecond;
      return [
        result({ name: 'event-append', value: batched.project, unit: 'events/s', floor: batched.floor, target: '>= 1.0' }),
        result({
          name: 'event-append-single',
          value: single.project.map(msPerEvent),
          unit: 'ms/event',
          floor: single.floor.map(msPerEvent),
          target: 'report',
        }),
      ];
    } finally {
      await db.drop();
    }
  },
};
