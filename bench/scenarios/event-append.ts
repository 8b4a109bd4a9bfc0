import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { appendToStream, ensureEventStoreSchema } from '@tessera/event-store';
import { createTestDatabase } from '@tessera/testing';
import { result, type Scenario } from '../scenario';

const BATCH = 500;
const BATCHES_PER_ROUND = 40;
const ROUNDS = 3;
const SINGLES = 1500;

/** The floor's table: the same columns and indexes as event_store.events. */
const FLOOR_TABLE = `
CREATE TABLE floor_events (LIKE event_store.events INCLUDING ALL);
CREATE SEQUENCE floor_position;`;

interface Row {
  streamId: string;
  version: number;
  data: string;
}

function batchOf(streamId: string): Row[] {
  return Array.from({ length: BATCH }, (_, index) => ({
    streamId,
    version: index + 1,
    data: JSON.stringify({ tokenId: randomUUID(), userId: randomUUID(), scopes: ['view'], n: index }),
  }));
}

/** The floor: one raw multi-row INSERT of the same rows, autocommit. */
async function rawInsert(pool: Pool, rows: Row[]): Promise<void> {
  const values = rows.map(
    (_, index) => `(nextval('floor_position'), $${index * 3 + 1}, $${index * 3 + 2}, 'TokenMinted', 1, $${index * 3 + 3}, '{}')`,
  );
  await pool.query(
    `INSERT INTO floor_events (position, stream_id, stream_version, type, schema_version, data, metadata) VALUES ${values.join(',')}`,
    rows.flatMap((row) => [row.streamId, row.version, row.data]),
  );
}

async function throughput(run: () => Promise<void>, events: number): Promise<number> {
  const started = process.hrtime.bigint();
  await run();
  return events / (Number(process.hrtime.bigint() - started) / 1e9);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export const eventAppend: Scenario = {
  name: 'event-append',
  description: `batched append (${BATCH} events a batch) through libs/event-store vs a raw multi-row INSERT; single-event append latency vs a raw single INSERT`,
  async run() {
    const db = await createTestDatabase();
    try {
      await ensureEventStoreSchema(db.pool);
      await db.pool.query(FLOOR_TABLE);
      const ours: number[] = [];
      const floor: number[] = [];
      const events = BATCH * BATCHES_PER_ROUND;
      // Rounds alternate so both sides see the same table sizes and the same machine noise.
      for (let round = 0; round < ROUNDS; round += 1) {
        const batches = Array.from({ length: BATCHES_PER_ROUND }, () => batchOf(`token-${randomUUID()}`));
        floor.push(
          await throughput(async () => {
            for (const rows of batches) await rawInsert(db.pool, rows);
          }, events),
        );
        ours.push(
          await throughput(async () => {
            for (const rows of batches) {
              await appendToStream(db.pool, {
                streamId: rows[0].streamId,
                expectedVersion: 'no_stream',
                events: rows.map((row) => ({ type: 'TokenMinted', data: JSON.parse(row.data) })),
              });
            }
          }, events),
        );
      }

      const single = batchOf(`token-${randomUUID()}`).slice(0, 1)[0];
      const oursSingle = await throughput(async () => {
        for (let n = 0; n < SINGLES; n += 1)
          await appendToStream(db.pool, {
            streamId: `token-${randomUUID()}`,
            events: [{ type: 'TokenMinted', data: JSON.parse(single.data) }],
          });
      }, SINGLES);
      const floorSingle = await throughput(async () => {
        for (let n = 0; n < SINGLES; n += 1) await rawInsert(db.pool, [{ ...single, streamId: `token-${randomUUID()}` }]);
      }, SINGLES);

      return [
        result({ name: 'event-append', value: median(ours), unit: 'events/s', floor: median(floor), target: '>= 0.8' }),
        result({
          name: 'event-append-single',
          value: Number((1000 / oursSingle).toFixed(3)),
          unit: 'ms/event',
          floor: Number((1000 / floorSingle).toFixed(3)),
          target: 'report',
        }),
      ];
    } finally {
      await db.drop();
    }
  },
};
